"""Figures of the DNA track (paper B figure numbers in each docstring); logos by logomaker.

Every function draws on an Agg figure (:func:`genosynth.plotting.new_figure`), writes it
atomically (:func:`genosynth.plotting.save_figure`) and returns the data it drew (a dict,
documented per function), so that tests can check the picture's numbers. ``label`` names
the data (genome or binding set) in the title. Logos in bits have integer y ticks (0, 1, 2)
and a legend of the base colours.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from genosynth.dna.logos import logo_matrix
from genosynth.dna.motifs import pwm_positions
from genosynth.dna.sequences import ALPHABET, decode, one_hot
from genosynth.plotting import new_figure, save_figure

__all__ = [
    "BASE_COLOURS",
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


def _titled(text: str, label: str) -> str:
    return f"{label}: {text}" if label else text


def _base_legend(fig) -> None:
    """One legend of the four base colours (logomaker's classic scheme) for the figure."""
    from matplotlib.patches import Patch

    handles = [Patch(color=c, label=b) for b, c in zip(ALPHABET, BASE_COLOURS, strict=True)]
    fig.legend(handles=handles, fontsize=8, ncol=4, loc="upper right", frameon=False,
               title="bases", title_fontsize=8)  # fmt: skip


def _save(fig, path) -> None:
    """Lay the panels out (labels inside the image, room for the base legend), then write."""
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    save_figure(fig, path)


def _logo(ax, matrix: pd.DataFrame, title: str, *, ylabel: str = "bits", ylim=(0, 2)) -> None:
    import logomaker

    logomaker.Logo(matrix, ax=ax, color_scheme="classic")
    ax.set_title(title, fontsize=9)
    ax.set_ylabel(ylabel)
    ax.set_ylim(*ylim)
    if ylabel == "bits":
        ax.set_yticks(np.arange(int(ylim[0]), int(ylim[1]) + 1))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def latent_interpolation(path, t: np.ndarray, x: np.ndarray, decoded: list[str], *,
                         label: str = "") -> dict:  # fmt: skip
    """Fig 3: base channels (colour = base, intensity = probability) and argmax sequences.

    Returns ``{"rgb": (n_points, L, 3) image, "sequences": decoded}``.
    """
    fig, axes = new_figure(2, 1, figsize=(10, 6))
    probs = x[..., :4]
    rgb = 1.0 - probs.max(-1, keepdims=True) * (1.0 - BASE_COLOURS[probs.argmax(-1)])
    axes[0, 0].imshow(rgb, aspect="auto", interpolation="nearest")
    axes[0, 0].set_yticks(range(len(t)), [f"t={v:.2f}" for v in t], fontsize=7)
    axes[0, 0].set_xlabel("position")
    axes[0, 0].set_title(_titled(
        "G((1-t) z0 + t z1): base of the largest channel, shaded by its value", label))  # fmt: skip
    _base_legend(fig)
    ax = axes[1, 0]
    ax.axis("off")
    for i, s in enumerate(decoded):
        ax.text(0, 1 - (i + 0.5) / len(decoded), f"t={t[i]:.2f}  {s[:100]}", family="monospace",
                fontsize=7, va="center", transform=ax.transAxes)  # fmt: skip
    _save(fig, path)
    return {"rgb": rgb, "sequences": list(decoded)}


def latent_complementation(path, res: dict, n_per_base: int, *, label: str = "") -> dict:
    """Figs 4/10: mean channel logos of G(z) (poly-X targets) and of G(-z).

    Returns ``{"G(z) poly-A": (L, 4) mean probabilities, ..., "G(-z) poly-T": ...}``.
    """
    fig, axes = new_figure(4, 2, figsize=(12, 9))
    drawn = {}
    for b, base in enumerate(ALPHABET):
        rows = slice(b * n_per_base, (b + 1) * n_per_base)
        for col, (key, name) in enumerate((("x_pos", "G(z)"), ("x_neg", "G(-z)"))):
            mean = res[key][rows, :, :4].mean(axis=0)
            drawn[f"{name} poly-{base}"] = mean
            matrix = pd.DataFrame(mean, columns=list(ALPHABET))
            _logo(axes[b, col], matrix, f"{name}, z found for poly-{base}", ylabel="p",
                  ylim=(0, 1))  # fmt: skip
    fig.suptitle(_titled(f"complementary bases in G(-z): {res['complement_share']:.2f}", label))
    _base_legend(fig)
    _save(fig, path)
    return drawn


def edit_distance(path, generated: np.ndarray, held_out: np.ndarray, *, label: str = "") -> dict:
    """Fig 5: edit distance to the nearest training sequence.

    Returns ``{"bins": edges, "generated": counts, "held_out": counts}``.
    """
    fig, axes = new_figure(1, 1, figsize=(6, 4))
    ax = axes[0, 0]
    top = int(max(generated.max(initial=0), held_out.max(initial=0))) + 2
    bins = np.arange(-0.5, top, 1.0)
    real, _, _ = ax.hist(held_out, bins=bins, alpha=0.6,
                         label=f"held-out real (mean {held_out.mean():.1f})")  # fmt: skip
    gen, _, _ = ax.hist(generated, bins=bins, alpha=0.6,
                        label=f"generated (mean {generated.mean():.1f})")  # fmt: skip
    ax.set_xlabel("edit distance to the nearest training sequence (bases)")
    ax.set_ylabel("sequences")
    ax.set_title(_titled("nearest training sequence", label), fontsize=9)
    ax.legend(fontsize=8)
    _save(fig, path)
    return {"bins": bins, "generated": np.asarray(gen), "held_out": np.asarray(real)}


def splice_logos(path, blocks: dict, flank: int, *, label: str = "") -> dict:
    """Fig 6: information logos at exon starts and ends, training vs generated.

    Returns ``{(name, "exon start" | "exon end"): logo matrix}`` (bits per base and
    position, index from ``-flank``) for every panel with windows.
    """
    fig, axes = new_figure(2, 2, figsize=(12, 7))
    drawn = {}
    for row, (name, (starts, ends)) in enumerate(blocks.items()):
        for col, (codes, side) in enumerate(((starts, "exon start"), (ends, "exon end"))):
            ax = axes[row, col]
            if len(codes) == 0:
                ax.text(0.5, 0.5, f"{name}: no windows with an exon", ha="center")
                ax.axis("off")
                continue
            matrix = logo_matrix(codes, start=-flank)
            drawn[(name, side)] = matrix
            _logo(ax, matrix, _titled(f"{name}: {side} (n={len(codes)})", label))
            ax.axvline(-0.5, color="0.3", lw=0.8, ls="--")
            first = "exon" if side == "exon start" else "intron"
            ax.set_xlabel(f"position (0 = first {first} base)", fontsize=8)
    _base_legend(fig)
    _save(fig, path)
    return drawn


def binding_oracle(path, measured: np.ndarray, predicted: np.ndarray, rho: float, *,
                   tf: str = "", units: str = "", label: str = "") -> dict:  # fmt: skip
    """Fig 8a: measured vs oracle-predicted binding of held-out sequences.

    Returns ``{"x": measured, "y": predicted}``.
    """
    fig, axes = new_figure(1, 1, figsize=(5.5, 5))
    ax = axes[0, 0]
    ax.scatter(measured, predicted, s=4, alpha=0.5, color="black")
    unit = f" ({units})" if units else ""
    ax.set_xlabel(f"measured {tf} binding{unit}".replace("  ", " "))
    ax.set_ylabel(f"oracle prediction\n{units}" if units else "oracle prediction")
    ax.set_title(_titled(f"{tf} held-out sequences (n={len(measured)}), Spearman {rho:.3f}",
                         label).replace("  ", " "), fontsize=9)  # fmt: skip
    _save(fig, path)
    return {"x": np.asarray(measured), "y": np.asarray(predicted)}


def binding_design(path, training: np.ndarray, designed: np.ndarray, train_max: float, *,
                   full=None, tf: str = "", units: str = "", label: str = "",
                   copies: float | None = None) -> dict:  # fmt: skip
    """Fig 8b: oracle scores of the restricted training data, of the full data and of the
    designs, with the restricted maximum and the full data's top decile.

    Returns ``{"bins", "restricted", "designed", "full"}`` (densities per bin; ``full``
    None without ``full``), ``"train_max"`` and ``"full_top_decile"`` (NaN without ``full``).
    """
    fig, axes = new_figure(1, 1, figsize=(6, 4))
    ax = axes[0, 0]
    sets = [training, designed] + ([full] if full is not None else [])
    bins = np.linspace(min(s.min() for s in sets), max(s.max() for s in sets), 40)
    drawn = {"bins": bins, "train_max": float(train_max), "full": None,
             "full_top_decile": float("nan")}  # fmt: skip
    if full is not None:
        drawn["full"] = ax.hist(full, bins=bins, density=True, histtype="step", color="0.3",
                                label="full data")[0]  # fmt: skip
        drawn["full_top_decile"] = float(np.percentile(full, 90))
        ax.axvline(drawn["full_top_decile"], color="0.3", ls=":", lw=1,
                   label="full data's top decile")  # fmt: skip
    drawn["restricted"] = ax.hist(training, bins=bins, density=True, alpha=0.6,
                                  label="restricted training data")[0]  # fmt: skip
    drawn["designed"] = ax.hist(designed, bins=bins, density=True, alpha=0.6, label="designed")[0]
    ax.axvline(train_max, color="black", ls="--", lw=1, label="restricted training maximum")
    unit = f" ({units})" if units else ""
    ax.set_xlabel(f"oracle {tf} score{unit}".replace("  ", " "))
    ax.set_ylabel("density")
    title = f"{tf} binding design"
    if copies is not None:
        title += f", {100 * copies:.0f} % copies of training probes"
    ax.set_title(_titled(title, label).strip(), fontsize=9)
    ax.legend(fontsize=7)
    _save(fig, path)
    return drawn


def motif_design(path, counts: np.ndarray, name: str, codes: np.ndarray, weights, *,
                 label: str = "") -> dict:  # fmt: skip
    """Fig 7: the target PWM's logo and designed sequences with the best match boxed.

    Returns ``{"logo": (width, 4) bits per base, "boxes": [(row, start)]}``.
    """
    from matplotlib.patches import Rectangle

    fig, axes = new_figure(2, 1, figsize=(10, 7))
    probs = counts / counts.sum(axis=1, keepdims=True)
    ic = 2 + np.where(probs > 0, probs * np.log2(np.where(probs > 0, probs, 1)), 0).sum(axis=1)
    logo = pd.DataFrame(probs * ic[:, None], columns=list(ALPHABET))
    _logo(axes[0, 0], logo, _titled(f"target PWM {name}", label))
    ax = axes[1, 0]
    shown = codes[:12]
    pos = pwm_positions(one_hot(shown), weights)  # (n, positions, strands)
    width = len(weights)
    ax.set_xlim(0, codes.shape[1])
    ax.set_ylim(len(shown), 0)
    ax.axis("off")
    boxes = []
    for i, s in enumerate(decode(shown)):
        for j, letter in enumerate(s):
            ax.text(j + 0.5, i + 0.5, letter, ha="center", va="center", family="monospace",
                    fontsize=7, color=BASE_COLOURS["ACGT".index(letter)])  # fmt: skip
        at = int(np.unravel_index(pos[i].argmax(), pos[i].shape)[0])
        boxes.append((i, at))
        ax.add_patch(Rectangle((at, i + 0.05), width, 0.9, fill=False, lw=1.2, color="black"))
    ax.set_title("designed sequences (box: best PWM match, either strand)", fontsize=9)
    _base_legend(fig)
    _save(fig, path)
    return {"logo": logo.to_numpy(), "boxes": boxes}


def multi_property_design(path, training, designed, names, *, weight: float = 1.0,
                          threshold: float | None = None, units=None, label: str = "",
                          above: float | None = None) -> dict:  # fmt: skip
    """Fig 9: predictor A vs predictor B scores of training and designed sequences, with the
    line ``A - weight * B = threshold`` (the full data's top-decile margin) that the designs
    must cross (``above``: the share of novel designs beyond it, as in the metrics).

    Returns ``{"training": (a, b), "designed": (a, b), "threshold", "designed_margin"}``.
    """
    fig, axes = new_figure(1, 1, figsize=(5.5, 5))
    ax = axes[0, 0]
    ax.scatter(*training, s=3, alpha=0.3, color="0.6", label="training sequences")
    ax.scatter(*designed, s=10, color="black", label="designed")
    units = units or ["", ""]
    if threshold is not None:
        xlim, ylim = ax.get_xlim(), ax.get_ylim()
        b = np.linspace(*ylim, 2)
        ax.plot(threshold + weight * b, b, color="tab:red", lw=1, ls="--",
                label="full data's top-decile margin")  # fmt: skip
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
    ax.set_xlabel(f"predicted {names[0]} (favoured)" + (f" ({units[0]})" if units[0] else ""))
    ax.set_ylabel(f"predicted {names[1]} (disfavoured)" + (f" ({units[1]})" if units[1] else ""))
    title = f"{names[0]} vs {names[1]}"
    if above is not None:
        title += f": {100 * above:.0f} % of designs beyond the line"
    ax.set_title(_titled(title, label), fontsize=9)
    ax.legend(fontsize=8)
    _save(fig, path)
    margin = np.asarray(designed[0]) - weight * np.asarray(designed[1])
    return {"training": training, "designed": designed, "threshold": threshold,
            "designed_margin": margin}  # fmt: skip
