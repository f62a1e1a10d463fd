"""The GAN training loop, seeding, device choice and the compact training record.

One step follows the study's ``gan.py``: the discriminator is updated on a real
batch (target 1) and a generated batch (target 0), its loss the sum of the two
BCE terms; then the generator is updated on the *same* generated batch, scored
by the just-updated discriminator, with target 1.  No label smoothing, one
discriminator step per generator step, Adam(lr 2e-4, betas (0.5, 0.999)) for
both.  The loop also offers WGAN-GP (critic steps per generator step, gradient
penalty) and early stopping on a validation-fidelity score.

Determinism: all randomness (weight init, shuffling, z, dropout, Gumbel noise)
comes from torch's RNG inside :func:`seeded`, which forks the global RNG state,
so the same seed on the same device gives the same weights and samples and the
caller's RNG is left untouched.
"""

from __future__ import annotations

import contextlib
import copy
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

OBJECTIVES = ("bce", "wgan-gp")
# Intra-op threads while training or sampling on the CPU.  These networks are
# small (batches of 32-512 rows): a second thread gains at most ~1.3x, and when
# another process competes for the cores (the harness runs cells in parallel)
# OpenMP's spinning threads make a step up to 10x slower.  One thread is steady.
CPU_THREADS = 1


def resolve_device(requested: str | None) -> tuple[torch.device, str | None]:
    """The device to train on, and a note when the requested one is unavailable."""
    req = (requested or "cpu").lower()
    if req.startswith("cuda"):
        if torch.cuda.is_available():
            return torch.device(req), None
        return torch.device("cpu"), f"device {requested!r} requested but CUDA is not available: used cpu"
    if req != "cpu":
        return torch.device("cpu"), f"device {requested!r} not supported here: used cpu"
    return torch.device("cpu"), None


@contextlib.contextmanager
def seeded(seed: int, device: torch.device):
    """Run the block with torch's RNG seeded to ``seed``; restore the caller's state after."""
    devices = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(int(seed) % (2**63))
        yield


@contextlib.contextmanager
def cpu_threads(device: torch.device, n: int | None = None):
    """Limit torch's intra-op threads to ``n`` (default ``CPU_THREADS``) on the CPU; restore after."""
    n = CPU_THREADS if n is None else n
    if device.type != "cpu" or not n:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(min(before, int(n)))
    try:
        yield
    finally:
        torch.set_num_threads(before)


@dataclass
class TrainSpec:
    epochs: int
    batch_size: int = 32
    lr: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)
    objective: str = "bce"
    n_critic: int = 1  # discriminator steps per generator step
    gp_weight: float = 10.0
    corr_weight: float = 0.0  # weight of a correlation-matching term in G's loss (0: none)
    ema: float = 0.0  # decay of an exponential moving average of G's weights (0: none)
    val_every: int = 0  # check the validation score every k epochs; 0: never
    patience: int = 0  # stop after this many checks without improvement; 0: never stop early

    def __post_init__(self):
        if self.objective not in OBJECTIVES:
            raise ValueError(f"unknown objective {self.objective!r} (one of {OBJECTIVES})")
        if self.epochs < 1 or self.batch_size < 1:
            raise ValueError("epochs and batch_size must be at least 1")


@dataclass
class TrainResult:
    d_loss: list[float] = field(default_factory=list)
    g_loss: list[float] = field(default_factory=list)
    val_epochs: list[int] = field(default_factory=list)
    val_score: list[float] = field(default_factory=list)
    best_epoch: int | None = None
    epochs_run: int = 0
    seconds: float = 0.0
    val_seconds: float = 0.0
    batch_size: int = 0
    rows: int = 0
    notes: list[str] = field(default_factory=list)

    def record(self) -> dict:
        out = {
            "rows": self.rows,
            "batch_size": self.batch_size,
            "epochs_run": self.epochs_run,
            "seconds": round_sig(self.seconds),
            "seconds_per_epoch": round_sig(self.seconds / max(1, self.epochs_run)),
            "d_loss": [round_sig(v) for v in self.d_loss],
            "g_loss": [round_sig(v) for v in self.g_loss],
        }
        if self.val_epochs:
            out.update(
                val_epochs=list(self.val_epochs),
                val_score=[round_sig(v) for v in self.val_score],
                best_epoch=self.best_epoch,
                val_seconds=round_sig(self.val_seconds),
            )
        if self.notes:
            out["notes"] = list(self.notes)
        return out


def round_sig(x: float, digits: int = 5) -> float | None:
    """``x`` rounded to ``digits`` significant digits; None for a non-finite value (valid JSON)."""
    x = float(x)
    if not math.isfinite(x):
        return None
    if x == 0.0:
        return 0.0
    return round(x, digits - 1 - int(math.floor(math.log10(abs(x)))))


def ks_statistics(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Two-sample Kolmogorov-Smirnov statistic per column of ``A`` and ``B`` (vectorised)."""
    A, B = np.sort(np.asarray(A, float), axis=0), np.sort(np.asarray(B, float), axis=0)
    out = np.empty(A.shape[1])
    for j in range(A.shape[1]):
        a, b = A[:, j], B[:, j]
        grid = np.concatenate([a, b])
        fa = np.searchsorted(a, grid, side="right") / len(a)
        fb = np.searchsorted(b, grid, side="right") / len(b)
        out[j] = np.abs(fa - fb).max()
    return out


def _corr(x: torch.Tensor) -> torch.Tensor:
    x = x - x.mean(dim=0, keepdim=True)
    x = x / (x.norm(dim=0, keepdim=True) + 1e-6)
    return x.T @ x


class _CorrelationTarget:
    """Pearson correlations of the encoded training rows (per condition); a loss
    that pulls a generated batch's correlations towards them (table-GAN's
    "information loss" idea, applied to the correlation matrix)."""

    def __init__(self, X: torch.Tensor, C: torch.Tensor | None):
        self.by_class = C is not None
        if not self.by_class:
            self.target = [_corr(X)]
        else:
            k = C.argmax(dim=1)
            self.target = [_corr(X[k == j]) if (k == j).sum() > 1 else None for j in range(C.shape[1])]

    def loss(self, fake: torch.Tensor, c: torch.Tensor | None) -> torch.Tensor:
        if not self.by_class:
            return ((_corr(fake) - self.target[0]) ** 2).mean()
        k = c.argmax(dim=1)
        terms = []
        for j, t in enumerate(self.target):
            sel = k == j
            if t is not None and sel.sum() > 2:
                terms.append(((_corr(fake[sel]) - t) ** 2).mean())
        return torch.stack(terms).mean() if terms else fake.sum() * 0.0


def _gradient_penalty(D, real, fake, cond):
    alpha = torch.rand(real.shape[0], 1, device=real.device)
    mix = (alpha * real + (1.0 - alpha) * fake).requires_grad_(True)
    out = D(mix, cond)
    (grad,) = torch.autograd.grad(out.sum(), mix, create_graph=True)
    return ((grad.norm(2, dim=1) - 1.0) ** 2).mean()


def train_gan(G, D, data, spec, *, device, **kwargs) -> TrainResult:
    """Train ``G`` and ``D`` on the rows of ``data`` (already encoded); call inside :func:`seeded`.

    Keywords: ``cond`` (one row per data row) conditions both networks;
    ``weights`` (one per row): each epoch draws ``len(data)`` rows with
    replacement in proportion to them (e.g. to balance classes) instead of a
    permutation; ``validate(G)`` returns a score to minimise: with
    ``spec.val_every`` it is checked every k epochs and the generator's best
    state is restored at the end; ``log`` gets progress lines.
    """
    with cpu_threads(device):
        return _train(G, D, data, spec, device=device, **kwargs)


def _train(
    G: nn.Module,
    D: nn.Module,
    data: np.ndarray,
    spec: TrainSpec,
    *,
    device: torch.device,
    cond: np.ndarray | None = None,
    weights: np.ndarray | None = None,
    validate: Callable[[nn.Module], float] | None = None,
    log: Callable[[str], None] | None = None,
) -> TrainResult:
    res = TrainResult(rows=int(len(data)))
    n = len(data)
    bs = min(spec.batch_size, n)
    if bs < spec.batch_size:
        res.notes.append(f"batch size clamped from {spec.batch_size} to the {n} training rows")
    res.batch_size = bs
    if n % bs == 1 and n > 1:
        res.notes.append("a final batch of 1 row is dropped each epoch (BatchNorm cannot train on one row)")
    X = torch.as_tensor(np.asarray(data, dtype=np.float32), device=device)
    C = torch.as_tensor(np.asarray(cond, dtype=np.float32), device=device) if cond is not None else None
    W = torch.as_tensor(np.asarray(weights, dtype=np.float64), device=device) if weights is not None else None
    latent = G.latent_dim
    G.to(device).train()
    D.to(device).train()
    opt_g = torch.optim.Adam(G.parameters(), lr=spec.lr, betas=spec.betas)
    opt_d = torch.optim.Adam(D.parameters(), lr=spec.lr, betas=spec.betas)
    wgan = spec.objective == "wgan-gp"
    crit = nn.BCELoss() if getattr(D, "sigmoid", True) else nn.BCEWithLogitsLoss()

    corr = _CorrelationTarget(X, C) if spec.corr_weight else None
    # with ``spec.ema``, validation and the returned generator use the averaged weights
    G_avg = copy.deepcopy(G) if spec.ema else G
    best, best_state, bad_checks = math.inf, None, 0
    total_d_steps = 0
    for epoch in range(1, spec.epochs + 1):
        t0 = time.perf_counter()
        perm = torch.randperm(n, device=device) if W is None else torch.multinomial(W, n, replacement=True)
        d_sum = g_sum = 0.0
        d_steps = g_steps = 0
        for start in range(0, n, bs):
            idx = perm[start : start + bs]
            b = len(idx)
            if b < 2:
                continue
            real = X[idx]
            c = C[idx] if C is not None else None
            z = torch.randn(b, latent, device=device)
            fake = G(z, c)
            opt_d.zero_grad(set_to_none=True)
            if wgan:
                d_loss = D(fake.detach(), c).mean() - D(real, c).mean()
                d_loss = d_loss + spec.gp_weight * _gradient_penalty(D, real, fake.detach(), c)
            else:
                out_real = D(real, c)
                out_fake = D(fake.detach(), c)
                d_loss = crit(out_real, torch.ones_like(out_real)) + crit(
                    out_fake, torch.zeros_like(out_fake)
                )
            d_loss.backward()
            opt_d.step()
            d_sum += float(d_loss.detach())
            d_steps += 1
            total_d_steps += 1
            if total_d_steps % spec.n_critic:  # counted across epochs: small classes still get G steps
                continue
            opt_g.zero_grad(set_to_none=True)
            out = D(fake, c)
            g_loss = -out.mean() if wgan else crit(out, torch.ones_like(out))
            if corr is not None:
                g_loss = g_loss + spec.corr_weight * corr.loss(fake, c)
            g_loss.backward()
            opt_g.step()
            if spec.ema:
                _ema_update(G_avg, G, spec.ema)
            g_sum += float(g_loss.detach())
            g_steps += 1
        res.seconds += time.perf_counter() - t0
        res.d_loss.append(d_sum / max(1, d_steps))
        # an epoch without a generator step (fewer batches than n_critic) repeats the last value
        res.g_loss.append(g_sum / g_steps if g_steps else (res.g_loss[-1] if res.g_loss else 0.0))
        res.epochs_run = epoch
        if validate is not None and spec.val_every and (epoch % spec.val_every == 0 or epoch == spec.epochs):
            t1 = time.perf_counter()
            if spec.ema:
                _recalibrate_batchnorm(G_avg, C, n, device)
            score = float(validate(G_avg))
            G.train()
            res.val_seconds += time.perf_counter() - t1
            res.val_epochs.append(epoch)
            res.val_score.append(score)
            if score < best:
                best, best_state, bad_checks, res.best_epoch = (
                    score,
                    copy.deepcopy(G_avg.state_dict()),
                    0,
                    epoch,
                )
            else:
                bad_checks += 1
            if log is not None:
                log(f"epoch {epoch}: d {res.d_loss[-1]:.4f} g {res.g_loss[-1]:.4f} val {score:.4f}")
            if spec.patience and bad_checks >= spec.patience:
                res.notes.append(f"early stop at epoch {epoch} (best epoch {res.best_epoch})")
                break
    if best_state is not None:
        G.load_state_dict(best_state)
    elif spec.ema:
        _recalibrate_batchnorm(G_avg, C, n, device)
        G.load_state_dict(G_avg.state_dict())
    G.eval()
    return res


@torch.no_grad()
def _recalibrate_batchnorm(G: nn.Module, C, n: int, device, batches: int = 8, size: int = 256) -> None:
    """BatchNorm running statistics recomputed for the (averaged) weights of ``G``."""
    bns = [m for m in G.modules() if isinstance(m, nn.BatchNorm1d)]
    if not bns:
        return
    saved = [m.momentum for m in bns]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative average over the passes below
    G.train()
    for _ in range(batches):
        z = torch.randn(size, G.latent_dim, device=device)
        c = C[torch.randint(0, n, (size,), device=device)] if C is not None else None
        G(z, c)
    for m, mom in zip(bns, saved):
        m.momentum = mom
    G.eval()


@torch.no_grad()
def _ema_update(avg: nn.Module, model: nn.Module, decay: float) -> None:
    for pa, p in zip(avg.parameters(), model.parameters()):
        pa.mul_(decay).add_(p.detach(), alpha=1.0 - decay)
    for ba, b in zip(avg.buffers(), model.buffers()):
        ba.copy_(b)


@torch.no_grad()
def generate(
    G: nn.Module,
    n: int,
    *,
    device: torch.device,
    seed: int,
    cond: np.ndarray | None = None,
    chunk: int = 8192,
) -> np.ndarray:
    """``n`` generator outputs (eval mode: BatchNorm running statistics), reproducible from ``seed``."""
    G.eval()
    gen = torch.Generator(device=device)
    gen.manual_seed(int(seed) % (2**63))
    out = []
    with cpu_threads(device):
        for start in range(0, n, chunk):
            b = min(chunk, n - start)
            z = torch.randn(b, G.latent_dim, generator=gen, device=device)
            c = None
            if cond is not None:
                c = torch.as_tensor(np.asarray(cond[start : start + b], dtype=np.float32), device=device)
            out.append(G(z, c).cpu().numpy())
    return np.concatenate(out, axis=0) if out else np.zeros((0, G.n_out), np.float32)
