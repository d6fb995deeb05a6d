"""The whole workflow on config/smoke.yaml: CONTRACT outputs, their contents, reruns, lint."""

from __future__ import annotations

import gzip
import json
import re
import subprocess

import numpy as np
import pandas as pd
import pysam
import pytest
import yaml
from conftest import REPO, run_snakemake

from genosynth import plink
from genosynth.metrics import unknown_metrics

pytestmark = pytest.mark.workflow

SMOKE = yaml.safe_load((REPO / "config/smoke.yaml").read_text())
DATASETS = list(SMOKE["datasets"])
MODELS = list(SMOKE["models"])
# `chrom` trains every model per window (datasets.<ds>.windows): its AGs are joined, not sampled.
WINDOWED = [d for d in DATASETS if SMOKE["datasets"][d].get("windows")]
WHOLE = [d for d in DATASETS if d not in WINDOWED]
WINDOW_RULES = {"train_window", "sample_window", "join_windows", "gather_window_logs"}


def released(smoke_run, ds, model) -> bool:
    """Whether the privacy gate let the model's AGs out (a failed verdict withholds them)."""
    gate = smoke_run / f"results/{ds}/privacy/{model}.gate.json"
    return json.loads(gate.read_text())["verdict"] != "failed"


def require_release(smoke_run, ds, model) -> None:
    if not released(smoke_run, ds, model):
        pytest.skip(f"{ds}/{model}: release withheld by the privacy gate (smoke: gate on)")


def read_hapt(path):
    with gzip.open(path, "rt") as fh:
        rows = [line.split() for line in fh]
    return [r[1] for r in rows], np.array([r[2:] for r in rows], dtype=np.int8)


@pytest.mark.parametrize("ds", DATASETS)
def test_contract_files_exist(smoke_run, ds):
    base = smoke_run / "results" / ds
    expected = ["data/train.hapt.gz", "data/test.hapt.gz", "data/snps.legend"]
    expected += ["metrics.tsv", "figures/pca.png"]
    withheld = []
    for m in MODELS:
        releases = [f"ags/{m}.hapt.gz", f"ags/{m}.vcf.gz", f"ags/{m}.vcf.gz.tbi"]
        releases += [f"ags/{m}.pgen", f"ags/{m}.pvar", f"ags/{m}.psam"]
        (expected if released(smoke_run, ds, m) else withheld).extend(releases)
        trained = f"windows/0/models/{m}" if ds in WINDOWED else f"models/{m}"
        expected += [f"{trained}/checkpoint.npz", f"models/{m}/training_log.tsv"]
        expected += [f"models/{m}/ags.hapt.gz", f"privacy/{m}.gate.json"]  # evaluations' AGs
    missing = [p for p in expected if not (base / p).is_file()]
    assert not missing, f"{ds}: missing {missing}"
    assert [p for p in withheld if (base / p).exists()] == []  # a failed gate releases nothing


@pytest.mark.parametrize("ds", DATASETS)
def test_dataset_shapes_and_split(smoke_run, ds):
    data = smoke_run / "results" / ds / "data"
    legend = pd.read_csv(data / "snps.legend", sep=" ")
    assert list(legend.columns) == ["id", "position", "a0", "a1"]
    n_snps = SMOKE["datasets"][ds]["n_snps"]
    assert len(legend) == n_snps
    train_ids, train = read_hapt(data / "train.hapt.gz")
    test_ids, test = read_hapt(data / "test.hapt.gz")
    width = 2 * n_snps + 1 if ds == "pheno" else n_snps
    assert train.shape[1] == test.shape[1] == width
    assert set(np.unique(train)) <= {0, 1}

    def person(hap_id):  # pheno rows are individuals already
        return hap_id if ds == "pheno" else hap_id.rsplit("_", 1)[0]

    assert not {person(i) for i in train_ids} & {person(i) for i in test_ids}
    assert 2.5 <= len(train_ids) / len(test_ids) <= 3.5


def test_scan_trains_on_target_population_only(smoke_run):
    panel = pd.read_csv(smoke_run / "results/scan/data/panel.tsv", sep="\t")
    assert set(panel.loc[panel.split != "other", "pop"]) == {"CEU"}
    assert set(panel.loc[panel.split == "other", "pop"]) == {"YRI", "CHB"}


def test_scan_gan_pools_the_others_and_samples_the_target(smoke_run):
    """`pool_others`: trained on CEU + the YRI and CHB others, AGs of CEU only."""
    from genosynth.models import load_model
    from genosynth.models.base import read_checkpoint_meta

    data = smoke_run / "results/scan/data"
    panel = pd.read_csv(data / "panel.tsv", sep="\t")
    trained = panel[panel.split.isin(["train", "other"])]
    counts = trained["pop"].value_counts().sort_index()  # classes CEU, CHB, YRI
    checkpoint = smoke_run / "results/scan/models/gan/checkpoint.npz"
    model = load_model(checkpoint)
    np.testing.assert_allclose(model.label_proportions, counts / counts.sum())
    target = read_checkpoint_meta(checkpoint)["provenance"]["target_proportions"]
    assert target == [1.0, 0.0, 0.0]
    _, ags = read_hapt(smoke_run / "results/scan/models/gan/ags.hapt.gz")
    assert len(ags) == (panel.split != "other").sum()  # as many as real CEU haplotypes


@pytest.mark.parametrize("ds", ["wide", "pheno"])
@pytest.mark.parametrize("model", MODELS)
def test_ag_vcf_matches_hapt_and_legend(smoke_run, ds, model):
    require_release(smoke_run, ds, model)
    base = smoke_run / "results" / ds
    legend = pd.read_csv(base / "data/snps.legend", sep=" ")
    _, ags = read_hapt(base / f"ags/{model}.hapt.gz")
    with pysam.VariantFile(str(base / f"ags/{model}.vcf.gz")) as vcf:
        records = list(vcf)
        n_samples = len(vcf.header.samples)
        contig = vcf.header.contigs["1"].length
    assert [r.pos for r in records] == legend.position.tolist()
    assert [r.id for r in records] == legend.id.tolist()  # the simulated VCF's IDs
    assert [r.ref for r in records] == legend.a0.tolist()
    assert [r.alts[0] for r in records] == legend.a1.tolist()
    assert contig == SMOKE["sources"]["demo"]["simulate"]["sequence_length"]
    gts = np.array([[s["GT"] for s in r.samples.values()] for r in records])  # (sites, samples, 2)
    alleles = plink.read_pgen(base / f"ags/{model}.pgen")  # (sites, 2 * samples)
    if ds == "pheno":  # unphased genotype pairs; the phenotype column is not a site
        assert n_samples == ags.shape[0]
        dosage = ags[:, :-1].reshape(ags.shape[0], -1, 2).sum(axis=2)
        np.testing.assert_array_equal(gts.sum(axis=2).T, dosage)
        np.testing.assert_array_equal(alleles.reshape(len(records), -1, 2).sum(axis=2).T, dosage)
    else:  # consecutive haplotypes pair into phased diploids
        assert n_samples == ags.shape[0] // 2
        np.testing.assert_array_equal(gts[:, :, 0].T, ags[0 : 2 * n_samples : 2])
        np.testing.assert_array_equal(gts[:, :, 1].T, ags[1 : 2 * n_samples : 2])
        np.testing.assert_array_equal(alleles.T, ags[: 2 * n_samples])
    af = [r.info["AF"][0] for r in records]
    np.testing.assert_allclose(af, gts.mean(axis=(1, 2)), rtol=1e-5)
    view = subprocess.run(["bcftools", "view", "-H", str(base / f"ags/{model}.vcf.gz")],
                          capture_output=True, text=True)  # fmt: skip
    assert view.returncode == 0 and view.stderr == "", view.stderr
    assert len(view.stdout.splitlines()) == len(legend)


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
    "training",
    "rbm_hidden",
]


def test_every_promised_figure_is_drawn(smoke_run):
    """What each figure draws is checked on hand-made data (tests/unit/test_*figures.py)."""
    # one RBM per window in a windowed dataset: no dataset-wide rbm_hidden figure
    promised = [(ds, f) for ds in DATASETS for f in FIGURES
                if not (ds in WINDOWED and f == "rbm_hidden")]  # fmt: skip
    missing = [f"{ds}/{f}" for ds, f in promised
               if not (smoke_run / "results" / ds / f"figures/{f}.png").is_file()]  # fmt: skip
    assert not missing


def _rows(base, ds, name):
    """Rows of ``base/name`` as the evaluations read them (pheno: the phenotype column dropped)."""
    from genosynth.steps.common import drop_phenotype

    layout = "genotype_pairs" if ds == "pheno" else "haplotypes"
    return drop_phenotype(read_hapt(base / name)[1], layout)


@pytest.mark.parametrize("ds", ["wide", "pheno"])
def test_metric_rows_recomputed_from_the_smoke_files(smoke_run, ds):
    """The real (held-out) yardsticks and each model's privacy rows, recomputed here."""
    from genosynth import evaluate

    base = smoke_run / "results" / ds
    metrics = pd.read_csv(base / "metrics.tsv", sep="\t").set_index(["model", "metric"])["value"]
    train, test = (_rows(base, ds, f"data/{s}.hapt.gz") for s in ("train", "test"))
    held_out = evaluate.aats(train, test, seed=0)
    assert metrics["real", "aats_train"] == pytest.approx(held_out["AATS"])
    assert metrics["real", "aa_syn_train"] == pytest.approx(held_out["AA_syn"])
    if ds == "wide":  # haplotypes: the pairwise-difference and LD rows on the same rows
        real = np.concatenate([train, test])
        d = evaluate.pairwise_differences(real, max_pairs=50_000, seed=0)
        assert metrics["real", "pairwise_differences_mean"] == pytest.approx(d.mean())
        pos = pd.read_csv(base / "data/snps.legend", sep=" ")["position"].to_numpy()
        decay = evaluate.ld_decay(real, pos, n_bins=50)
        want = evaluate.ld_decay_mae(decay, evaluate.ld_decay(test, pos, n_bins=50))
        assert metrics["real", "ld_decay_mae"] == pytest.approx(want)
    for m in MODELS:
        ags = _rows(base, ds, f"models/{m}/ags.hapt.gz")
        want = evaluate.privacy_metrics(train, test, ags, seed=0)
        for key in ("aats_train", "aats_test", "membership_auc", "exact_copies"):
            assert metrics[m, key] == pytest.approx(want[key]), (m, key)


@pytest.mark.parametrize("ds", DATASETS)
def test_metrics_rows_are_finite(smoke_run, ds):
    metrics = pd.read_csv(smoke_run / "results" / ds / "metrics.tsv", sep="\t")
    assert list(metrics.columns) == ["dataset", "model", "metric", "value"]
    assert (metrics.dataset == ds).all()
    assert np.isfinite(metrics.value).all(), metrics[~np.isfinite(metrics.value)]
    expected = [
        "pc1_variance_ratio",
        "allele_frequency_pearson_r",
        "allele_frequency_rmse",
        "ld_decay_mae",
        "aats_train",
        "aats_test",
        "aa_truth_train",
        "aa_syn_test",
        "privacy_loss",
        "privacy_loss_matched",
        "exact_copies",
        "membership_auc",
        "closest_ag_distance_median",
        "pairwise_differences_mean",
        "diversity_ratio",
    ]
    for m in MODELS:
        rows = metrics[metrics.model == m].set_index("metric")["value"]
        missing = [e for e in expected if e not in rows]
        assert not missing, f"{ds}/{m}: no {missing}"
        assert rows["privacy_loss"] == pytest.approx(rows["aats_test"] - rows["aats_train"])
        matched = rows["aats_test_matched"] - rows["aats_train_matched"]
        assert rows["privacy_loss_matched"] == pytest.approx(matched)
        assert rows["epochs"] == SMOKE["models"][m].get("epochs", 1)
    assert (metrics[metrics.model == "real"].metric == "pairwise_differences_mean").any()
    tv = metrics[metrics.metric == "local_haplotype_tv"].set_index("model")["value"]
    assert set(tv.index) == {"real", *MODELS}
    if ds == "dense":  # linked SNPs: independent sites (bernoulli) break the local haplotypes
        assert tv["bernoulli"] > tv["real"] + 0.2, tv  # measured 0.87 against 0.14
        assert tv["markov"] < tv["bernoulli"] - 0.1, tv  # a Markov chain keeps some: 0.66
    summary = pd.read_csv(smoke_run / "results/summary.tsv", sep="\t")
    assert set(summary.dataset) == set(DATASETS) | {"dna"}  # DNA track: dataset "dna"


@pytest.mark.parametrize("model", ["gan", "rbm"])
def test_iterative_training_log(smoke_run, model):
    log = pd.read_csv(smoke_run / f"results/wide/models/{model}/training_log.tsv", sep="\t")
    epochs = SMOKE["models"][model]["epochs"]
    assert log.epoch.tolist() == list(range(1, epochs + 1))
    evaluated = log.dropna(subset=["aats"])
    assert evaluated.epoch.tolist() == list(range(10, epochs + 1, 10))
    assert evaluated.aats.tolist() == pytest.approx(
        (0.5 * (evaluated.aa_truth + evaluated.aa_syn)).tolist()
    )
    assert (evaluated.diversity > 0).all()
    metrics = pd.read_csv(smoke_run / "results/wide/metrics.tsv", sep="\t")
    final = metrics[(metrics.model == model) & (metrics.metric == "final_training_aats")].value
    assert final.tolist() == [pytest.approx(evaluated.aats.iloc[-1])]


@pytest.mark.parametrize("model", MODELS)
def test_ags_and_tables_record_their_provenance(smoke_run, model):
    """Sidecars name version, seed and params (README "Provenance"); the VCF header too."""
    from genosynth import __version__
    from genosynth.provenance import read_provenance

    require_release(smoke_run, "wide", model)
    base = smoke_run / "results/wide"
    made = read_provenance(base / f"ags/{model}.hapt.gz")  # also checks the file's sha256
    assert made["genosynth_version"] == __version__ and made["step"] == "sample"
    assert made["seed"] == made["params"]["sampling"]["seed"] == 7  # schema default
    assert made["params"]["model"] == model
    assert made["params"]["training"]["seed"] == SMOKE["models"][model]["seed"]
    assert made["released_from"] == f"results/wide/models/{model}/ags.hapt.gz"
    verdict = json.loads((base / f"privacy/{model}.gate.json").read_text())
    assert made["privacy_gate"]["verdict"] == verdict["verdict"] in {"passed", "overridden"}
    assert made["privacy_gate"]["failures"] == verdict["failures"] == []  # passed
    with pysam.VariantFile(str(base / f"ags/{model}.vcf.gz")) as vcf:
        header = [r for r in vcf.header.records if r.key == "genosynth_provenance"]
    in_vcf = json.loads(header[0].value)
    assert in_vcf["made"]["seed"] == 7 and in_vcf["made"]["params"]["model"] == model
    assert in_vcf["privacy_gate"] == made["privacy_gate"]
    table = read_provenance(base / f"privacy/{model}.tsv")
    assert table["step"] == "privacy_metrics" and table["params"]["model"] == model
    umap = read_provenance(base / "metrics/umap.tsv")
    assert sorted(umap["params"]["models"]) == sorted(MODELS)
    assert umap["seed"] == umap["params"]["settings"]["random_state"] == 0
    split = read_provenance(base / "data/train.hapt.gz")
    assert split["seed"] == 42  # schema default of split.seed
    assert split["params"]["dataset"]["n_snps"] == SMOKE["datasets"]["wide"]["n_snps"]


def test_ags_drawn_again_are_the_same_bytes(smoke_run, tmp_path, monkeypatch):
    """`sample_ags` and `export_ags_vcf` again for every dataset and model: every AG file
    (.hapt.gz, its sidecar, .vcf.gz, .tbi, .pgen/.pvar/.psam) is the smoke run's bytes
    (issue 37, point 8).

    The steps run as the rules call them, on the smoke run's checkpoints and data (linked),
    with the relative paths and parameters its AG sidecars recorded, into another folder.
    """
    from genosynth.models import MODELS as REGISTRY
    from genosynth.provenance import read_provenance
    from genosynth.steps import export, sample

    for ds in WHOLE:
        (tmp_path / f"results/{ds}").mkdir(parents=True)
        for folder in ("data", "privacy"):
            (tmp_path / f"results/{ds}/{folder}").symlink_to(smoke_run / f"results/{ds}/{folder}")
        for model in MODELS:  # the checkpoints linked, the evaluations' AGs drawn again
            checkpoint = f"results/{ds}/models/{model}/checkpoint.npz"
            (tmp_path / checkpoint).parent.mkdir(parents=True)
            (tmp_path / checkpoint).symlink_to(smoke_run / checkpoint)
    monkeypatch.chdir(tmp_path)
    for ds in WHOLE:
        models = [m for m in MODELS if released(smoke_run, ds, m)]
        for model in models:
            ags, vcf = f"results/{ds}/ags/{model}.hapt.gz", f"results/{ds}/ags/{model}.vcf.gz"
            drawn = f"results/{ds}/models/{model}/ags.hapt.gz"
            made = read_provenance(smoke_run / ags)
            params, inputs = made["params"], made["inputs"]
            sampling_only = REGISTRY[model].sampling_params
            sample.sample(
                checkpoint=inputs["checkpoint"],
                real=inputs["real"],
                train=inputs["train"],
                info=inputs["info"],
                ags=drawn,
                sampling=params["sampling"],
                model_settings={
                    k: v for k, v in params["model_params"].items() if k in sampling_only
                },
                repair=params["repair"],
            )
            assert (tmp_path / drawn).read_bytes() == (smoke_run / drawn).read_bytes()
            export.export_ags(
                ags=drawn,
                legend=f"results/{ds}/data/snps.legend",
                info=f"results/{ds}/data/dataset.json",
                gate=f"results/{ds}/privacy/{model}.gate.json",
                hapt=ags,
                vcf=vcf,
                tbi=f"{vcf}.tbi",
                **{x: f"results/{ds}/ags/{model}.{x}" for x in ("pgen", "pvar", "psam")},
            )
        files = sorted(p.name for p in (smoke_run / f"results/{ds}/ags").iterdir())
        assert files == sorted(p.name for p in (tmp_path / f"results/{ds}/ags").iterdir())
        assert len(files) == 7 * len(models), files
        for name in files:
            again, first = (base / f"results/{ds}/ags/{name}" for base in (tmp_path, smoke_run))
            assert again.read_bytes() == first.read_bytes(), f"{ds}/{name}"


def test_reproduction_table(smoke_run):
    """Every claim has a value or a reason: smoke runs every stage, on simulated data."""
    from genosynth.reproduction import CLAIMS, COLUMNS

    table = pd.read_csv(smoke_run / "results/reproduction.tsv", sep="\t", keep_default_na=False)
    assert list(table.columns) == COLUMNS and len(table) == len(CLAIMS) >= 20
    assert set(table.data) == {"simulated"}  # smoke data is simulated: every row a stand-in
    assert table.verdict.str.endswith(" (stand-in)").all(), table.verdict
    lost = table[table.this_run == "NA"]
    assert (lost.note == "not finite").all(), lost  # never NA for a stage that ran
    oracle = table[table.metric == "spearman_held_out"].this_run.astype(float)
    dna = pd.read_csv(smoke_run / "results/dna/metrics.tsv", sep="\t").set_index("metric")
    assert oracle.tolist() == pytest.approx([dna.value["spearman_held_out"]])
    row = table[(table.model == "gan") & (table.metric == "aats_test")].iloc[0]
    metrics = pd.read_csv(smoke_run / "results/wide/metrics.tsv", sep="\t")
    want = metrics[(metrics.model == "gan") & (metrics.metric == "aats_test")].value.iloc[0]
    assert row.paper_value == 0.5 and float(row.this_run) == pytest.approx(want)
    xpehh = table[(table.metric == "xpehh_pearson_r") & (table.model == "gan")].iloc[0]
    scan = pd.read_csv(smoke_run / "results/scan/metrics.tsv", sep="\t")
    want = scan[(scan.model == "gan") & (scan.metric == "xpehh_pearson_r")].value
    assert len(want) == 1 and float(xpehh.this_run) == pytest.approx(want.iloc[0])
    assert (smoke_run / "results/reproduction.md").read_text().startswith("# Reproduction")


def test_summary_flags_every_model(smoke_run):
    """summary.tsv's flag columns: the gate verdict of every model, collapse where measured."""
    summary = pd.read_csv(smoke_run / "results/summary.tsv", sep="\t")
    assert list(summary.columns[4:]) == ["collapsed", "privacy_gate", "non_finite"]
    flags = summary.drop_duplicates(["dataset", "model"]).set_index(["dataset", "model"])
    for ds in DATASETS:
        for model in MODELS:
            gate = json.loads((smoke_run / f"results/{ds}/privacy/{model}.gate.json").read_text())
            assert flags.loc[(ds, model), "privacy_gate"] == gate["verdict"]
            assert flags.loc[(ds, model), "collapsed"] in (True, False)


def test_every_metric_written_is_in_the_dictionary(smoke_run):
    tables = sorted((smoke_run / "results").glob("*/metrics.tsv"))
    names = set().union(*(pd.read_csv(t, sep="\t").dropna(subset=["value"]).metric for t in tables))
    summary = pd.read_csv(smoke_run / "results/summary.tsv", sep="\t")
    assert [t.parent.name for t in tables] == sorted([*DATASETS, "dna"])
    assert set(summary.metric) == names
    assert unknown_metrics(names) == []


def test_report_html_holds_every_figure(smoke_run):
    report = smoke_run / "results/report.html"
    run_snakemake(
        smoke_run, "--configfile", str(REPO / "config/smoke.yaml"), "--report", str(report)
    )
    html = report.read_text(errors="replace")
    assert len(html) > 100_000
    for caption in ("paper Fig 1", "paper Fig 2b", "paper Fig S13", "reproduction"):
        assert caption in html, caption


def test_ingest_report_counts(smoke_run):
    report = pd.read_csv(smoke_run / "results/sources/demo/ingest_report.tsv", sep="\t")
    counts = dict(zip(report.item, report["count"], strict=True))
    assert counts["kept_samples"] == 3 * SMOKE["sources"]["demo"]["simulate"]["n_per_population"]
    assert counts["kept_sites"] > 1000


def _scheduled_jobs(stdout: str) -> list[tuple[str, str]]:
    """(rule, wildcards) of every job a dry run schedules."""
    jobs, rule = [], None
    for line in stdout.splitlines():
        m = re.match(r"^(?:local)?(?:rule|checkpoint) (\w+):", line)
        if m:
            rule = m.group(1)
            jobs.append((rule, ""))
        elif rule and line.strip().startswith("wildcards:"):
            jobs[-1] = (rule, line.split(":", 1)[1].strip())
    return jobs


def test_markov_change_reruns_only_markov(smoke_run, tmp_path):
    config = yaml.safe_load((REPO / "config/smoke.yaml").read_text())
    config["models"]["markov"]["window"] = 3
    edited = tmp_path / "edited.yaml"
    edited.write_text(yaml.safe_dump(config))
    proc = run_snakemake(smoke_run, "--configfile", str(edited), "-n", "all")
    jobs = _scheduled_jobs(proc.stdout)
    rules = {r for r, _ in jobs}
    assert {"train_baseline", "sample_ags", "check_privacy_gate"} <= rules
    # the releases wait for the rerun gate (a checkpoint): a dry run cannot list them yet
    assert "export_ags_vcf" not in rules
    per_model = {"train_baseline", "sample_ags", "compute_privacy_metrics"} | RELEASE_RULES
    per_model |= WINDOW_RULES
    model_jobs = [w for r, w in jobs if r in per_model]
    assert model_jobs and all("markov" in w for w in model_jobs), model_jobs
    assert not rules & {"simulate_genotypes", "ingest_haplotypes", "subset_dataset"}
    assert rules <= {"train_baseline", "sample_ags", "all"} | RELEASE_RULES | EVALUATION_RULES | (
        WINDOW_RULES | {"measure_window_join"}
    )
    assert "plot_rbm_hidden" not in rules  # reads only the RBM
    unchanged = run_snakemake(smoke_run, "--configfile", str(REPO / "config/smoke.yaml"), "-n")
    assert _scheduled_jobs(unchanged.stdout) == []


def test_gan_change_reruns_only_gan_training_sampling_and_evaluations(smoke_run, tmp_path):
    config = yaml.safe_load((REPO / "config/smoke.yaml").read_text())
    config["models"]["gan"]["g_lr"] = 5.0e-5
    edited = tmp_path / "edited.yaml"
    edited.write_text(yaml.safe_dump(config))
    jobs = _scheduled_jobs(run_snakemake(smoke_run, "--configfile", str(edited), "-n").stdout)
    rules = {r for r, _ in jobs}
    trained = sorted(w for r, w in jobs if r == "train_network")
    assert trained == sorted(f"ds={d}, model=gan" for d in WHOLE)
    for rule in ("sample_ags", "compute_privacy_metrics", "check_privacy_gate", "export_ags_vcf"):
        expected = WHOLE if rule == "sample_ags" else DATASETS
        if rule == "export_ags_vcf":  # releases wait for the rerun gate (a checkpoint)
            expected = []
        assert sorted(w for r, w in jobs if r == rule) == sorted(
            f"ds={d}, model=gan" for d in expected
        ), (rule, jobs)
    windows = range(3)  # smoke.yaml's chrom: 240 SNPs in windows of 100 overlapping by 30
    assert sorted(w for r, w in jobs if r == "train_window") == sorted(
        f"ds=chrom, window={k}, model=gan" for k in windows
    )
    other_models = [(r, w) for r, w in jobs if "model=" in w and "model=gan" not in w]
    assert not other_models, other_models  # nothing of bernoulli, markov or rbm
    assert not rules & {"train_baseline", "plot_rbm_hidden"}
    assert not rules & {"simulate_genotypes", "ingest_haplotypes", "subset_dataset"}
    assert not {r for r in rules if "dna" in r}, rules  # the DNA track reads no AGs
    assert rules <= {"train_network", "sample_ags", "all"} | RELEASE_RULES | EVALUATION_RULES | (
        WINDOW_RULES | {"measure_window_join"}
    )
    assert {"plot_figure", "plot_training", "plot_aats", "gather_metrics"} <= rules


def _rbm_readout(config) -> list[str]:
    config["models"]["rbm"]["readout"] = "mean"  # a sampling parameter: the checkpoint stands
    return DATASETS


def _scan_rbm_repair(config) -> list[str]:
    overrides = config["datasets"]["scan"].setdefault("model_overrides", {})
    overrides["rbm"] = {"repair": {"flank": 2}}  # the workflow's sampling setting, one dataset
    return ["scan"]


@pytest.mark.parametrize("edit", [_rbm_readout, _scan_rbm_repair])
def test_rbm_sampling_change_redraws_ags_without_retraining(smoke_run, tmp_path, edit):
    config = yaml.safe_load((REPO / "config/smoke.yaml").read_text())
    datasets = edit(config)
    edited = tmp_path / "edited.yaml"
    edited.write_text(yaml.safe_dump(config))
    jobs = _scheduled_jobs(run_snakemake(smoke_run, "--configfile", str(edited), "-n").stdout)
    rules = {r for r, _ in jobs}
    assert not rules & {"train_network", "train_baseline", "train_window"}, jobs
    for rule in ("sample_ags", "compute_privacy_metrics", "check_privacy_gate", "export_ags_vcf"):
        expected = [d for d in datasets if rule != "sample_ags" or d not in WINDOWED]
        if rule == "export_ags_vcf":  # releases wait for the rerun gate (a checkpoint)
            expected = []
        assert sorted(w for r, w in jobs if r == rule) == sorted(
            f"ds={d}, model=rbm" for d in expected
        ), (rule, jobs)
    window_rules = {"sample_window", "join_windows", "measure_window_join"}
    assert rules <= {"sample_ags", "all"} | RELEASE_RULES | EVALUATION_RULES | window_rules


# The privacy gate's verdict on a model's AGs and the releases it lets through.
RELEASE_RULES = {"check_privacy_gate", "export_ags_vcf", "export_imputation_panel"}
EVALUATION_RULES = (
    {"plot_figure", "plot_aats", "plot_training", "plot_rbm_hidden"}  # every figure of FIGURES
    | {
        "compute_privacy_metrics",
        "gather_metrics",
        "summarize_metrics",
        "make_reproduction_table",
    }
    | {  # downstream analyses that read every model's AGs (workflow/rules/downstream.smk)
        "export_imputation_panel",
        "impute_genotypes",
        "plot_imputation",
        "scan_selection",
        "prepare_painting",
        "plot_phenotype",
    }
)


def test_ld_bin_change_reruns_only_ld_decay(smoke_run, tmp_path):
    config = yaml.safe_load((REPO / "config/smoke.yaml").read_text())
    config.setdefault("evaluate", {})["ld_decay"] = {"n_bins": 20}
    edited = tmp_path / "edited.yaml"
    edited.write_text(yaml.safe_dump(config))
    jobs = _scheduled_jobs(run_snakemake(smoke_run, "--configfile", str(edited), "-n").stdout)
    rules = {r for r, _ in jobs}
    after = {"gather_metrics", "summarize_metrics", "make_reproduction_table", "all"}
    assert rules == {"plot_figure", "measure_window_join"} | after, jobs  # the same LD bins
    figures = sorted(w for r, w in jobs if r == "plot_figure")
    assert figures == sorted(f"ds={d}, figure=ld_decay" for d in DATASETS)


@pytest.mark.parametrize("configfile", ["smoke.yaml", "paper.yaml"])
def test_lint_is_clean(tmp_path, configfile):
    proc = run_snakemake(
        tmp_path, "--configfile", str(REPO / "config" / configfile), "--lint", check=False
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "Lints for" not in out, out


def test_unknown_config_key_fails_before_any_job(tmp_path):
    config = yaml.safe_load((REPO / "config/smoke.yaml").read_text())
    config["datasets"]["wide"]["n_snpz"] = 10
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(config))
    proc = run_snakemake(tmp_path, "--configfile", str(bad), "--cores", "1", "all", check=False)
    assert proc.returncode != 0
    assert "config key 'datasets.wide.n_snpz': unknown key" in proc.stdout + proc.stderr
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize("model", ["markov", "gan"])
def test_windowed_dataset_joins_the_window_ags(smoke_run, model):
    """`chrom`: one model per window; the joined AGs continue each window's AGs past its overlap."""
    base = smoke_run / "results/chrom"
    plan = pd.read_csv(base / "windows/plan.tsv", sep="\t")
    assert list(zip(plan.start, plan.stop, strict=True)) == [(0, 100), (70, 170), (140, 240)]
    _, joined = read_hapt(base / f"models/{model}/ags.hapt.gz")
    windows = [read_hapt(base / f"windows/{k}/models/{model}/ags.hapt.gz")[1] for k in range(3)]
    assert joined.shape == (windows[0].shape[0], 240)
    np.testing.assert_array_equal(joined[:, :100], windows[0])
    for k, (start, stop) in enumerate([(70, 170), (140, 240)], start=1):
        done = plan.stop[k - 1]  # each joined row's tail is one row of window k, each used once
        tails = {row.tobytes(): i for i, row in enumerate(windows[k][:, done - start :])}
        assert all(row.tobytes() in tails for row in joined[:, done:stop])
    metrics = pd.read_csv(base / "metrics.tsv", sep="\t")
    rows = metrics[metrics.model == model].set_index("metric")["value"]
    assert rows["windows_joined"] == 3 and 0 <= rows["window_overlap_distance"] < 0.5
    assert rows["ld_decay_mae_border_excess"] == pytest.approx(
        rows["ld_decay_mae_border"] - rows["ld_decay_mae_inside"]
    )
    assert rows["exact_copies"] >= 0  # the privacy metrics of the joined AGs at full width
