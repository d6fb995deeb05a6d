"""Figures of the DNA track (paper B figure numbers in each docstring); logos by logomaker.

Every function draws on an Agg figure (:func:`genosynth.plotting.new_figure`) and writes
it atomically (:func:`genosynth.plotting.save_figure`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from genosynth.dna.logos import logo_matrix
from genosynth.dna.motifs import pwm_positions
from genosynth.dna.sequences import ALPHABET, decode, one_hot
from genosynth.plotting import new_figure, save_figure

__all__ = [
    "binding_design",
    "binding_oracle",
    "edit_distance",
    "latent_complementation",
    "latent_interpolation",
    "motif_design",
    "multi_property_design",
    "splice_logos",
]

#: Base colours (A green, C blue, G orange, T red), as logomaker's classic scheme.
BASE_COLOURS = np.array([[0.0, 0.5, 0.0], [0.0, 0.0, 1.0], [1.0, 0.65, 0.0], [1.0, 0.0, 0.0]])


def _logo(ax, matrix: pd.DataFrame, title: str, *, ylabel: str = "bits", ylim=(0, 2)) -> None:
    import logomaker

    logomaker.Logo(matrix, ax=ax, color_scheme="classic")
    ax.set_title(title, fontsize=9)
    ax.set_ylabel(ylabel)
    ax.set_ylim(*ylim)


def latent_interpolation(path, t: np.ndarray, x: np.ndarray, decoded: list[str]) -> None:
    """Fig 3: base channels (colour = base, intensity = probability) and argmax sequences."""
    fig, axes = new_figure(2, 1, figsize=(10, 6))
    probs = x[..., :4]
    rgb = 1.0 - probs.max(-1, keepdims=True) * (1.0 - BASE_COLOURS[probs.argmax(-1)])
    axes[0, 0].imshow(rgb, aspect="auto", interpolation="nearest")
    axes[0, 0].set_yticks(range(len(t)), [f"t={v:.2f}" for v in t], fontsize=7)
    axes[0, 0].set_xlabel("position")
    axes[0, 0].set_title("G((1-t) z0 + t z1): base of the largest channel, shaded by its value")
    ax = axes[1, 0]
    ax.axis("off")
    for i, s in enumerate(decoded):
        ax.text(0, 1 - (i + 0.5) / len(decoded), f"t={t[i]:.2f}  {s[:100]}", family="monospace",
                fontsize=7, va="center", transform=ax.transAxes)  # fmt: skip
    save_figure(fig, path)


def latent_complementation(path, res: dict, n_per_base: int) -> None:
    """Figs 4/10: mean channel logos of G(z) (poly-X targets) and of G(-z)."""
    fig, axes = new_figure(4, 2, figsize=(12, 9))
    for b, base in enumerate(ALPHABET):
        rows = slice(b * n_per_base, (b + 1) * n_per_base)
        for col, (key, label) in enumerate((("x_pos", "G(z)"), ("x_neg", "G(-z)"))):
            mean = res[key][rows, :, :4].mean(axis=0)
            matrix = pd.DataFrame(mean, columns=list(ALPHABET))
            _logo(axes[b, col], matrix, f"{label}, z found for poly-{base}", ylabel="p",
                  ylim=(0, 1))  # fmt: skip
    fig.suptitle(f"complementary bases in G(-z): {res['complement_share']:.2f}")
    save_figure(fig, path)


def edit_distance(path, generated: np.ndarray, held_out: np.ndarray) -> None:
    """Fig 5: edit distance to the nearest training sequence."""
    fig, axes = new_figure(1, 1, figsize=(6, 4))
    ax = axes[0, 0]
    top = int(max(generated.max(initial=0), held_out.max(initial=0))) + 2
    bins = np.arange(-0.5, top, 1.0)
    ax.hist(held_out, bins=bins, alpha=0.6, label=f"held-out real (mean {held_out.mean():.1f})")
    ax.hist(generated, bins=bins, alpha=0.6, label=f"generated (mean {generated.mean():.1f})")
    ax.set_xlabel("edit distance to the nearest training sequence")
    ax.set_ylabel("sequences")
    ax.legend(fontsize=8)
    save_figure(fig, path)


def splice_logos(path, blocks: dict, flank: int) -> None:
    """Fig 6: information logos at exon starts and ends, training vs generated."""
    fig, axes = new_figure(2, 2, figsize=(12, 6))
    for row, (name, (starts, ends)) in enumerate(blocks.items()):
        for col, (codes, label) in enumerate(((starts, "exon start"), (ends, "exon end"))):
            ax = axes[row, col]
            if len(codes) == 0:
                ax.text(0.5, 0.5, f"no {name} windows with an exon", ha="center")
                continue
            _logo(ax, logo_matrix(codes, start=-flank), f"{name}: {label} (n={len(codes)})")
            ax.axvline(-0.5, color="0.3", lw=0.8, ls="--")
    save_figure(fig, path)


def binding_oracle(path, measured: np.ndarray, predicted: np.ndarray, rho: float) -> None:
    """Fig 8a: measured vs oracle-predicted binding of held-out sequences."""
    fig, axes = new_figure(1, 1, figsize=(5, 5))
    ax = axes[0, 0]
    ax.scatter(measured, predicted, s=4, alpha=0.5, color="black")
    ax.set_xlabel("measured binding")
    ax.set_ylabel("oracle prediction")
    ax.set_title(f"held-out sequences (n={len(measured)}), Spearman {rho:.3f}")
    save_figure(fig, path)


def binding_design(path, training: np.ndarray, designed: np.ndarray, train_max: float) -> None:
    """Fig 8b: oracle scores of the restricted training data and of designed sequences."""
    fig, axes = new_figure(1, 1, figsize=(6, 4))
    ax = axes[0, 0]
    bins = np.linspace(min(training.min(), designed.min()), max(training.max(), designed.max()), 40)
    ax.hist(training, bins=bins, density=True, alpha=0.6, label="restricted training data")
    ax.hist(designed, bins=bins, density=True, alpha=0.6, label="designed")
    ax.axvline(train_max, color="black", ls="--", lw=1, label="training maximum")
    ax.set_xlabel("oracle score")
    ax.set_ylabel("density")
    ax.legend(fontsize=8)
    save_figure(fig, path)


def motif_design(path, counts: np.ndarray, name: str, codes: np.ndarray, weights) -> None:
    """Fig 7: the target PWM's logo and designed sequences with the best match boxed."""
    from matplotlib.patches import Rectangle

    fig, axes = new_figure(2, 1, figsize=(10, 7))
    probs = counts / counts.sum(axis=1, keepdims=True)
    ic = 2 + np.where(probs > 0, probs * np.log2(np.where(probs > 0, probs, 1)), 0).sum(axis=1)
    _logo(axes[0, 0], pd.DataFrame(probs * ic[:, None], columns=list(ALPHABET)),
          f"target PWM {name}")  # fmt: skip
    ax = axes[1, 0]
    shown = codes[:12]
    pos = pwm_positions(one_hot(shown), weights)  # (n, positions, strands)
    width = len(weights)
    ax.set_xlim(0, codes.shape[1])
    ax.set_ylim(len(shown), 0)
    ax.axis("off")
    for i, s in enumerate(decode(shown)):
        for j, letter in enumerate(s):
            ax.text(j + 0.5, i + 0.5, letter, ha="center", va="center", family="monospace",
                    fontsize=7, color=BASE_COLOURS["ACGT".index(letter)])  # fmt: skip
        at = int(np.unravel_index(pos[i].argmax(), pos[i].shape)[0])
        ax.add_patch(Rectangle((at, i + 0.05), width, 0.9, fill=False, lw=1.2, color="black"))
    ax.set_title("designed sequences (box: best PWM match, either strand)", fontsize=9)
    save_figure(fig, path)


def multi_property_design(path, training, designed, names) -> None:
    """Fig 9: predictor A vs predictor B scores of training and designed sequences."""
    fig, axes = new_figure(1, 1, figsize=(5.5, 5))
    ax = axes[0, 0]
    ax.scatter(*training, s=3, alpha=0.3, color="0.6", label="training sequences")
    ax.scatter(*designed, s=10, color="black", label="designed")
    ax.set_xlabel(f"predicted {names[0]} (favoured)")
    ax.set_ylabel(f"predicted {names[1]} (disfavoured)")
    ax.legend(fontsize=8)
    save_figure(fig, path)
