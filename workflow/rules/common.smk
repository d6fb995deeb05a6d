# Validation, wildcard constraints, input functions and the end-of-run flag summary. No rules.
import math
import os
import re
import sys

from genosynth.config import check_references, load_schema, model_kind, validate_config
from genosynth.errors import GenosynthError
from genosynth.flags import print_flag_summary
from genosynth.reproduction import data_kinds
from genosynth.steps.privacy import gate_verdict
from genosynth.steps.train import training_and_sampling
from genosynth.windows import plan_windows

try:  # a bad config stops the run with its one message, before any job
    schema = load_schema(
        workflow.source_path("../schemas/config.schema.yaml"),
        locate=lambda name: workflow.source_path(f"../schemas/{name}"),
    )
    validate_config(config, schema)
    check_references(config)
except GenosynthError as err:
    sys.exit(f"genosynth: {err}")


DATASETS = list(config["datasets"])
MODELS = list(config["models"])  # model instances: the names used in paths and figures


def get_model_kind(model):
    """The registered model an instance trains (`models.<model>.model`, else its name)."""
    return model_kind(model, config["models"][model])


# Instances fitted in one pass by train_baseline, and those trained over epochs by train_network
CLOSED_FORM = [m for m in MODELS if get_model_kind(m) in ("bernoulli", "markov", "copying")]
NETWORKS = [m for m in MODELS if get_model_kind(m) in ("gan", "conv_gan", "rbm")]
NOTHING = "(?!)"  # a wildcard pattern that matches nothing
# Datasets trained in windows (workflow/rules/windows.smk): a pattern matching none when none.
WINDOWED = [ds for ds in DATASETS if config["datasets"][ds].get("windows")]
WINDOWED_PATTERN = "|".join(WINDOWED) or NOTHING


wildcard_constraints:
    ds="|".join(DATASETS),
    model="|".join(MODELS),
    baseline="|".join(CLOSED_FORM) or NOTHING,
    source="|".join(config["sources"]),
    window=r"\d+",


def get_source(source):
    """The config section of one source."""
    return config["sources"][source]


def get_ingest_inputs(wildcards):
    """Files ingestion reads: simulated VCF + panel, a user VCF or .hapt + legend (+ panel:
    without one every sample is labelled with the source's name)."""
    src = get_source(wildcards.source)
    if src["format"] == "simulate":
        prefix = f"results/sources/{wildcards.source}/simulated"
        return {"vcf": f"{prefix}.vcf.gz", "panel": f"{prefix}.panel"}
    files = {"vcf": src["vcf"]} if src["format"] == "vcf" else {}
    files = files or {"hapt": src["hapt"], "legend": src["legend"]}
    return files | ({"panel": src["panel"]} if src["panel"] else {})


def get_data_kinds():
    """Dataset (and `dna`) -> `paper`, `simulated` or `own data` (reproduction.tsv's `data`)."""
    dna = config["dna"] if config["dna"]["enabled"] else None
    return data_kinds(config["sources"], config["datasets"], dna)


def get_dataset(ds):
    """The config section of one dataset."""
    return config["datasets"][ds]


def get_selection(ds):
    """A dataset's settings that build it (without the model overrides, which only train, and
    the held-out source, which only the privacy metrics read)."""
    skip = ("model_overrides", "test_source", "test_min_matched", "windows")
    return {k: v for k, v in get_dataset(ds).items() if k not in skip}


def get_dataset_inputs(wildcards):
    """The ingested source of a dataset, plus the phenotype table for `phenotype` selection."""
    ds = get_dataset(wildcards.ds)
    source = ds["source"]
    inputs = {"haplotypes": f"results/sources/{source}/haplotypes.npz"}
    if ds["select"] == "phenotype":
        if get_source(source)["format"] != "simulate":
            raise ValueError(
                f"config key 'datasets.{wildcards.ds}.select': 'phenotype' needs a simulated "
                f"source with a phenotype; source '{source}' is {get_source(source)['format']}"
            )
        inputs["phenotypes"] = f"results/sources/{source}/phenotypes.tsv"
    return inputs


def get_test_source_inputs(wildcards):
    """The held-out source of a dataset (`test_source`) and the dataset's SNPs and split."""
    data = f"results/{wildcards.ds}/data"
    source = get_dataset(wildcards.ds)["test_source"]
    if not source:
        raise ValueError(f"config key 'datasets.{wildcards.ds}.test_source': empty")
    haplotypes = f"results/sources/{source}/haplotypes.npz"
    return {"haplotypes": haplotypes, "legend": f"{data}/snps.legend", "panel": f"{data}/panel.tsv"}


def get_privacy_inputs(wildcards):
    """Training split, held-out set (the external one of `test_source`, with its SNP table,
    else the internal split), dataset info and AGs of one model's privacy metrics."""
    data = f"results/{wildcards.ds}/data"
    inputs = {"train": f"{data}/train.hapt.gz", "test": f"{data}/test.hapt.gz"}
    if get_dataset(wildcards.ds)["test_source"]:
        inputs["test"] = f"{data}/external_test.hapt.gz"
        inputs["test_sites"] = f"{data}/external_test_sites.tsv"
    inputs["info"] = f"{data}/dataset.json"
    return inputs | {"ags": f"results/{wildcards.ds}/models/{wildcards.model}/ags.hapt.gz"}


def get_mem_mb(base):
    """`mem_mb` of a job holding a dataset's matrices: `base`, or 4000 MB per 65,536 SNPs when
    more (peaks below 3.2 GB at 65,536 SNPs x 5,040 haplotypes: experiments/scale_stages)."""

    def mem_mb(wildcards):
        n_snps = get_dataset(wildcards.ds).get("n_snps", 0)
        return max(base, math.ceil(4000 * n_snps / 65536))

    return mem_mb


def get_model_params(ds, model):
    """Model settings for one dataset: `models.<model>` updated by the dataset's overrides
    (without `model`, the registered model an instance trains: get_model_kind)."""
    params = dict(config["models"][model])
    params.update(get_dataset(ds)["model_overrides"].get(model, {}))
    params.pop("model", None)
    return params


def _split_model_params(ds, model):
    """(training, sampling) settings of a model, as the library splits them by role."""
    return training_and_sampling(get_model_kind(model), get_model_params(ds, model))


def get_training_settings(ds, model):
    """Settings that train a model: all but those only sampling reads, so that changing
    one of those (an RBM's `readout`, a GAN's `beta`) redraws the AGs without retraining."""
    return _split_model_params(ds, model)[0]


def get_sampling_settings(ds, model):
    """Sampling-only settings applied to the trained model before it draws AGs."""
    return _split_model_params(ds, model)[1]


def get_repair_settings(ds, model):
    """Context repair applied to a model's AGs after sampling; {} when off."""
    return get_model_params(ds, model).get("repair") or {}


def get_training_inputs(ds, model):
    """Training split and panel of a dataset, and its others with `pool_others`."""
    data = f"results/{ds}/data"
    inputs = {"train": f"{data}/train.hapt.gz", "panel": f"{data}/panel.tsv"}
    if get_model_params(ds, model).get("pool_others"):
        inputs["others"] = f"{data}/others.hapt.gz"
    return inputs


def get_ags(ds):
    """AGs of every configured model for a dataset, as the evaluations read them (whatever the
    privacy gate's verdict: they are no release)."""
    return {m: f"results/{ds}/models/{m}/ags.hapt.gz" for m in MODELS}


def get_released_ags(ds, suffix=".vcf.gz"):
    """Released AG files of every configured model (export_ags_vcf, through the privacy gate)."""
    return {m: f"results/{ds}/ags/{m}{suffix}" for m in MODELS}


def get_releases(ds, model):
    """Every file that releases a model's AGs (export_ags_vcf, export_imputation_panel): what a
    failed privacy gate removes where an earlier run left it."""
    formats = ("hapt.gz", "vcf.gz", "vcf.gz.tbi", "pgen", "pvar", "psam")
    released = [f"results/{ds}/ags/{model}.{x}" for x in formats]
    return released + [f"results/{ds}/imputation/panel_{model}.{x}" for x in PANEL_FILES]


# Figures of every dataset and model (CONTRACT names); each also writes metrics/<name>.tsv.
FIGURES = [
    "pca",
    "umap",
    "pairwise_differences",
    "allele_frequency",
    "fixed_alleles",
    "haplostrips",
    "ld_matrix",
    "ld_decay",
    "closest_distance",
    "aats",
    "aats_sensitivity",
]
# Figures of `plot_figure` (scripts/plot_evaluation.py): the report subcategory of each.
EVALUATION_FIGURES = {
    "pca": "PCA",
    "umap": "Structure",
    "pairwise_differences": "Diversity",
    "allele_frequency": "Diversity",
    "fixed_alleles": "Diversity",
    "haplostrips": "Structure",
    "ld_matrix": "Linkage disequilibrium",
    "ld_decay": "Linkage disequilibrium",
    "closest_distance": "Privacy",
    "aats_sensitivity": "Privacy",
}


wildcard_constraints:
    figure="|".join(EVALUATION_FIGURES),


def get_figure_settings(figure):
    """Settings of one `plot_figure` figure: `pca`, or `evaluate.<figure>`."""
    return config["pca"] if figure == "pca" else config["evaluate"][figure]


def get_evaluation_inputs(wildcards):
    """Real split, annotations and every model's AGs of one dataset."""
    data = f"results/{wildcards.ds}/data"
    files = {
        "train": f"{data}/train.hapt.gz",
        "test": f"{data}/test.hapt.gz",
        "panel": f"{data}/panel.tsv",
        "info": f"{data}/dataset.json",
        "legend": f"{data}/snps.legend",
    }
    return files | get_ags(wildcards.ds)


def get_figures(ds):
    """Figures of a dataset: FIGURES, `training`, and `rbm_hidden` when the RBM is trained on
    the whole dataset (a windowed one has one RBM per window)."""
    rbm = "rbm" in MODELS and get_model_kind("rbm") == "rbm" and ds not in WINDOWED
    return FIGURES + ["training"] + (["rbm_hidden"] if rbm else [])


def get_metric_fragments(wildcards):
    """Metric tables of every figure of one dataset (+ the window join's)."""
    figures = [f"results/{wildcards.ds}/metrics/{f}.tsv" for f in get_figures(wildcards.ds)]
    figures += [f"results/{wildcards.ds}/metrics/window_join.tsv"] * (wildcards.ds in WINDOWED)
    return figures + get_downstream_metric_fragments(wildcards.ds)


def get_all_outputs():
    """Everything `rule all` builds, but the AG releases (get_release_functions)."""
    outputs = ["results/summary.tsv", "results/reproduction.tsv"] if DATASETS else []
    outputs += ["results/reproduction.md"] if DATASETS else []
    for ds in DATASETS:
        outputs += [f"results/{ds}/figures/{f}.png" for f in get_figures(ds)]
        outputs.append(f"results/{ds}/metrics.tsv")
    return outputs + get_downstream_outputs() + get_dna_outputs() + get_download_outputs()


def get_release_targets(ds, model):
    """The release files of a model's AGs that `all` asks for: its export_ags_vcf files (and
    imputation panel) when the privacy gate's verdict lets them, else the verdict record
    alone (the release is withheld, the run goes on). Waits for checkpoint check_privacy_gate."""
    gate = checkpoints.check_privacy_gate.get(ds=ds, model=model).output.verdict
    if gate_verdict(gate) == "failed":
        return [gate]
    released = get_released_ags(ds)[model], get_released_ags(ds, ".pgen")[model]
    if ds in get_downstream_datasets("imputation"):
        released += tuple(f"results/{ds}/imputation/panel_{model}.{x}" for x in PANEL_FILES)
    return list(released)


def get_release_functions():
    """One input function per (dataset, model) for `all`: each calls get_release_targets and
    waits for its own gate only, so that all gates are scheduled at once."""
    pairs = [(ds, model) for ds in DATASETS for model in MODELS]
    return {
        f"release_{i}": lambda w, ds=ds, model=model: get_release_targets(ds, model)
        for i, (ds, model) in enumerate(pairs)
    }


# --- windowed datasets: one model per window, AGs joined (workflow/rules/windows.smk) --------


def get_windows(ds):
    """[start, stop) SNP ranges of a windowed dataset's windows, from its configured n_snps."""
    settings = get_dataset(ds)["windows"]
    if get_dataset(ds)["select"] == "all":
        raise ValueError(
            f"config key 'datasets.{ds}.windows': needs a selection of n_snps SNPs, not 'all'"
        )
    return plan_windows(get_dataset(ds)["n_snps"], settings["size"], settings["overlap"])


def get_window_files(ds, name):
    """One file of every window of a dataset: results/<ds>/windows/<k>/<name>."""
    return [f"results/{ds}/windows/{k}/{name}" for k in range(len(get_windows(ds)))]


def get_window_settings(wildcards, settings):
    """Settings of one window's job: its `seed` made distinct per window."""
    from genosynth.steps.windows import window_seed

    seed = settings.get("seed")
    return settings | ({} if seed is None else {"seed": window_seed(seed, wildcards.window)})


def get_window_training_inputs(wildcards):
    """A window's training split and the dataset panel (+ its others with `pool_others`)."""
    data = f"results/{wildcards.ds}/windows/{wildcards.window}/data"
    inputs = {"train": f"{data}/train.hapt.gz", "panel": f"results/{wildcards.ds}/data/panel.tsv"}
    if get_model_params(wildcards.ds, wildcards.model).get("pool_others"):
        inputs["others"] = f"{data}/others.hapt.gz"
    return inputs


def get_window_join_inputs(wildcards):
    """Real split, legend, window plan, and every model's joined AGs and join report."""
    ds = wildcards.ds
    data = f"results/{ds}/data"
    files = {k: f"{data}/{k}.hapt.gz" for k in ("train", "test")}
    files |= {"legend": f"{data}/snps.legend", "plan": f"results/{ds}/windows/plan.tsv"}
    files |= {f"ags_{m}": p for m, p in get_ags(ds).items()}
    return files | {f"report_{m}": f"results/{ds}/windows/join_{m}.tsv" for m in MODELS}


# --- downstream: imputation, selection scans, painting, phenotype ----------------------------


def get_downstream_datasets(analysis):
    """Datasets a downstream analysis lists that this config defines."""
    return [d for d in config["downstream"][analysis]["datasets"] if d in DATASETS]


def get_chromopainter():
    """ChromoPainter v2 executable (configured, else on PATH), or "" when there is none."""
    import shutil

    configured = config["downstream"]["painting"]["chromopainter"]
    if configured == "none":
        return ""
    if configured:
        return configured
    return shutil.which("ChromoPainterv2") or shutil.which("ChromoPainter") or ""


def get_genetic_map(wildcards=None):
    """The configured genetic map as a named input, or nothing."""
    path = config["downstream"]["genetic_map"]
    return {"genetic_map": path} if path else {}


def get_scan_inputs(wildcards):
    """Real split, complementary haplotypes and annotations of a scan dataset (+ map)."""
    data = f"results/{wildcards.ds}/data"
    files = {k: f"{data}/{k}.hapt.gz" for k in ("train", "test", "others")}
    files |= {"panel": f"{data}/panel.tsv", "info": f"{data}/dataset.json"}
    return files | {"legend": f"{data}/snps.legend"} | get_genetic_map()


SCAN_STATISTICS = ["xpehh", "pbs"]  # selection scans of scan_selection


wildcard_constraints:
    statistic="|".join(SCAN_STATISTICS),


def get_scan_settings(statistic):
    """`downstream.selection` for one statistic: without the other's section and the datasets."""
    skip = {"datasets"} | set(SCAN_STATISTICS) - {statistic}
    return {k: v for k, v in config["downstream"]["selection"].items() if k not in skip}


#: Imputation reference panels: the real reference alone, plus the real training haplotypes of
#: the target population (`real`: the yardstick of a perfect generator; the held-out ones are
#: the imputed targets), plus each model's AGs.
IMPUTATION_PANELS = ["reference", "real"] + MODELS


def get_impute_inputs(wildcards):
    """Masked target, real reference, Beagle map, and the model's AGs (the evaluations' copy,
    with the legend and dataset info that make them a VCF; the training haplotypes for
    `real`) unless `reference`."""
    base = f"results/{wildcards.ds}/imputation"
    files = {f: f"{base}/{f}.vcf.gz" for f in ("target", "reference")}
    files["map"] = f"{base}/beagle.map"
    if wildcards.panel != "reference":
        data = f"results/{wildcards.ds}/data"
        if wildcards.panel == "real":
            files["ags"] = f"{data}/train.hapt.gz"
        else:
            files["ags"] = get_ags(wildcards.ds)[wildcards.panel]
        files |= {"legend": f"{data}/snps.legend", "info": f"{data}/dataset.json"}
    return files


def get_downstream_outputs():
    """Downstream outputs (imputation, selection scans, painting, phenotype) `rule all` builds."""
    outputs = []
    for ds in get_downstream_datasets("imputation"):  # panels: get_release_targets
        outputs.append(f"results/{ds}/figures/imputation.png")
    for ds in get_downstream_datasets("selection"):
        outputs += [f"results/{ds}/figures/selection_{s}.png" for s in SCAN_STATISTICS]
    for ds in get_downstream_datasets("painting"):
        outputs += [f"results/{ds}/painting/chromopainter.{x}" for x in PAINTING_FILES]
        if get_chromopainter():
            outputs.append(f"results/{ds}/figures/painting.png")
    for ds in get_downstream_datasets("phenotype"):
        outputs.append(f"results/{ds}/figures/phenotype.png")
    return outputs


def get_downstream_metric_fragments(ds):
    """Metric tables of the downstream analyses that run on one dataset."""
    names = {
        "imputation": ["imputation"],
        "selection": [f"selection_{s}" for s in SCAN_STATISTICS],
        "phenotype": ["phenotype"],
    }
    fragments = []
    for analysis, figures in names.items():
        if ds in get_downstream_datasets(analysis):
            fragments += [f"results/{ds}/metrics/{f}.tsv" for f in figures]
    return fragments


PANEL_FILES = ["vcf.gz", "vcf.gz.tbi", "hap.gz", "legend.gz"]
PAINTING_FILES = ["phase", "recomb", "ids", "poplist"]


# --- dna: Killoran et al. ----------------------------------------------------------------


DNA = config["dna"]
DNA_SETS = list(DNA["binding_sets"])
DNA_EXPERIMENTS = ["motif_design", "binding_design", "multi_property_design"]
DNA_FIGURES = [
    "latent_interpolation",
    "latent_complementation",
    "edit_distance",
    "splice_logos",
    "binding_oracle",
] + DNA_EXPERIMENTS
# Figures of plot_dna_figure: the generator each reads and the data it compares with ("": none).
DNA_GENERATOR_FIGURES = {
    "latent_interpolation": ("seq", ""),
    "latent_complementation": ("seq", ""),
    "edit_distance": ("seq", "kmers"),
    "splice_logos": ("exon", "exon_windows"),
}


wildcard_constraints:
    dna_gen="seq|exon|binding|multi",
    dna_figure="|".join(DNA_GENERATOR_FIGURES),
    dna_set="|".join(DNA_SETS),
    dna_pred="|".join(["restricted"] + DNA_SETS),
    dna_experiment="|".join(DNA_EXPERIMENTS),


def get_dna_genome_files():
    """Genome FASTA and exon annotation: the simulated demo or the configured files."""
    genome = DNA["genome"]
    if genome["source"] == "simulate":
        return {
            "fasta": "results/dna/sources/genome.fa",
            "annotation": "results/dna/sources/exons.bed",
        }
    for key in ("fasta", "annotation"):
        if not genome[key]:
            raise ValueError(f"config key 'dna.genome.{key}': needed with source 'files'")
    return {"fasta": genome["fasta"], "annotation": genome["annotation"]}


def get_dna_wgan_settings(gen):
    """`dna.wgan` updated by `dna.wgan_overrides.<gen>`."""
    return DNA["wgan"] | DNA["wgan_overrides"][gen]


def get_dna_generator_data(wildcards):
    """Training data of a generator: k-mers, exon windows, the restricted binding data, or
    (multi) the binding sets of the multi-property design."""
    if wildcards.dna_gen == "multi":
        sets = DNA["design"]["multi_property_design"]["sets"]
        return {"data": [f"results/dna/data/binding_{name}.npz" for name in sets]}
    names = {"seq": "kmers", "exon": "exon_windows", "binding": "binding_restricted"}
    return {"data": f"results/dna/data/{names[wildcards.dna_gen]}.npz"}


def get_dna_figure_inputs(wildcards):
    """Generator checkpoint of a plot_dna_figure figure, and the data it compares with."""
    generator, data = DNA_GENERATOR_FIGURES[wildcards.dna_figure]
    inputs = {"checkpoint": f"results/dna/models/wgan_{generator}/checkpoint.npz"}
    return inputs | ({"data": f"results/dna/data/{data}.npz"} if data else {})


def get_dna_binding_set(name, key="dna.design"):
    """The config of binding set `name`; an unknown name fails naming the key."""
    if name not in DNA["binding_sets"]:
        raise ValueError(f"config key '{key}': no binding set {name!r}; sets: {DNA_SETS}")
    return DNA["binding_sets"][name]


def get_dna_binding_inputs(wildcards):
    """Source table(s) of a binding set: the simulated table, or its files."""
    spec = get_dna_binding_set(wildcards.dna_set)
    if spec["format"] == "simulate":
        return {"table": "results/dna/sources/binding.tsv"}
    key = f"config key 'dna.binding_sets.{wildcards.dna_set}"
    if not spec["path"]:
        raise ValueError(f"{key}.path': empty")
    inputs = {"table": spec["path"]} | ({"test": spec["test_path"]} if spec["test_path"] else {})
    needs = {"selex": ["values_path"], "bed": ["genome"], "narrowpeak": ["genome"]}
    needs["selex"] += ["test_values_path"] if spec["test_path"] else []
    for name in needs.get(spec["format"], []):
        if not spec[name]:
            raise ValueError(f"{key}.{name}': needed with format {spec['format']}")
        inputs[name.removesuffix("_path")] = spec[name]
    return inputs


def get_dna_predictor_data(wildcards):
    """A predictor's data: the restricted binding data, or a binding set."""
    if wildcards.dna_pred == "restricted":
        return {"data": "results/dna/data/binding_restricted.npz"}
    return {"data": f"results/dna/data/binding_{wildcards.dna_pred}.npz"}


def get_dna_oracle_set():
    """The binding set of the binding-design experiment (the oracle's data)."""
    name = DNA["design"]["binding_design"]["set"]
    get_dna_binding_set(name, "dna.design.binding_design.set")
    return f"results/dna/data/binding_{name}.npz"


def get_dna_design_inputs(wildcards):
    """Models and data a design experiment reads."""
    exp = wildcards.dna_experiment
    settings = DNA["design"][exp]
    models = "results/dna/models"
    if exp == "motif_design":
        inputs = {"kmers": "results/dna/data/kmers.npz"}
        generator = f"{models}/wgan_seq/checkpoint.npz"
    elif exp == "binding_design":
        inputs = {
            "restricted": "results/dna/data/binding_restricted.npz",
            "predictor": f"{models}/predictor_restricted/checkpoint.npz",
            "oracle": f"{models}/oracle/checkpoint.npz",
        }
        generator = f"{models}/wgan_binding/checkpoint.npz"
    else:
        a, b = settings["sets"]
        for name in (a, b):
            get_dna_binding_set(name, "dna.design.multi_property_design.sets")
        inputs = {
            "data_a": f"results/dna/data/binding_{a}.npz",
            "data_b": f"results/dna/data/binding_{b}.npz",
            "predictor_a": f"{models}/predictor_{a}/checkpoint.npz",
            "predictor_b": f"{models}/predictor_{b}/checkpoint.npz",
        }
        generator = f"{models}/wgan_multi/checkpoint.npz"
    if settings["method"] == "joint":
        inputs["generator"] = generator
    if exp == "motif_design" and (settings["motif_file"] or settings["jaspar"]):
        inputs["jaspar"] = settings["motif_file"] or settings["jaspar"]
    return inputs


def get_dna_plot_inputs(wildcards):
    """Designs plus the data and predictors the figure compares them with, and the motif file
    whose core every design experiment counts."""
    exp = wildcards.dna_experiment
    inputs = {"designs": f"results/dna/designs/{exp}.tsv"}
    design_inputs = get_dna_design_inputs(wildcards)
    keep = {"binding_design": ["restricted"], "motif_design": ["kmers"]}.get(exp, [])
    if exp == "binding_design":
        inputs["predictions"] = "results/dna/models/oracle/predictions.tsv"
    if exp == "multi_property_design":
        keep = ["data_a", "data_b", "predictor_a", "predictor_b"]
    motif = DNA["design"]["motif_design"]
    if motif["motif_file"] or motif["jaspar"]:
        inputs["jaspar"] = motif["motif_file"] or motif["jaspar"]
    return inputs | {k: design_inputs[k] for k in keep}


def get_dna_label():
    """What the DNA figures name as their data: the genome FASTA's file name, or the demo."""
    if DNA["genome"]["source"] == "simulate":
        return "simulated demo genome"
    return os.path.basename(DNA["genome"]["fasta"])


def get_dna_set_label(name):
    """A binding set's name and file name (or "simulated") for figure titles."""
    spec = get_dna_binding_set(name)
    source = os.path.basename(spec["path"]) if spec.get("path") else "simulated"
    return f"{name} ({source})"


def get_dna_oracle_settings():
    """Name, format and transform of the oracle's binding set, for its figure's labels."""
    name = DNA["design"]["binding_design"]["set"]
    spec = get_dna_binding_set(name, "dna.design.binding_design.set")
    return {"set": name, "label": get_dna_set_label(name)} | {
        k: spec[k] for k in ("format", "column", "transform")
    }


def get_dna_plot_settings(exp):
    """A design experiment's settings plus, for simulated sets, the truth they need; the
    motif-design motif (``core``), the sets' formats and the genome's name (``label``)."""
    settings = dict(DNA["design"][exp])
    names = {"binding_design": [settings.get("set")], "multi_property_design": settings.get("sets")}
    names = names.get(exp, [])
    specs = [get_dna_binding_set(n) for n in names]
    if specs and all(s["format"] == "simulate" for s in specs):
        settings["simulation"] = DNA["binding_simulation"]
    settings["columns"] = [s["column"] for s in specs]
    settings["set_specs"] = {n: {k: s[k] for k in ("format", "column", "transform")}
                             for n, s in zip(names, specs)}  # fmt: skip
    motif = DNA["design"]["motif_design"]
    settings["core"] = {k: motif[k] for k in ("motif", "motif_file", "jaspar", "motif_format")}
    settings["label"] = ", ".join(get_dna_set_label(n) for n in names) or get_dna_label()
    return settings


def get_dna_metric_fragments(wildcards=None):
    """Metric tables of every DNA figure."""
    return [f"results/dna/metrics/{f}.tsv" for f in DNA_FIGURES]


def get_dna_metrics():
    """The DNA metric table `summarize_metrics` gathers (none unless `dna.enabled`)."""
    return ["results/dna/metrics.tsv"] if DNA["enabled"] else []


def get_dna_outputs():
    """DNA-track outputs (results/dna/...) `rule all` builds; none unless `dna.enabled`."""
    if not DNA["enabled"]:
        return []
    figures = [f"results/dna/figures/{f}.png" for f in DNA_FIGURES]
    designs = [f"results/dna/designs/{e}.{x}" for e in DNA_EXPERIMENTS for x in ("tsv", "fasta")]
    return figures + designs + ["results/dna/metrics.tsv"]


# --- downloads: public inputs fetched by workflow/rules/download.smk ----------------------


DOWNLOAD_CACHE = config["downloads"]["cache"].rstrip("/")
DOWNLOADS = config["downloads"]["files"]
# Cache file names `download_file` may produce (a pattern that matches nothing when none).
DOWNLOAD_PATTERN = "|".join(re.escape(name) for name in DOWNLOADS) or "(?!)"


def get_download(name):
    """The config entry (url, sha256, extract) of one downloaded file."""
    return DOWNLOADS[name]


def get_download_outputs():
    """Every configured download (fetched by `all` even before a stage reads it)."""
    return [f"{DOWNLOAD_CACHE}/{name}" for name in DOWNLOADS]
