"""Generator and discriminator builders.

The defaults are the architecture of the study's first-commit ``gan.py`` (the one
that produced its published rows):

- generator: z (100) -> 128 -> 256 -> 512 -> 256 -> n_features; every hidden
  block is ``Linear -> LeakyReLU(0.2) -> BatchNorm1d`` (BatchNorm *after* the
  activation, as the study has it); the output is ``tanh``;
- discriminator: n_features -> 512 -> 256 -> 128 -> 1; every hidden block is
  ``Linear -> LeakyReLU(0.2) -> Dropout(0.3)``; the output is a sigmoid.

Options used only by the improved variant: a conditioning vector concatenated to
both networks' inputs, a mixed output head (tanh for numeric channels, Gumbel-
softmax for one-hot blocks), logits instead of a sigmoid (for BCE-with-logits or
a WGAN critic) and spectral normalisation of the discriminator's linear layers.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn
from torch.nn import functional as F

LATENT_DIM = 100
GENERATOR_HIDDEN = (128, 256, 512, 256)
DISCRIMINATOR_HIDDEN = (512, 256, 128)
LEAKY_SLOPE = 0.2
DROPOUT = 0.3


class MixedActivation(nn.Module):
    """tanh on numeric channels; a softmax over each one-hot block.

    ``spans`` lists ``(start, stop, kind)`` with kind ``"tanh"`` or ``"softmax"``.
    While training, softmax blocks use the Gumbel-softmax relaxation (temperature
    ``tau``) so that generated blocks look as sharp as real one-hot rows to the
    discriminator; in eval mode they are plain softmax (decoded by argmax).
    """

    def __init__(self, spans: Sequence[tuple[int, int, str]], tau: float = 0.2):
        super().__init__()
        self.spans = [(int(a), int(b), str(k)) for a, b, k in spans]
        self.tau = float(tau)
        self.softmax_spans = [(a, b) for a, b, k in self.spans if k == "softmax"]
        self.linear_spans = [(a, b) for a, b, k in self.spans if k == "linear"]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.linear_spans:
            lin = x
            x = self._bounded(x)
            keep = torch.zeros(x.shape[1], dtype=torch.bool, device=x.device)
            for a, b in self.linear_spans:
                keep[a:b] = True
            return torch.where(keep, lin, x)
        return self._bounded(x)

    def _bounded(self, x: torch.Tensor) -> torch.Tensor:
        if not self.softmax_spans:
            return torch.tanh(x)
        parts, pos = [], 0
        for a, b in self.softmax_spans:
            if a > pos:
                parts.append(torch.tanh(x[:, pos:a]))
            block = x[:, a:b]
            if self.training:
                parts.append(F.gumbel_softmax(block, tau=self.tau, hard=False, dim=1))
            else:
                parts.append(torch.softmax(block, dim=1))
            pos = b
        if pos < x.shape[1]:
            parts.append(torch.tanh(x[:, pos:]))
        return torch.cat(parts, dim=1)

    def extra_repr(self) -> str:
        return f"softmax_blocks={len(self.softmax_spans)}, tau={self.tau}"


class Generator(nn.Module):
    def __init__(
        self,
        n_out: int,
        latent_dim: int = LATENT_DIM,
        hidden: Sequence[int] = GENERATOR_HIDDEN,
        cond_dim: int = 0,
        head: nn.Module | None = None,
    ):
        super().__init__()
        self.latent_dim, self.cond_dim, self.n_out = int(latent_dim), int(cond_dim), int(n_out)
        layers: list[nn.Module] = []
        prev = self.latent_dim + self.cond_dim
        for h in hidden:
            layers += [nn.Linear(prev, h), nn.LeakyReLU(LEAKY_SLOPE), nn.BatchNorm1d(h)]
            prev = h
        layers += [nn.Linear(prev, self.n_out), head if head is not None else nn.Tanh()]
        self.model = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        if self.cond_dim:
            z = torch.cat([z, cond], dim=1)
        return self.model(z)


class Discriminator(nn.Module):
    def __init__(
        self,
        n_in: int,
        hidden: Sequence[int] = DISCRIMINATOR_HIDDEN,
        cond_dim: int = 0,
        sigmoid: bool = True,
        spectral_norm: bool = False,
        dropout: float = DROPOUT,
    ):
        super().__init__()
        self.cond_dim = int(cond_dim)
        self.sigmoid = bool(sigmoid)  # False: the network returns logits (or a critic value)

        def lin(a: int, b: int) -> nn.Module:
            layer = nn.Linear(a, b)
            return nn.utils.parametrizations.spectral_norm(layer) if spectral_norm else layer

        layers: list[nn.Module] = []
        prev = int(n_in) + self.cond_dim
        for h in hidden:
            layers += [lin(prev, h), nn.LeakyReLU(LEAKY_SLOPE), nn.Dropout(dropout)]
            prev = h
        layers.append(lin(prev, 1))
        if self.sigmoid:
            layers.append(nn.Sigmoid())
        self.model = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor, cond: torch.Tensor | None = None) -> torch.Tensor:
        if self.cond_dim:
            x = torch.cat([x, cond], dim=1)
        return self.model(x)


def count_parameters(module: nn.Module) -> int:
    """Trainable parameters (BatchNorm running statistics are buffers, not counted)."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
