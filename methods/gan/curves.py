"""Loss-curve PNGs: one per trained model, written to ``context.workdir``."""

from __future__ import annotations

import re
from pathlib import Path


def safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", str(text)).strip("_") or "model"


def write_loss_curve(workdir: str | None, stem: str, result, title: str) -> str | None:
    """Plot D and G loss per epoch (and the validation score); return the file path.

    ``result`` is a :class:`~methods.gan.training.TrainResult`.  Nothing is
    written when ``workdir`` is None.
    """
    if workdir is None:
        return None
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    path = Path(workdir) / f"{safe_name(stem)}_losses.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    fig = Figure(figsize=(6.4, 3.6), dpi=100)
    FigureCanvasAgg(fig)  # the Agg canvas, without touching pyplot's global backend
    ax = fig.add_subplot(1, 1, 1)
    epochs = range(1, len(result.d_loss) + 1)
    ax.plot(epochs, result.d_loss, label="D loss", lw=1.2)
    ax.plot(epochs, result.g_loss, label="G loss", lw=1.2)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.set_title(title, fontsize=10)
    handles, labels = ax.get_legend_handles_labels()
    if result.val_epochs:
        ax2 = ax.twinx()
        ax2.plot(result.val_epochs, result.val_score, "k.--", lw=0.8, label="validation score")
        if result.best_epoch is not None:
            ax2.axvline(result.best_epoch, color="grey", lw=0.6)
        ax2.set_ylabel("validation score (mean KS)")
        h2, l2 = ax2.get_legend_handles_labels()
        handles, labels = handles + h2, labels + l2
    ax.legend(handles, labels, fontsize=8, loc="best")
    fig.tight_layout()
    fig.savefig(path)
    return str(path)
