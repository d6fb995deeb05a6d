"""The metric dictionary: every metric name a rule writes into a metrics table.

``results/<dataset>/metrics.tsv`` (``dataset model metric value``), ``results/dna/metrics.tsv``
(``experiment metric value``) and ``results/summary.tsv`` (both) hold these names. A name may
hold placeholders (``{k}``, ``{group}``, ...), matched by :data:`PLACEHOLDERS`.
``docs/metrics.md`` is generated from :data:`METRICS` by ``tools/build_reference.py``.

Directions: ``higher`` or ``lower`` is better, ``ideal`` (closest to ``ideal`` is best), or
``none`` (a count or context, not a score).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["METRICS", "PLACEHOLDERS", "Metric", "lookup", "metrics_markdown", "unknown_metrics"]


@dataclass(frozen=True)
class Metric:
    """One metric name (or pattern): what it measures, its unit, direction and ideal value."""

    name: str
    meaning: str
    unit: str
    direction: str
    ideal: str = ""
    table: str = "popgen"


#: What each placeholder of a metric name stands for, and the text it matches.
PLACEHOLDERS = {
    "k": ("principal component number", r"\d+"),
    "n": ("number of training haplotypes planted into the AGs", r"\d+"),
    "group": ("population label (panel) or cluster name", r"[A-Za-z0-9]+"),
    "bin": ("minor-allele-frequency bin, `maf<low>-<high>`", r"maf[0-9.]+-[0-9.]+"),
    "stat": ("selection statistic (`xpehh`, `pbs`)", r"xpehh|pbs"),
    "base": ("nucleotide", r"[ACGT]"),
    "set": ("`real` (training windows) or `generated`", r"real|generated"),
    "reason": (
        "why training stopped: `target_reached`, `privacy_guard`, `epoch_budget`, `wall_budget`",
        r"target_reached|privacy_guard|epoch_budget|wall_budget",
    ),
    "pos": (
        "splice-site base: acceptor `a`/`g` of AG, donor `g`/`t` of GT",
        r"acceptor_[ag]|donor_[gt]",
    ),
}

_P = "probability"
METRICS = [
    # --- PCA (evaluate figure pca) ---
    Metric(
        "pc{k}_variance", "Variance of the real haplotypes' scores on PC k", "PC score^2", "none"
    ),
    Metric(
        "pc{k}_variance_ratio",
        "Variance of the AGs' PC-k scores over the real ones' (AGs projected on the real PCA)",
        "ratio",
        "ideal",
        "1",
    ),
    Metric(
        "pc12_centroid_distance",
        "Distance between the AG and real centroids on PC1-PC2, in real standard deviations",
        "SD",
        "lower",
        "0",
    ),
    Metric(
        "pc12_centroid_distance_{group}",
        "As pc12_centroid_distance, within one population",
        "SD",
        "lower",
        "0",
    ),
    Metric(
        "pc12_separation",
        "Between- over within-population spread of the real haplotypes on PC1-PC2 (context)",
        "ratio",
        "none",
    ),
    Metric(
        "share_{group}",
        "Share of the real haplotypes, or AGs (nearest real population on PC1-PC2), per population",
        "fraction",
        "ideal",
        "the real share",
    ),
    Metric(
        "groups_represented",
        "Populations with at least a minimum share of the set",
        "count",
        "ideal",
        "the real count",
    ),
    # --- diversity, allele frequencies, LD ---
    Metric(
        "allele_frequency_pearson_r",
        "Pearson r of per-site alternative-allele frequencies, AGs vs real",
        "r",
        "higher",
        "1",
    ),
    Metric(
        "allele_frequency_rmse",
        "Root mean square difference of per-site allele frequencies, AGs vs real",
        "frequency",
        "lower",
        "0",
    ),
    Metric(
        "diversity_ratio",
        "Mean pairwise difference within the AGs over that within the real haplotypes",
        "ratio",
        "ideal",
        "1",
    ),
    Metric(
        "pairwise_differences_mean",
        "Mean number of differing sites between two haplotypes of the set",
        "sites",
        "ideal",
        "the real value",
    ),
    Metric(
        "ld_decay_mae",
        "Mean absolute difference of the LD-decay curves (mean r^2 per distance bin), AGs vs real",
        "r^2",
        "lower",
        "0",
    ),
    # --- windowed datasets: the join of the window AGs (measure_window_join) ---
    Metric(
        "ld_decay_mae_inside",
        "ld_decay_mae over the pairs of sites whose AG alleles come from one window",
        "r^2",
        "lower",
        "0",
    ),
    Metric(
        "ld_decay_mae_border",
        "ld_decay_mae over the pairs of sites that span a window border of the joined AGs",
        "r^2",
        "lower",
        "0",
    ),
    Metric(
        "ld_decay_mae_border_excess",
        "ld_decay_mae_border - ld_decay_mae_inside: LD the join loses (or adds) at the borders",
        "r^2",
        "ideal",
        "0",
    ),
    Metric(
        "window_overlap_distance",
        "Mean Hamming distance per overlap site between each joined AG and its matched partner",
        "fraction of sites",
        "lower",
        "0",
    ),
    Metric("windows_joined", "Windows the AGs were joined from", "count", "none"),
    Metric(
        "local_haplotype_tv",
        "Total variation distance of local haplotype frequencies in windows, AGs vs real",
        _P,
        "lower",
        "0",
    ),
    Metric(
        "local_haplotype_unseen",
        "Share of AG local haplotypes (windows) never seen in the real set",
        "fraction",
        "lower",
        "0",
    ),
    Metric(
        "closest_ag_distance_median",
        "Median Hamming distance from each real haplotype to its closest AG",
        "sites",
        "ideal",
        "the real-real value",
    ),
    Metric(
        "closest_real_distance_median",
        "Median Hamming distance from each real haplotype to its closest other real one: the "
        "yardstick of closest_ag_distance_median (the same for every model)",
        "sites",
        "none",
    ),
    # --- fixed alleles (figure fixed_alleles) ---
    Metric("fixed_n_sites", "Sites compared", "count", "none"),
    Metric(
        "fixed_n_fixed_real", "Sites fixed (monomorphic) in the real haplotypes", "count", "none"
    ),
    Metric("fixed_n_fixed_ag", "Sites fixed in the AGs", "count", "ideal", "fixed_n_fixed_real"),
    Metric(
        "fixed_polymorphic_real_fixed_ag",
        "Sites polymorphic in the real haplotypes but fixed in the AGs",
        "count",
        "lower",
        "0",
    ),
    Metric(
        "fixed_fraction_polymorphic_real_fixed_ag",
        "Share of the real polymorphic sites fixed in the AGs (paper: about half for the GAN)",
        "fraction",
        "lower",
        "expected_fraction (sampling floor)",
    ),
    Metric(
        "fixed_expected_fraction_polymorphic_real_fixed_ag",
        "Share expected fixed by chance alone in as many AGs drawn from the real frequencies",
        "fraction",
        "none",
    ),
    Metric(
        "fixed_expected_fraction_polymorphic_real_fixed_ag_train",
        "As fixed_expected_..., drawn from the training frequencies",
        "fraction",
        "none",
    ),
    Metric(
        "fixed_polymorphic_real_fixed_train",
        "Real polymorphic sites fixed in the training set",
        "count",
        "none",
    ),
    Metric(
        "fixed_polymorphic_ag_fixed_real",
        "Sites polymorphic in the AGs but fixed in the real haplotypes",
        "count",
        "lower",
        "0",
    ),
    Metric(
        "fixed_fraction_polymorphic_ag_fixed_real",
        "Share of the real fixed sites polymorphic in the AGs",
        "fraction",
        "lower",
        "0",
    ),
    # --- privacy (compute_privacy_metrics) ---
    Metric(
        "aats_train",
        "Nearest-neighbour adversarial accuracy, AGs vs the training haplotypes",
        "accuracy",
        "ideal",
        "0.5",
    ),
    Metric(
        "aats_test",
        "Nearest-neighbour adversarial accuracy, AGs vs the held-out haplotypes",
        "accuracy",
        "ideal",
        "0.5",
    ),
    Metric(
        "aats_train_matched",
        "aats_train with both sets subsampled to the held-out size",
        "accuracy",
        "ideal",
        "0.5",
    ),
    Metric("aats_test_matched", "aats_test at the held-out size", "accuracy", "ideal", "0.5"),
    Metric(
        "aats_train_planted_{n}",
        "aats_train after planting n training haplotypes into the AGs (sensitivity check)",
        "accuracy",
        "none",
    ),
    Metric(
        "aa_syn_train",
        "AATS term: share of AGs whose nearest neighbour is another AG (vs training)",
        "fraction",
        "ideal",
        "0.5",
    ),
    Metric(
        "aa_truth_train",
        "AATS term: share of training haplotypes whose nearest neighbour is real",
        "fraction",
        "ideal",
        "0.5",
    ),
    Metric(
        "aa_syn_test",
        "AATS term: share of AGs nearest another AG (vs held-out)",
        "fraction",
        "ideal",
        "0.5",
    ),
    Metric(
        "aa_truth_test",
        "AATS term: share of held-out haplotypes nearest a real one",
        "fraction",
        "ideal",
        "0.5",
    ),
    Metric(
        "privacy_loss",
        "aats_test - aats_train (paper's privacy loss; gated)",
        "accuracy",
        "ideal",
        "0",
    ),
    Metric("privacy_loss_se", "Standard error of privacy_loss", "accuracy", "none"),
    Metric("privacy_loss_matched", "privacy_loss at the held-out size", "accuracy", "ideal", "0"),
    Metric(
        "privacy_loss_planted_{n}",
        "privacy_loss after planting n training haplotypes (sensitivity check)",
        "accuracy",
        "none",
    ),
    Metric(
        "exact_copies",
        "AGs identical to a training haplotype not also in the held-out set (gated)",
        "count",
        "lower",
        "0",
    ),
    Metric("exact_copies_any", "AGs identical to any training haplotype", "count", "lower", "0"),
    Metric(
        "membership_auc",
        "AUC of telling training from held-out haplotypes by their distance to the AGs (gated)",
        "AUC",
        "ideal",
        "0.5",
    ),
    Metric("membership_auc_se", "Standard error of membership_auc", "AUC", "none"),
    # --- training (plot_training, plot_rbm_hidden) ---
    Metric("epochs", "Epochs trained (last row of the training log)", "epochs", "none"),
    Metric(
        "epochs_run",
        "Epochs a trainable model ran before it stopped (stop_reason_{reason} says why)",
        "epochs",
        "none",
    ),
    Metric(
        "stop_reason_{reason}",
        "1: why training stopped (the stopping rule, training controls validation_fraction...)",
        "flag",
        "none",
    ),
    Metric(
        "final_aa_truth_val",
        "AA_truth against the validation split at the last evaluation during training",
        "accuracy",
        "ideal",
        "0.5",
    ),
    Metric(
        "final_aa_syn_val",
        "AA_syn against the validation split at the last evaluation during training",
        "accuracy",
        "ideal",
        "0.5",
    ),
    Metric(
        "final_privacy_loss_val",
        "AATS_val - AATS_train (both at the validation size) at the last evaluation",
        "accuracy",
        "lower",
        "0",
    ),
    Metric(
        "final_training_aats",
        "AATS at the last evaluation during training",
        "accuracy",
        "ideal",
        "0.5",
    ),
    Metric(
        "final_training_diversity",
        "diversity_ratio at the last evaluation during training",
        "ratio",
        "ideal",
        "1",
    ),
    Metric(
        "hidden_mean_activation_real",
        "RBM: mean hidden-unit activation on the real haplotypes",
        _P,
        "none",
    ),
    Metric(
        "hidden_mean_activation_ag",
        "RBM: mean hidden-unit activation on the AGs",
        _P,
        "ideal",
        "hidden_mean_activation_real",
    ),
    # --- downstream ---
    Metric(
        "{stat}_pearson_r",
        "Pearson r of the per-site selection statistic, AGs vs real (paper Fig 4)",
        "r",
        "higher",
        "1",
    ),
    Metric(
        "{stat}_n_compared", "Sites scored in both the AGs and the real haplotypes", "count", "none"
    ),
    Metric("{stat}_n_scored", "Sites scored in the real haplotypes", "count", "none"),
    Metric(
        "{stat}_top5_shared",
        "Share of the real top 5 % sites also in the AGs' top 5 %",
        "fraction",
        "higher",
        "1",
    ),
    Metric(
        "imputation_r2_{bin}",
        "Dosage r^2 of imputed genotypes per MAF bin, with this panel",
        "r^2",
        "higher",
        "1",
    ),
    Metric(
        "imputation_site_r2_{bin}",
        "Mean over a MAF bin's sites (polymorphic in the targets) of each site's dosage r^2",
        "r^2",
        "higher",
        "1",
    ),
    Metric(
        "imputation_dr2_{bin}",
        "Beagle's estimated dosage r^2 (DR2) per MAF bin",
        "r^2",
        "higher",
        "1",
    ),
    Metric(
        "imputation_r2_gain_rare",
        "r^2 gain of the panel over the real one in the rarest bin",
        "r^2",
        "higher",
        "0 or more",
    ),
    Metric(
        "imputation_r2_gain_rare_se",
        "Bootstrap standard error of imputation_r2_gain_rare",
        "r^2",
        "none",
    ),
    Metric(
        "imputation_r2_gain_min_common",
        "Smallest r^2 gain over the real panel among the common bins",
        "r^2",
        "higher",
        "0 or more",
    ),
    Metric(
        "imputation_r2_gain_min_common_se",
        "Bootstrap standard error of imputation_r2_gain_min_common",
        "r^2",
        "none",
    ),
    Metric(
        "imputation_r2_gain_all",
        "r^2 gain of the panel over the real one over all scored SNPs (bins weighted by SNPs)",
        "r^2",
        "higher",
        "0 or more",
    ),
    Metric(
        "phenotype_chi2",
        "Pearson chi-square of genotype at the causal SNP vs phenotype",
        "chi^2",
        "ideal",
        "the real value",
    ),
    Metric("phenotype_p_value", "p-value of phenotype_chi2", _P, "ideal", "the real value"),
    Metric(
        "phenotype_ancestral_carriers_pheno1",
        "Share of ancestral-allele carriers with phenotype 1",
        "fraction",
        "ideal",
        "the real value",
    ),
    Metric(
        "phenotype_pheno0_homozygous_derived",
        "Share of phenotype-0 individuals homozygous derived",
        "fraction",
        "ideal",
        "the real value",
    ),
    # --- DNA track (Killoran et al.; results/dna/metrics.tsv) ---
    Metric(
        "mean_base_change_per_step",
        "Latent interpolation: share of bases changed per step",
        "fraction",
        "none",
        table="dna",
    ),
    Metric(
        "end_to_end_difference",
        "Latent interpolation: share of bases differing between the ends",
        "fraction",
        "none",
        table="dna",
    ),
    Metric(
        "target_share",
        "Latent complementation: share of the target base in G(z)",
        "fraction",
        "higher",
        "1",
        "dna",
    ),
    Metric(
        "complement_share",
        "Latent complementation: share of the complement base in G(-z)",
        "fraction",
        "higher",
        "1",
        "dna",
    ),
    Metric(
        "complement_share_{base}",
        "complement_share for poly-{base} latents",
        "fraction",
        "higher",
        "1",
        "dna",
    ),
    Metric(
        "generated_mean",
        "Edit distance: mean distance of generated sequences to the nearest training one",
        "bases",
        "ideal",
        "held_out_mean",
        "dna",
    ),
    Metric(
        "held_out_mean",
        "Edit distance: mean distance of held-out real sequences to the nearest training one",
        "bases",
        "none",
        table="dna",
    ),
    Metric(
        "generated_exact_copies",
        "Edit distance: share of generated sequences equal to a training one",
        "fraction",
        "lower",
        "0",
        "dna",
    ),
    Metric(
        "held_out_exact_copies",
        "Edit distance: share of held-out sequences equal to a training one",
        "fraction",
        "none",
        table="dna",
    ),
    Metric("n_reference", "Training sequences compared with", "count", "none", table="dna"),
    Metric("n_samples", "Sequences per set compared", "count", "none", table="dna"),
    Metric(
        "{pos}_bits_{set}",
        "Splice logos: information content at the base of the splice site",
        "bits",
        "ideal",
        "the real value",
        "dna",
    ),
    Metric(
        "acceptor_ag_share_{set}",
        "Splice logos: share of exon starts preceded by AG",
        "fraction",
        "ideal",
        "the real value",
        "dna",
    ),
    Metric(
        "donor_gt_share_{set}",
        "Splice logos: share of exon ends followed by GT",
        "fraction",
        "ideal",
        "the real value",
        "dna",
    ),
    Metric(
        "acceptor_ag_bits_{set}",
        "Splice logos: information at the acceptor AG (the 2 nt before the exon start), mean of"
        " the two bases, minus the small-sample correction 3/(2 n ln 2) (about 0: no signal)",
        "bits",
        "ideal",
        "the real value",
        "dna",
    ),
    Metric(
        "donor_gt_bits_{set}",
        "Splice logos: as acceptor_ag_bits, at the donor GT (the 2 nt after the exon end)",
        "bits",
        "ideal",
        "the real value",
        "dna",
    ),
    Metric("n_windows_{set}", "Splice logos: exon boundaries found", "count", "none", table="dna"),
    Metric(
        "spearman_held_out",
        "Binding oracle: Spearman rho, oracle vs measured, held-out probes (paper Fig 8a)",
        "rho",
        "higher",
        "1",
        "dna",
    ),
    Metric(
        "pearson_held_out",
        "Binding oracle: Pearson r, oracle vs measured, held-out probes",
        "r",
        "higher",
        "1",
        "dna",
    ),
    Metric(
        "spearman_truth_held_out",
        "Binding oracle: Spearman rho vs the simulated truth (simulated data only)",
        "rho",
        "higher",
        "1",
        "dna",
    ),
    Metric("n_held_out", "Binding oracle: held-out probes", "count", "none", table="dna"),
    Metric("n_designs", "Designed sequences", "count", "none", table="dna"),
    Metric(
        "n_novel_designs",
        "Design: designs not identical to a training sequence (copies are no designs)",
        "count",
        "none",
        table="dna",
    ),
    Metric(
        "design_copy_share",
        "Design: share of designs identical to a training sequence",
        "fraction",
        "lower",
        "0",
        "dna",
    ),
    Metric(
        "design_unique_share",
        "Design: distinct designs over designs",
        "fraction",
        "higher",
        "1",
        "dna",
    ),
    Metric(
        "design_edit_distance_mean",
        "Design: mean Levenshtein distance of a design to its nearest training sequence",
        "bases",
        "higher",
        "",
        "dna",
    ),
    Metric(
        "design_edit_distance_median",
        "Design: median of the same distance",
        "bases",
        "higher",
        "",
        "dna",
    ),
    Metric(
        "full_data_top_decile",
        "Design: 90th percentile of the score over the full data set (every sequence)",
        "score",
        "none",
        table="dna",
    ),
    Metric(
        "full_data_max",
        "Design: best score over the full data set",
        "score",
        "none",
        table="dna",
    ),
    Metric(
        "design_above_top_decile_share",
        "Design: share of all designs that are no copy and score above full_data_top_decile",
        "fraction",
        "higher",
        "1",
        "dna",
    ),
    Metric(
        "design_above_max_share",
        "Design: share of all designs that are no copy and score above full_data_max",
        "fraction",
        "higher",
        "",
        "dna",
    ),
    Metric(
        "novel_design_score_mean",
        "Design: mean score of the designs that are no copy",
        "score",
        "higher",
        "",
        "dna",
    ),
    Metric(
        "core_share_design",
        "Design: share of designs holding the motif-design motif's 6-nt consensus core"
        " (either strand)",
        "fraction",
        "none",
        table="dna",
    ),
    Metric(
        "core_share_training",
        "Design: core_share_design of the training sequences (yardstick)",
        "fraction",
        "none",
        table="dna",
    ),
    Metric(
        "pwm_score_mean",
        "Motif design: mean PWM log-odds score of the designs",
        "log-odds",
        "higher",
        "pwm_score_max_possible",
        "dna",
    ),
    Metric(
        "pwm_score_start_mean",
        "Motif design: mean PWM score before optimisation",
        "log-odds",
        "none",
        table="dna",
    ),
    Metric(
        "pwm_score_max_possible",
        "Motif design: the PWM's best possible score",
        "log-odds",
        "none",
        table="dna",
    ),
    Metric(
        "share_above_80pct_of_max",
        "Motif design: share of designs scoring 80 % of the best possible",
        "fraction",
        "higher",
        "1",
        "dna",
    ),
    Metric(
        "oracle_training_max",
        "Binding design: best oracle score among training sequences",
        "score",
        "none",
        table="dna",
    ),
    Metric(
        "oracle_design_mean",
        "Binding design: mean oracle score of the designs",
        "score",
        "higher",
        "",
        "dna",
    ),
    Metric(
        "oracle_design_median",
        "Binding design: median oracle score of the designs",
        "score",
        "higher",
        "",
        "dna",
    ),
    Metric(
        "oracle_design_max",
        "Binding design: best oracle score among the designs",
        "score",
        "higher",
        "",
        "dna",
    ),
    Metric(
        "oracle_design_max_fold",
        "Binding design: best design over the training maximum, both above the training minimum",
        "ratio",
        "higher",
        "",
        "dna",
    ),
    Metric(
        "share_above_training_max",
        "Binding design: share of designs above the best *restricted* training sequence"
        " (oracle; copies included: see design_above_max_share)",
        "fraction",
        "higher",
        "1",
        "dna",
    ),
    Metric(
        "predictor_oracle_spearman",
        "Binding design: Spearman rho, optimised predictor vs independent oracle",
        "rho",
        "higher",
        "1",
        "dna",
    ),
    Metric(
        "truth_training_max",
        "Binding design: best simulated-truth score in training",
        "score",
        "none",
        table="dna",
    ),
    Metric(
        "truth_design_mean",
        "Binding design: mean simulated-truth score of the designs",
        "score",
        "higher",
        "",
        "dna",
    ),
    Metric(
        "truth_share_above_training_max",
        "Binding design: share of designs above truth_training_max",
        "fraction",
        "higher",
        "1",
        "dna",
    ),
    Metric(
        "margin_design_mean",
        "Multi-property design: mean predictor margin (A - B) of the designs",
        "score",
        "higher",
        "",
        "dna",
    ),
    Metric(
        "margin_training_mean",
        "Multi-property design: mean margin of the training sequences",
        "score",
        "none",
        table="dna",
    ),
    Metric(
        "margin_training_max",
        "Multi-property design: largest margin among training sequences",
        "score",
        "none",
        table="dna",
    ),
    Metric(
        "margin_design_minus_training_max",
        "margin_design_mean - margin_training_max",
        "score",
        "higher",
        "above 0",
        "dna",
    ),
    Metric(
        "share_above_training_max_margin",
        "Share of designs above margin_training_max",
        "fraction",
        "higher",
        "1",
        "dna",
    ),
    Metric(
        "truth_margin_design_mean",
        "Mean simulated-truth margin of the designs",
        "score",
        "higher",
        "",
        "dna",
    ),
    Metric(
        "truth_margin_training_max",
        "Largest simulated-truth margin in training",
        "score",
        "none",
        table="dna",
    ),
    Metric(
        "truth_share_above_training_max_margin",
        "Share of designs above truth_margin_training_max",
        "fraction",
        "higher",
        "1",
        "dna",
    ),
]


def _pattern(name: str) -> re.Pattern:
    parts = re.split(r"\{(\w+)\}", name)
    regex = "".join(
        re.escape(p) if i % 2 == 0 else f"(?:{PLACEHOLDERS[p][1]})" for i, p in enumerate(parts)
    )
    return re.compile(regex)


_COMPILED = [(_pattern(m.name), m) for m in METRICS]


def lookup(name: str) -> Metric | None:
    """The registry entry whose name or pattern matches ``name`` in full, else None."""
    for pattern, metric in _COMPILED:
        if pattern.fullmatch(name):
            return metric
    return None


def unknown_metrics(names) -> list[str]:
    """The names (sorted, distinct) that no registry entry matches."""
    return sorted({str(n) for n in names if lookup(str(n)) is None})


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def metrics_markdown() -> str:
    """``docs/metrics.md``: one table per metrics table kind, then the placeholders."""
    lines = [
        "# Metrics",
        "",
        "Generated by `tools/build_reference.py` from `genosynth.metrics.METRICS`: do not edit.",
        "Every name a rule writes into `results/<dataset>/metrics.tsv`, `results/dna/metrics.tsv`",
        "and `results/summary.tsv`. Direction: `higher`/`lower` is better, `ideal`: closest to",
        "the ideal value is best, `none`: a count or context, not a score.",
    ]
    titles = {"popgen": "Artificial genomes (Yelmen et al.)", "dna": "DNA track (Killoran et al.)"}
    for table, title in titles.items():
        lines += ["", f"## {title}", "", "| metric | meaning | unit | direction | ideal |"]
        lines += ["|---|---|---|---|---|"]
        for m in METRICS:
            if m.table == table:
                cells = [f"`{m.name}`", m.meaning, m.unit, m.direction, m.ideal]
                lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines += ["", "## Placeholders", "", "| placeholder | stands for |", "|---|---|"]
    lines += [f"| `{{{k}}}` | {_cell(v[0])} |" for k, v in PLACEHOLDERS.items()]
    return "\n".join(lines) + "\n"
