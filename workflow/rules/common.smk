# Validation, wildcard constraints and input functions. No rules here.
from genosynth.config import load_schema, validate_config

validate_config(config, load_schema(workflow.source_path("../schemas/config.schema.yaml")))

DATASETS = list(config["datasets"])
MODELS = list(config["models"])
BASELINES = [m for m in MODELS if m in ("bernoulli", "markov")]


wildcard_constraints:
    ds="|".join(DATASETS),
    model="|".join(MODELS),
    baseline="bernoulli|markov",
    source="|".join(config["sources"]),


def get_source(source):
    """The config section of one source."""
    return config["sources"][source]


def get_ingest_inputs(wildcards):
    """Files ingestion reads: simulated VCF + panel, a user VCF + panel, or .hapt + legend."""
    src = get_source(wildcards.source)
    if src["format"] == "simulate":
        prefix = f"results/sources/{wildcards.source}/simulated"
        return {"vcf": f"{prefix}.vcf.gz", "panel": f"{prefix}.panel"}
    if src["format"] == "vcf":
        return {"vcf": src["vcf"], "panel": src["panel"]}
    files = {"hapt": src["hapt"], "legend": src["legend"]}
    return files | ({"panel": src["panel"]} if src["panel"] else {})


def get_dataset(ds):
    """The config section of one dataset."""
    return config["datasets"][ds]


def get_selection(ds):
    """A dataset's settings that build it (without the model overrides, which only train)."""
    return {k: v for k, v in get_dataset(ds).items() if k != "model_overrides"}


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


def get_model_params(ds, model):
    """Model settings for one dataset: `models.<model>` updated by the dataset's overrides."""
    params = dict(config["models"][model])
    params.update(get_dataset(ds)["model_overrides"].get(model, {}))
    return params


def get_ags(ds, suffix=".hapt.gz"):
    """AG files of every configured model for a dataset."""
    return {m: f"results/{ds}/ags/{m}{suffix}" for m in MODELS}


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


def get_figures():
    """Figures of a dataset: FIGURES, `training`, and `rbm_hidden` when the RBM is trained."""
    return FIGURES + ["training"] + (["rbm_hidden"] if "rbm" in MODELS else [])


def get_metric_fragments(wildcards):
    """Metric tables of every figure of one dataset."""
    figures = [f"results/{wildcards.ds}/metrics/{f}.tsv" for f in get_figures()]
    return figures + get_downstream_metric_fragments(wildcards.ds)


def get_all_outputs():
    """Everything `rule all` builds."""
    outputs = ["results/summary.tsv", "results/reproduction.tsv"]
    for ds in DATASETS:
        outputs += [f"results/{ds}/figures/{f}.png" for f in get_figures()]
        outputs.append(f"results/{ds}/metrics.tsv")
        outputs += list(get_ags(ds, ".vcf.gz").values())
    return outputs + get_downstream_outputs() + get_dna_outputs()


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


def get_impute_inputs(wildcards):
    """Masked target, real reference, Beagle map, and the model's AG panel unless `reference`."""
    base = f"results/{wildcards.ds}/imputation"
    files = {f: f"{base}/{f}.vcf.gz" for f in ("target", "reference")}
    files["map"] = f"{base}/beagle.map"
    if wildcards.panel != "reference":
        files["panel"] = f"{base}/panel_{wildcards.panel}.vcf.gz"
    return files


def get_downstream_outputs():
    """Downstream outputs (imputation, selection scans, painting, phenotype) `rule all` builds."""
    outputs = []
    for ds in get_downstream_datasets("imputation"):
        outputs.append(f"results/{ds}/figures/imputation.png")
        outputs += [f"results/{ds}/imputation/panel_{m}.{x}" for m in MODELS for x in PANEL_FILES]
    for ds in get_downstream_datasets("selection"):
        outputs += [f"results/{ds}/figures/selection_{s}.png" for s in ("xpehh", "pbs")]
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
        "selection": ["selection_xpehh", "selection_pbs"],
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


def get_dna_outputs():
    """DNA-track outputs (results/dna/...) `rule all` builds."""
    return []
