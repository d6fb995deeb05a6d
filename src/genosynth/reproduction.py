"""Every quantitative claim of the two papers beside this run's value, with a verdict.

One row per claim (:data:`CLAIMS`): the paper, where the claim stands, what it says, the
paper's value, a tolerance stated here in advance, and which way is better. The run's value
comes through ONE lookup, :data:`LOOKUP` (a name -> the ``(dataset, model, metric)`` of
``results/summary.tsv``, or the ratio of two such names); :func:`run_value` reads it and
fails loudly when the stage that writes a metric ran but the metric is not there (a renamed
metric), instead of showing NA. A claim whose stage did not run says ``not run``.

The verdict (:func:`verdict`): ``reproduced`` within the tolerance, else ``better`` or
``worse`` by the claim's direction. Each row says whether its dataset is the paper's data
(``paper``) or a stand-in (``simulated``: the demo simulation; ``own data``: any other
data, e.g. a user's VCF or another region); a stand-in's verdict says so:
``reproduced (stand-in)``. Written as ``results/reproduction.tsv`` and ``.md``, the report's
first page.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from genosynth.errors import GenosynthError
from genosynth.fileio import atomic_path

__all__ = [
    "CLAIMS",
    "COLUMNS",
    "LOOKUP",
    "PAPER_FILES",
    "PAPER_REGION",
    "Claim",
    "Key",
    "Ratio",
    "data_kinds",
    "paper_datasets",
    "reproduction_markdown",
    "reproduction_table",
    "run_value",
    "verdict",
]


@dataclass(frozen=True)
class Key:
    """Where a value lives in ``summary.tsv``."""

    dataset: str
    model: str
    metric: str


@dataclass(frozen=True)
class Ratio:
    """A value that is the ratio of two :data:`LOOKUP` names."""

    numerator: str
    denominator: str


def _privacy(model: str) -> dict:
    terms = ("aats_test", "aa_truth_test", "aa_syn_test", "privacy_loss")
    return {f"{m}/wide/{model}": Key("wide", model, m) for m in terms}


#: THE lookup: every value a claim reads, by name.
LOOKUP: dict[str, Key | Ratio] = {
    **_privacy("gan"),
    **_privacy("rbm"),
    "fixed/dense/gan": Key("dense", "gan", "fixed_fraction_polymorphic_real_fixed_ag"),
    **{
        f"{s}/scan/{m}": Key("scan", m, f"{s}_pearson_r")
        for s in ("xpehh", "pbs")
        for m in ("gan", "rbm")
    },
    **{
        f"{g}/scan/{m}": Key("scan", m, f"imputation_r2_gain_{g}")
        for g in ("rare", "all")
        for m in ("gan", "rbm")
    },
    **{
        f"eye_{short}/pheno/{m}": Key("pheno", m, f"phenotype_{metric}")
        for short, metric in (
            ("ancestral", "ancestral_carriers_pheno1"),
            ("derived", "pheno0_homozygous_derived"),
        )
        for m in ("real", "gan")
    },
    "oracle_spearman": Key("dna", "binding_oracle", "spearman_held_out"),
    "designs_above_max": Key("dna", "binding_design", "share_above_training_max"),
    "design_max_fold": Key("dna", "binding_design", "oracle_design_max_fold"),
    "edit_generated": Key("dna", "edit_distance", "generated_mean"),
    "edit_held_out": Key("dna", "edit_distance", "held_out_mean"),
    "edit_ratio": Ratio("edit_generated", "edit_held_out"),
    **{
        f"{site}_{s}": Key("dna", "splice_logos", f"{site}_share_{s}")
        for site in ("acceptor_ag", "donor_gt")
        for s in ("generated", "real")
    },
    "acceptor_ratio": Ratio("acceptor_ag_generated", "acceptor_ag_real"),
    "donor_ratio": Ratio("donor_gt_generated", "donor_gt_real"),
}

#: Metric name prefixes of one stage: a (dataset, model) with any of them ran that stage.
STAGES = (
    ("aats_", "aa_", "privacy_loss", "exact_copies", "membership_auc"),
    ("fixed_",),
    ("xpehh_",),
    ("pbs_",),
    ("imputation_",),
    ("phenotype_",),
)


@dataclass(frozen=True)
class Claim:
    """One quantitative claim of a paper and how this run is judged against it.

    ``direction``: ``higher`` / ``lower`` is better, ``ideal`` (closest to ``ideal`` is
    better; default the paper's value), or ``at_least`` (the claim is a floor: reproduced at
    or above ``paper_value - tolerance``, else worse).
    """

    paper: str
    where: str
    claim: str
    value: str  # a LOOKUP name
    paper_value: float
    tolerance: float
    direction: str
    figure: str
    ideal: float | None = None


_Y, _K = "Yelmen 2021", "Killoran 2017"
_AATS = "Fig 5, Methods: the ideal (805 SNPs)"


def _privacy_claims(model: str) -> list[Claim]:
    fig = "wide/figures/aats.png"
    return [
        Claim(_Y, _AATS, f"{model}: AATS vs held-out near 0.5", f"aats_test/wide/{model}",
              0.5, 0.05, "ideal", fig),
        Claim(_Y, _AATS, f"{model}: AA_truth near 0.5", f"aa_truth_test/wide/{model}",
              0.5, 0.05, "ideal", fig),
        Claim(_Y, _AATS, f"{model}: AA_syn near 0.5", f"aa_syn_test/wide/{model}",
              0.5, 0.05, "ideal", fig),
        Claim(_Y, _AATS, f"{model}: privacy loss near 0", f"privacy_loss/wide/{model}",
              0.0, 0.05, "ideal", fig),
    ]  # fmt: skip


#: Every claim, in the order of the table.
CLAIMS: list[Claim] = [
    *_privacy_claims("gan"),
    *_privacy_claims("rbm"),
    Claim(_Y, "text, 10K region", "about half of the real polymorphic SNPs fixed in GAN AGs",
          "fixed/dense/gan", 0.5, 0.15, "lower", "dense/figures/fixed_alleles.png"),
    Claim(_Y, "Fig 4a", "XP-EHH real vs AG correlation, GAN", "xpehh/scan/gan",
          0.902, 0.05, "higher", "scan/figures/selection_xpehh.png"),
    Claim(_Y, "Fig 4a", "XP-EHH real vs AG correlation, RBM", "xpehh/scan/rbm",
          0.887, 0.05, "higher", "scan/figures/selection_xpehh.png"),
    Claim(_Y, "Fig 4b", "PBS real vs AG correlation, GAN", "pbs/scan/gan",
          0.923, 0.05, "higher", "scan/figures/selection_pbs.png"),
    Claim(_Y, "Fig 4b", "PBS real vs AG correlation, RBM", "pbs/scan/rbm",
          0.755, 0.05, "higher", "scan/figures/selection_pbs.png"),
    Claim(_Y, "Fig 3 (DR2)", "imputation gain with the RBM panel, MAF < 0.05", "rare/scan/rbm",
          0.015, 0.01, "higher", "scan/figures/imputation.png"),
    Claim(_Y, "Fig 3 (DR2)", "imputation gain with the GAN panel, MAF < 0.05", "rare/scan/gan",
          0.024, 0.01, "higher", "scan/figures/imputation.png"),
    Claim(_Y, "Fig 3 (DR2)", "imputation gain with the RBM panel, all SNPs", "all/scan/rbm",
          0.009, 0.01, "higher", "scan/figures/imputation.png"),
    Claim(_Y, "Fig 3 (DR2)", "imputation gain with the GAN panel, all SNPs", "all/scan/gan",
          0.015, 0.01, "higher", "scan/figures/imputation.png"),
    Claim(_Y, "text, eye colour (real)", "ancestral-allele carriers with phenotype 1 (brown)",
          "eye_ancestral/pheno/real", 0.96, 0.05, "ideal", "pheno/figures/phenotype.png"),
    Claim(_Y, "text, eye colour (GAN AGs)", "ancestral-allele carriers with phenotype 1",
          "eye_ancestral/pheno/gan", 0.97, 0.05, "ideal", "pheno/figures/phenotype.png"),
    Claim(_Y, "text, eye colour (real)", "phenotype-0 (blue) homozygous derived",
          "eye_derived/pheno/real", 0.80, 0.05, "ideal", "pheno/figures/phenotype.png"),
    Claim(_Y, "text, eye colour (GAN AGs)", "phenotype-0 homozygous derived",
          "eye_derived/pheno/gan", 0.88, 0.05, "ideal", "pheno/figures/phenotype.png"),
    Claim(_K, "Fig 8a", "oracle Spearman on held-out PBM probes", "oracle_spearman",
          0.97, 0.05, "higher", "dna/figures/binding_oracle.png"),
    Claim(_K, "Fig 8b, text", "nearly all designs above the training maximum (oracle)",
          "designs_above_max", 0.9, 0.0, "at_least", "dna/figures/binding_design.png"),
    Claim(_K, "Fig 8b, text", "some designs three times the training maximum (oracle)",
          "design_max_fold", 3.0, 0.0, "at_least", "dna/figures/binding_design.png"),
    Claim(_K, "Fig 3, text", "generated sequences as far from training as held-out ones "
          "(edit distance ratio)", "edit_ratio", 1.0, 0.1, "ideal",
          "dna/figures/edit_distance.png"),
    Claim(_K, "Fig 5", "AG acceptor signal in generated exon windows (share / real share)",
          "acceptor_ratio", 1.0, 0.2, "ideal", "dna/figures/splice_logos.png"),
    Claim(_K, "Fig 5", "GT donor signal in generated exon windows (share / real share)",
          "donor_ratio", 1.0, 0.2, "ideal", "dna/figures/splice_logos.png"),
]  # fmt: skip

#: Columns of ``reproduction.tsv``.
COLUMNS = [
    "paper", "where", "claim", "dataset", "model", "metric", "data", "paper_value",
    "tolerance", "direction", "this_run", "verdict", "figure", "note",
]  # fmt: skip


# --- the paper's data or a stand-in ---------------------------------------------------------

#: Base names of the files Yelmen et al. published (1000 Genomes phase 3 haplotypes).
PAPER_FILES = (
    "805_SNP_1000G_real",
    "10K_SNP_1000G_real",
    "ALL.chr15.phase3_shapeit2_mvncall_integrated_v5b.20130502.genotypes",
)
#: The paper's 10K region (GRCh37): a chr15 VCF restricted to a region is the paper's data
#: only inside it.
PAPER_REGION = ("15", 27379578, 29625035)


def _is_paper_source(source: Mapping) -> bool:
    path = source.get("hapt") or source.get("vcf") or ""
    if not any(Path(str(path)).name.startswith(name) for name in PAPER_FILES):
        return False
    if source.get("format") != "vcf" or not source.get("region"):
        return True
    match = re.fullmatch(r"(?:chr)?(\w+):(\d+)-(\d+)", str(source.get("region") or ""))
    chrom, start, end = PAPER_REGION
    return bool(match) and match[1] == chrom and start <= int(match[2]) <= int(match[3]) <= end


def paper_datasets(sources: Mapping, datasets: Mapping) -> list[str]:
    """The datasets read from the papers' published data (sorted); all others are stand-ins.

    A source is the paper's data when it reads a file named in :data:`PAPER_FILES`; the
    chr15 VCF restricted to a ``region`` only when it lies inside :data:`PAPER_REGION`.
    """
    return sorted(ds for ds, d in datasets.items() if _is_paper_source(sources[d["source"]]))


def data_kinds(sources: Mapping, datasets: Mapping, dna: Mapping | None = None) -> dict:
    """Dataset -> ``paper``, ``simulated`` (the demo simulation) or ``own data``.

    ``dna`` (the config's ``dna`` section) adds the dataset ``dna``: ``simulated`` when its
    genome and binding sets are simulated, else ``own data`` (no shipped config reads the
    PBM data of Killoran et al.).
    """
    paper = set(paper_datasets(sources, datasets))
    kinds = {}
    for ds, d in datasets.items():
        simulated = sources[d["source"]].get("format") == "simulate"
        kinds[ds] = "paper" if ds in paper else "simulated" if simulated else "own data"
    if dna is not None:
        sets = (dna.get("binding_sets") or {}).values()
        simulated = (dna.get("genome") or {}).get("source", "simulate") == "simulate" and all(
            s.get("format", "simulate") == "simulate" for s in sets
        )
        kinds["dna"] = "simulated" if simulated else "own data"
    return kinds


# --- values and verdicts --------------------------------------------------------------------


def _stage(metric: str):
    return next((s for s in STAGES if metric.startswith(s)), None)


def run_value(name: str, summary: pd.DataFrame) -> tuple[float, str]:
    """The value of :data:`LOOKUP` ``name`` in a ``summary.tsv`` table, and a note.

    Returns (nan, "not run") when the stage that writes it did not run for its dataset and
    model; (nan, "not finite") when the run left the metric out as not finite (its
    ``non_finite`` flag).

    Raises
    ------
    GenosynthError
        The stage ran but the metric is not in the table: it was renamed or is no longer
        written; the message names the lookup entry to fix.
    """
    entry = LOOKUP[name]
    if isinstance(entry, Ratio):
        (a, note_a), (b, note_b) = (
            run_value(n, summary) for n in (entry.numerator, entry.denominator)
        )
        note = note_a or note_b
        if note:
            return math.nan, note
        return (a / b, "") if b else (math.nan, "not finite")
    own = summary[(summary["dataset"] == entry.dataset) & (summary["model"] == entry.model)]
    found = own[own["metric"] == entry.metric]["value"]
    if len(found):
        return float(found.iloc[0]), ""
    lost = own["non_finite"].dropna().astype(str) if "non_finite" in own else pd.Series([])
    if any(entry.metric in v.split(",") for v in lost):
        return math.nan, "not finite"
    stage = _stage(entry.metric)
    ran = (
        len(own) > 0
        if entry.dataset == "dna"
        else stage is not None and any(str(m).startswith(stage) for m in own["metric"])
    )
    if ran:
        raise GenosynthError(
            f"reproduction: summary.tsv has the stage of {entry.metric!r} for "
            f"{entry.dataset}/{entry.model} but not that metric: renamed or no longer written? "
            f"Fix: the LOOKUP entry {name!r} in genosynth/reproduction.py"
        )
    return math.nan, "not run"


def verdict(value: float, claim: Claim) -> str:
    """``reproduced``, ``better`` or ``worse`` of a finite ``value`` against ``claim``."""
    paper, tol = claim.paper_value, claim.tolerance
    if claim.direction == "at_least":
        return "reproduced" if value >= paper - tol else "worse"
    if abs(value - paper) <= tol:
        return "reproduced"
    if claim.direction == "higher":
        return "better" if value > paper else "worse"
    if claim.direction == "lower":
        return "better" if value < paper else "worse"
    if claim.direction == "ideal":
        ideal = paper if claim.ideal is None else claim.ideal
        return "better" if abs(value - ideal) < abs(paper - ideal) else "worse"
    raise GenosynthError(f"claim {claim.claim!r}: unknown direction {claim.direction!r}")


def _tolerance(claim: Claim) -> str:
    if claim.direction == "at_least":
        return f">= {claim.paper_value - claim.tolerance:g}"
    return f"+/- {claim.tolerance:g}"


def reproduction_table(summary, output, *, data: Mapping | Sequence = (),
                       markdown=None) -> pd.DataFrame:  # fmt: skip
    """Write the claims-vs-run table for a ``summary.tsv`` (and its Markdown with ``markdown``).

    ``data``: dataset -> kind (:func:`data_kinds`), or a list of the datasets that are the
    paper's data (all others: ``own data``).
    """
    run = pd.read_csv(summary, sep="\t", dtype={"non_finite": str})
    if not isinstance(data, Mapping):
        data = {ds: "paper" for ds in data}
    rows = []
    for claim in CLAIMS:
        entry = LOOKUP[claim.value]
        key = LOOKUP[entry.numerator] if isinstance(entry, Ratio) else entry
        metric = key.metric if isinstance(entry, Key) else f"{key.metric} (ratio)"
        value, note = run_value(claim.value, run)
        kind = data.get(key.dataset, "own data")
        if note == "not run":
            judged = "not run"
        elif note == "not finite":
            judged = "worse"
        else:
            judged = verdict(value, claim)
        if kind != "paper" and judged != "not run":
            judged += " (stand-in)"
        rows.append((claim.paper, claim.where, claim.claim, key.dataset, key.model, metric,
                     kind, claim.paper_value, _tolerance(claim), claim.direction, value,
                     judged, claim.figure, note))  # fmt: skip
    table = pd.DataFrame(rows, columns=COLUMNS)
    with atomic_path(output) as tmp:
        table.to_csv(tmp, sep="\t", index=False, na_rep="NA")
    if markdown is not None:
        with atomic_path(markdown) as tmp:
            tmp.write_text(reproduction_markdown(table))
    return table


def reproduction_markdown(table: pd.DataFrame) -> str:
    """The table as Markdown (figure paths as links relative to ``results/``)."""
    counts = table["verdict"].str.replace(" (stand-in)", "", regex=False).value_counts()
    verdicts = ("reproduced", "better", "worse", "not run")
    tally = ", ".join(f"{counts[v]} {v}" for v in verdicts if v in counts)
    lines = [
        "# Reproduction: the papers' claims beside this run",
        "",
        f"{len(table)} claims: {tally}. `data`: `paper` = the paper's own data; `simulated` "
        "or `own data` = a stand-in, whose verdict only says how this run compares.",
        "",
        "| paper | where | claim | data | paper | tolerance | this run | verdict | figure |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in table.itertuples(index=False):
        value = "NA" if pd.isna(r.this_run) else f"{r.this_run:.4g}"
        value += f" ({r.note})" if r.note else ""
        cells = [r.paper, r.where, f"{r.claim} (`{r.dataset}/{r.model}`)", r.data,
                 f"{r.paper_value:g}", r.tolerance, value, r.verdict,
                 f"[{Path(r.figure).name}]({r.figure})"]  # fmt: skip
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"
