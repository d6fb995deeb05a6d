"""The DNA track's workflow steps (what each ``scripts/dna_*.py`` calls).

The methods are in :mod:`genosynth.dna`; these read and write the track's files. Data files
are ``.npz`` archives of ``uint8`` base codes (:mod:`genosynth.dna.sequences`):

* ``kmers.npz``: ``train``, ``valid``, ``test`` ``(n, k)``;
* ``exon_windows.npz``: ``codes`` ``(n, W)``, ``track`` ``int8 (n, W)``;
* ``binding_<set>.npz``: ``codes``, ``y`` (measured, float64), ``truth`` (the known score of
  simulated data, NaN otherwise), ``test`` (bool: held-out rows);
* ``binding_restricted.npz``: training rows whose oracle score is below a percentile.

Metric fragments are ``experiment metric value`` tables.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from genosynth.dna import logos, motifs
from genosynth.dna import sequences as seqs
from genosynth.dna import simulate as sim
from genosynth.dna.metrics import spearman
from genosynth.errors import ConfigError, InputError
from genosynth.fileio import atomic_path
from genosynth.provenance import write_table

__all__ = [
    "binding_units",
    "design",
    "edit_distance_figure",
    "extract_exon_windows",
    "extract_kmers",
    "gather_metrics",
    "latent_complementation_figure",
    "latent_interpolation_figure",
    "multi_property_codes",
    "oracle_figure",
    "plot_design",
    "prepare_binding",
    "restrict_binding",
    "simulate_binding",
    "simulate_genome",
    "splice_logos_figure",
    "train_generator",
    "train_oracle",
    "train_predictor",
    "write_designs_fasta",
]

log = logging.getLogger(__name__)
METRIC_COLUMNS = ["experiment", "metric", "value"]


def _save_npz(path, **arrays) -> None:
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, **arrays)


def _load(path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def _metrics(path, experiment: str, values: Mapping[str, float]) -> None:
    rows = [(experiment, k, float(v)) for k, v in values.items()]
    write_table(path, pd.DataFrame(rows, columns=METRIC_COLUMNS))


# --- data -------------------------------------------------------------------------------
def simulate_genome(*, fasta, annotation, settings: Mapping) -> None:
    """Write the demo genome (FASTA) and its planted exons (BED6)."""
    genome, exons = sim.simulate_genome(**settings)
    with atomic_path(fasta) as tmp:
        with open(tmp, "w") as fh:
            fh.write(">sim\n")
            fh.writelines(genome[i : i + 80] + "\n" for i in range(0, len(genome), 80))
    bed = exons.assign(name=[f"exon{i}" for i in range(len(exons))], score=0)
    with atomic_path(annotation) as tmp:
        bed[["chrom", "start", "end", "name", "score", "strand"]].to_csv(
            tmp, sep="\t", header=False, index=False
        )
    log.info("simulated %d nt with %d exons", len(genome), len(exons))


def extract_kmers(*, fasta, output, settings: Mapping) -> None:
    """Non-overlapping N-free k-mers of a genome, subsampled and split (train/valid/test)."""
    k = settings["length"]
    tiles = [seqs.tile_kmers(s, k) for _, _, s in seqs.read_genome(fasta)]
    codes = np.concatenate(tiles) if tiles else np.zeros((0, k), np.uint8)
    rng = np.random.default_rng(settings["seed"])
    if len(codes) > settings["max_sequences"]:
        codes = codes[np.sort(rng.choice(len(codes), settings["max_sequences"], replace=False))]
    if len(codes) < 10:
        raise InputError(fasta, f"only {len(codes)} N-free {k}-mers", fix="use a larger genome")
    parts = seqs.split_indices(len(codes), settings["split"], seed=rng)
    names = ("train", "valid", "test")
    _save_npz(output, **{name: codes[i] for name, i in zip(names, parts, strict=True)})
    log.info("%d %d-mers: %s", len(codes), k, [len(p) for p in parts])


def extract_exon_windows(*, fasta, annotation, output, table, settings: Mapping) -> None:
    """Exon-centred windows with their exon track (:func:`sequences.exon_windows`)."""
    exons = seqs.read_annotation(annotation, settings["annotation_format"])
    fate: dict = {}
    codes, track, kept = seqs.exon_windows(
        seqs.read_genome(fasta),
        exons,
        window=settings["window"],
        min_exon=settings["min_exon"],
        max_exon=settings["max_exon"],
        min_flank=settings["min_flank"],
        report=fate,
    )
    if len(codes) < 2:
        raise _too_few_windows(fasta, annotation, settings, fate)
    _save_npz(output, codes=codes, track=track)
    write_table(table, kept)
    log.info("%d exon windows of %d nt from %d exons", len(codes), codes.shape[1], len(exons))


def _too_few_windows(fasta, annotation, settings: Mapping, fate: Mapping) -> InputError:
    """The error for fewer than two exon windows, blaming the file that lost most of them."""
    problem = (
        f"{fate['kept']} exons of {settings['min_exon']}-{settings['max_exon']} nt fit in an "
        f"N-free {settings['window']}-nt window of the genome: of {fate['exons']} exons of "
        f"that length, {fate['no_record']} are on chromosomes without a FASTA record, "
        f"{fate['edge']} too near a record's end, {fate['flank']} with a flank under "
        f"{settings['min_flank']} nt, {fate['unknown_bases']} in windows holding N or IUPAC codes"
    )
    if fate["unknown_bases"] > max(fate["no_record"], fate["edge"], fate["flank"]):
        return InputError(fasta, problem + f" (annotation {annotation})",
                          fix="use a FASTA with fewer unknown bases (N, IUPAC codes)")  # fmt: skip
    return InputError(
        annotation,
        problem + f" (FASTA {fasta})",
        fix="check that annotation and FASTA are of the same build and chromosome names",
    )


def simulate_binding(*, table, settings: Mapping) -> None:
    """Write the simulated binding table (:func:`simulate.simulate_binding`)."""
    write_table(table, sim.simulate_binding(**settings))


def _read_binding_file(inputs: Mapping, part: str, settings: Mapping, rng):
    """Codes, values and truth of one part (``table`` or ``test``) of a binding set."""
    from genosynth.dna import binding

    fmt, path = settings["format"], inputs[part]
    if fmt == "simulate":
        frame = pd.read_csv(path, sep="\t")
        codes = seqs.encode(frame["sequence"].tolist(), path=path)
        y = frame[settings["column"]].to_numpy(float)
        return codes, y, frame[f"true_{settings['column']}"].to_numpy(float)
    if fmt == "selex":
        values = inputs["values" if part == "table" else "test_values"]
        codes, y = binding.read_selex(path, values, match=settings["match"])
    elif fmt == "fasta":
        codes, y = binding.read_scored_fasta(path)
    elif fmt in binding.REGION_FORMATS:
        regions = binding.read_regions(path, fmt)
        codes, negatives = binding.region_windows(
            seqs.read_genome(inputs["genome"]), regions, length=settings["length"], path=path,
            flank=settings["negatives"] == "flank",
        )  # fmt: skip
        y = np.r_[np.ones(len(codes)), np.zeros(len(negatives))]
        codes = np.concatenate([codes, negatives])
    else:
        codes, y = seqs.read_binding_table(path, fmt, column=settings["column"])
    y = binding.transform_values(y, settings["transform"], path=path)
    if settings["negatives"] == "shuffle" and not (y == 0).any():
        negatives = seqs.shuffle_bases(codes, rng)
        codes, y = np.concatenate([codes, negatives]), np.r_[y, np.zeros(len(y))]
    return codes, y, np.full(len(y), np.nan)


def prepare_binding(*, inputs: Mapping, output, settings: Mapping, split: Mapping) -> None:
    """One binding set: sequences, measurements (and truth), held-out flag.

    ``settings`` is the set's config: ``format`` (simulate, tsv, gcpbm, deepbind, selex,
    fasta, bed, narrowpeak; :mod:`genosynth.dna.binding`), ``column``, ``match`` (selex),
    ``length`` (regions), ``transform`` (none, log2, log1p; not for simulate), ``negatives``
    (``shuffle``: one composition-preserving shuffle per row of a table without zeros, i.e.
    positives only, labelled 0; ``flank``: flanking windows of regions). ``inputs``:
    ``table`` and optional ``test`` (the held-out part; without one a random
    ``split.test_fraction`` is held out), ``values``/``test_values`` (selex), ``genome``
    (regions).
    """
    if settings["negatives"] == "flank" and settings["format"] not in ("bed", "narrowpeak"):
        raise ConfigError(
            "dna.binding_sets.<set>.negatives",
            f"flank needs regions (format bed or narrowpeak), not {settings['format']}",
            fix="use negatives: shuffle or none",
        )
    rng = np.random.default_rng(split["seed"])
    codes, y, truth = _read_binding_file(inputs, "table", settings, rng)
    if "test" in inputs:
        t_codes, t_y, t_truth = _read_binding_file(inputs, "test", settings, rng)
        test = np.r_[np.zeros(len(y), bool), np.ones(len(t_y), bool)]
        codes, y, truth = np.concatenate([codes, t_codes]), np.r_[y, t_y], np.r_[truth, t_truth]
    else:
        _, held = seqs.split_indices(len(y), [1 - split["test_fraction"], split["test_fraction"]],
                                     seed=rng)  # fmt: skip
        test = np.zeros(len(y), bool)
        test[held] = True
    _save_npz(output, codes=codes, y=y, truth=truth, test=test)
    log.info("binding set: %d sequences of %d nt, %d held out", len(y), codes.shape[1], test.sum())


# --- models -----------------------------------------------------------------------------
def _generator_input(data: Mapping[str, np.ndarray], kind: str) -> np.ndarray:
    if kind == "exon":
        return np.concatenate([seqs.one_hot(data["codes"]), data["track"][..., None]], axis=-1)
    if kind == "seq":
        return seqs.one_hot(data["train"])
    return seqs.one_hot(data["codes"])


def multi_property_codes(sets: Sequence[Mapping[str, np.ndarray]]) -> np.ndarray:
    """The training probes of several binding sets, each distinct sequence once.

    Parameters
    ----------
    sets : binding data (``codes`` int8 (n, length), ``test`` bool (n,)), one per property

    Returns
    -------
    numpy.ndarray, int8, (n_unique, length)
        The rows outside every set's test split, in order of first appearance; a probe
        measured for two properties (the same library) is one row. Test probes stay unseen.
    """
    codes = np.concatenate([d["codes"][~d["test"]] for d in sets])
    _, first = np.unique(codes, axis=0, return_index=True)
    return codes[np.sort(first)]


def train_generator(*, data, kind: str, checkpoint, training_log, settings, threads) -> None:
    """Train a WGAN-GP (:func:`genosynth.steps.train.train_wgan`) on one data set.

    ``kind``: ``seq`` (the k-mers' training split), ``exon`` (windows + track, 5 channels),
    ``binding`` (the ``codes`` of a binding data file) or ``multi`` (``data`` lists the
    binding files of the multi-property sets: :func:`multi_property_codes`).
    """
    from genosynth.steps.train import train_wgan

    if kind == "multi":
        x = seqs.one_hot(multi_property_codes([_load(path) for path in data]))
    else:
        x = _generator_input(_load(data), kind)
    train_wgan(
        x, settings=settings, checkpoint=checkpoint, training_log=training_log, threads=threads
    )


def _fit_cnn(codes, y, *, settings: Mapping, threads, checkpoint):
    from genosynth.dna.predictors import BindingCNN

    params = {k: v for k, v in settings.items() if k != "seed"}
    model = BindingCNN(**params, threads=threads).fit(seqs.one_hot(codes), y, seed=settings["seed"])
    model.save(checkpoint, provenance={"seed": settings["seed"], "n_train": len(y)})
    return model


def train_oracle(*, data, checkpoint, predictions, settings: Mapping, threads) -> None:
    """Fit the oracle CNN on the training rows; write its scores of every sequence."""
    d = _load(data)
    train = ~d["test"]
    model = _fit_cnn(
        d["codes"][train], d["y"][train], settings=settings, threads=threads, checkpoint=checkpoint
    )
    table = pd.DataFrame(
        {
            "sequence": seqs.decode(d["codes"]),
            "split": np.where(d["test"], "test", "train"),
            "measured": d["y"],
            "truth": d["truth"],
            "oracle": model.predict(seqs.one_hot(d["codes"])),
        }
    )
    write_table(predictions, table)


def restrict_binding(*, predictions, output, percentile: float) -> None:
    """Training sequences whose oracle score is below ``percentile`` (paper: 40)."""
    table = pd.read_csv(predictions, sep="\t")
    train = table[table["split"] == "train"]
    cut = np.percentile(table["oracle"], percentile)
    kept = train[train["oracle"] < cut]
    _save_npz(
        output,
        codes=seqs.encode(kept["sequence"].tolist(), path=predictions),
        y=kept["measured"].to_numpy(float),
        oracle=kept["oracle"].to_numpy(float),
        truth=kept["truth"].to_numpy(float),
        cut=np.float64(cut),
    )
    log.info("%d of %d training sequences below the oracle's %g%% (%.3f)",
             len(kept), len(train), percentile, cut)  # fmt: skip


def train_predictor(*, data, checkpoint, settings: Mapping, threads) -> None:
    """Fit a predictor CNN on a binding file's training rows (all rows of a restricted file)."""
    d = _load(data)
    rows = ~d["test"] if "test" in d else np.ones(len(d["y"]), bool)
    _fit_cnn(d["codes"][rows], d["y"][rows], settings=settings, threads=threads,
             checkpoint=checkpoint)  # fmt: skip


# --- latent experiments, edit distance, logos -------------------------------------------
def latent_interpolation_figure(*, checkpoint, figure, metrics, settings: Mapping) -> None:
    """Fig 3: channels and argmax sequences along a line between two latent points."""
    from genosynth.dna import figures, latent
    from genosynth.dna.inference import load_generator

    model = load_generator(checkpoint)
    rng = np.random.default_rng(settings["seed"])
    z0, z1 = rng.standard_normal((2, model.params["latent_size"]))
    t, x = latent.interpolate(model, z0, z1, settings["n_points"])
    codes = x[..., :4].argmax(-1)
    changed = (codes[1:] != codes[:-1]).mean(axis=1)
    figures.latent_interpolation(figure, t, x, seqs.decode(codes), label=settings.get("label", ""))
    _metrics(metrics, "latent_interpolation", {
        "mean_base_change_per_step": changed.mean(),
        "end_to_end_difference": (codes[0] != codes[-1]).mean(),
    })  # fmt: skip


def latent_complementation_figure(*, checkpoint, figure, metrics, settings: Mapping) -> None:
    """Figs 4/10: logos of G(z) and G(-z) for z found to generate poly-A/C/G/T."""
    from genosynth.dna import figures, latent
    from genosynth.dna.wgan import load_wgan

    model = load_wgan(checkpoint)
    n = settings["n_per_base"]
    z = latent.find_poly_latents(
        model, n_per_base=n, steps=settings["steps"], lr=settings["lr"], seed=settings["seed"]
    )
    res = latent.complementation(model, z, n)
    figures.latent_complementation(figure, res, n, label=settings.get("label", ""))
    values = {"target_share": res["target_share"], "complement_share": res["complement_share"]}
    values |= {
        f"complement_share_{b}": v
        for b, v in zip("ACGT", res["complement_share_by_base"], strict=True)
    }
    _metrics(metrics, "latent_complementation", values)


def edit_distance_figure(*, checkpoint, data, figure, metrics, settings: Mapping) -> None:
    """Fig 5: edit distance to the nearest training sequence, generated vs held-out real."""
    from genosynth.dna import figures, latent
    from genosynth.dna.inference import load_generator

    d = _load(data)
    model = load_generator(checkpoint)
    rng = np.random.default_rng(settings["seed"])
    n = min(settings["n_samples"], len(d["test"]))
    reference = d["train"]
    if len(reference) > settings["max_reference"]:
        reference = reference[rng.choice(len(reference), settings["max_reference"], replace=False)]
    generated = model.sample(n, seed=rng)[..., :4].argmax(-1).astype(np.uint8)
    held_out = d["test"][rng.choice(len(d["test"]), n, replace=False)]
    dist_gen = latent.nearest_edit_distance(generated, reference)
    dist_real = latent.nearest_edit_distance(held_out, reference)
    figures.edit_distance(figure, dist_gen, dist_real, label=settings.get("label", ""))
    _metrics(metrics, "edit_distance", {
        "generated_mean": dist_gen.mean(),
        "held_out_mean": dist_real.mean(),
        "generated_exact_copies": (dist_gen == 0).mean(),
        "held_out_exact_copies": (dist_real == 0).mean(),
        "n_reference": len(reference),
        "n_samples": n,
    })  # fmt: skip


def splice_logos_figure(*, checkpoint, data, figure, metrics, settings: Mapping) -> None:
    """Fig 6: information logos at exon starts and ends, training vs generated windows."""
    from genosynth.dna import figures
    from genosynth.dna.inference import load_generator

    d = _load(data)
    model = load_generator(checkpoint)
    flank = settings["flank"]
    x = model.sample(settings["n_samples"], seed=settings["seed"])
    gen_codes, gen_track = x[..., :4].argmax(-1).astype(np.uint8), x[..., 4]
    blocks = {
        "real": logos.align_boundaries(d["codes"], d["track"], flank=flank),
        "generated": logos.align_boundaries(gen_codes, gen_track, flank=flank),
    }
    figures.splice_logos(figure, blocks, flank, label=settings.get("label", ""))
    values = {}
    for name, (starts, ends) in blocks.items():
        info = logos.splice_site_information(starts, ends, flank=flank)
        values |= {f"{k}_{name}": v for k, v in info.items()}
    _metrics(metrics, "splice_logos", values)


def oracle_figure(*, predictions, figure, metrics, settings: Mapping | None = None) -> None:
    """Fig 8a: measured vs oracle-predicted binding on held-out sequences; ``settings``
    (optional): the set's ``set`` name, ``format``, ``transform`` and ``label`` (titles)."""
    from genosynth.dna import figures

    table = pd.read_csv(predictions, sep="\t")
    test = table[table["split"] == "test"]
    rho = spearman(test["measured"], test["oracle"])
    r = float(np.corrcoef(test["measured"], test["oracle"])[0, 1])
    settings = settings or {}
    units = binding_units(settings) if "format" in settings else ""
    figures.binding_oracle(figure, test["measured"].to_numpy(), test["oracle"].to_numpy(), rho,
                           tf=settings.get("set", ""), units=units,
                           label=settings.get("label", ""))  # fmt: skip
    values = {"spearman_held_out": rho, "pearson_held_out": r, "n_held_out": len(test)}
    if test["truth"].notna().all():
        values["spearman_truth_held_out"] = spearman(test["truth"], test["oracle"])
    _metrics(metrics, "binding_oracle", values)


# --- design -----------------------------------------------------------------------------
def _motif(settings: Mapping) -> tuple[str, np.ndarray]:
    """Name and counts of the motif-design matrix (``motif_file`` or ``jaspar`` or embedded)."""
    path = settings.get("motif_file") or settings.get("jaspar")
    return motifs.read_motif(path, settings["motif"], fmt=settings.get("motif_format", "auto"))


def _score_fn(experiment: str, inputs: Mapping, settings: Mapping):
    """The design objective (TensorFlow) and the numpy scorers recorded per design."""
    from genosynth.dna.predictors import load_predictor, pwm_score_tf

    if experiment == "motif_design":
        _, counts = _motif(settings)
        weights = motifs.log_odds(counts)
        return pwm_score_tf(weights), {"pwm": lambda x: motifs.pwm_scan(x, weights)}
    if experiment == "binding_design":
        predictor, oracle = load_predictor(inputs["predictor"]), load_predictor(inputs["oracle"])
        return predictor.score_tf(), {"predictor": predictor.predict, "oracle": oracle.predict}
    a, b = load_predictor(inputs["predictor_a"]), load_predictor(inputs["predictor_b"])
    fa, fb, w = a.score_tf(), b.score_tf(), settings["weight"]
    scorers = {"predictor_a": a.predict, "predictor_b": b.predict}
    return (lambda x: fa(x) - w * fb(x)), scorers


def _length(experiment: str, inputs: Mapping) -> int:
    if experiment == "binding_design":
        return int(_load(inputs["restricted"])["codes"].shape[1])
    if experiment == "multi_property_design":
        return int(_load(inputs["data_a"])["codes"].shape[1])
    return int(_load(inputs["kmers"])["train"].shape[1])


def design(
    *, experiment: str, inputs: Mapping, output, settings: Mapping, threads=1, fasta=None
) -> None:
    """Design sequences for one experiment and score them (``designs/<experiment>.tsv``, and
    the same as ``fasta`` (:func:`write_designs_fasta`) where given).

    ``settings``: ``method`` (``joint`` through ``inputs["generator"]`` or ``activation``),
    ``n_designs``, ``steps``, ``lr``, ``prior_weight``, ``noise``, ``seed``, plus the
    experiment's own keys (``motif``/``jaspar``; ``weight``).
    """
    from genosynth.dna import design as design_lib
    from genosynth.tfutils import configure_threads

    configure_threads(threads)
    objective, scorers = _score_fn(experiment, inputs, settings)
    common = {k: settings[k] for k in ("steps", "lr", "prior_weight", "noise", "seed")}
    if settings["method"] == "joint":
        from genosynth.dna.wgan import load_wgan

        model = load_wgan(inputs["generator"])
        _, codes, trace, _ = design_lib.joint_design(
            model.generator,
            objective,
            n=settings["n_designs"],
            latent_size=model.params["latent_size"],
            **common,
        )
        start = model.sample(settings["n_designs"], seed=[settings["seed"], 1])[..., :4]
    elif settings["method"] == "activation":
        length = _length(experiment, inputs)
        _, codes, trace = design_lib.activation_maximization(
            objective, n=settings["n_designs"], length=length, **common
        )
        start = seqs.one_hot(np.random.default_rng(settings["seed"]).integers(0, 4, codes.shape))
    else:
        raise ConfigError(f"dna.design.{experiment}.method", f"unknown {settings['method']!r}")
    x = seqs.one_hot(codes)
    table = pd.DataFrame({"experiment": experiment, "design": np.arange(len(codes)),
                          "sequence": seqs.decode(codes)})  # fmt: skip
    for name, fn in scorers.items():
        table[name] = fn(x)
        table[f"{name}_start"] = fn(seqs.one_hot(start.argmax(-1)))
    log.info("%s: objective %.3f -> %.3f over %d steps", experiment, trace[0], trace[-1],
             len(trace))  # fmt: skip
    write_table(output, table)
    if fasta is not None:
        write_designs_fasta(fasta, table)


def write_designs_fasta(path, table: pd.DataFrame) -> None:
    """Designs as FASTA, atomically: ``><experiment>_<design> <score>=<value> ...``, then the
    sequence on one line; the scores are every column of ``table`` but ``experiment``,
    ``design`` and ``sequence`` (6 significant digits, ``nan`` where missing)."""
    scores = [c for c in table.columns if c not in ("experiment", "design", "sequence")]
    lines = []
    for row in table.itertuples(index=False):
        values = " ".join(f"{c}={float(getattr(row, c)):.6g}" for c in scores)
        lines.append(f">{row.experiment}_{row.design} {values}".rstrip())
        lines.append(str(row.sequence))
    with atomic_path(path) as tmp:
        tmp.write_text("\n".join(lines) + "\n")


def _truth(codes: np.ndarray, settings: Mapping):
    """True scores (one array per set column) of simulated binding sets, else ``None``."""
    if not settings.get("simulation"):
        return None
    sim_settings = settings["simulation"]
    out = []
    for col in settings["columns"]:
        counts = motifs.read_jaspar(None, sim_settings["motifs"][col])[1]
        out.append(sim.binding_truth(codes, counts, concentration=sim_settings["concentration"]))
    return out


def binding_units(spec: Mapping) -> str:
    """Axis unit of a binding set's measured values, from its ``format`` and ``transform``."""
    units = {
        "simulate": "simulated log2 binding",
        "gcpbm": "gcPBM log signal",
        "deepbind": "bound 1 / unbound 0",
        "bed": "bound 1 / unbound 0",
        "narrowpeak": "bound 1 / unbound 0",
        "selex": "SELEX value",
        "fasta": "score",
    }.get(spec["format"], spec.get("column", "score"))
    transform = spec.get("transform", "none")
    if transform == "none" or spec["format"] == "simulate":
        return units
    return f"{transform}({units})"


def _core(settings: Mapping) -> tuple[str, np.ndarray]:
    """Name of the motif-design motif and its consensus core (:func:`metrics.motif_core`)."""
    from genosynth.dna.metrics import motif_core

    name, counts = _motif(settings["core"]) if "core" in settings else _motif(settings)
    return name, motif_core(counts)


def plot_design(*, experiment: str, designs, inputs: Mapping, figure, metrics, settings) -> None:
    """Figure and metrics of one design experiment (Figs 7, 8b, 9).

    Every experiment reports :func:`genosynth.dna.metrics.design_report`: copies of training
    sequences (which never count as successes), distance to the nearest training sequence,
    distinct designs, the share of novel designs above the *full* data's top decile and
    maximum, and the motif-design motif's core content; plus its own metrics. Scores: PWM
    (motif design; full data every k-mer), oracle (binding design; full data every probe of
    the set), predictor margin ``A - weight * B`` (multi-property; full data every sequence
    of both sets). ``settings["label"]`` names the data in the titles.
    """
    table = pd.read_csv(designs, sep="\t")
    codes = seqs.encode(table["sequence"].tolist(), path=designs)
    values: dict[str, float] = {"n_designs": len(table)}
    core_name, core = _core(settings)
    core_text = f"{seqs.decode(core[None])[0]} ({core_name})"
    label = settings.get("label", "")
    experiment_report = {
        "motif_design": _motif_design_values,
        "binding_design": _binding_design_values,
    }
    report = experiment_report.get(experiment, _multi_design_values)
    values |= report(figure, table, codes, inputs, settings, core, label)
    log.info("%s: %d designs, %.0f %% copies of training sequences, core %s", experiment,
             len(table), 100 * values["design_copy_share"], core_text)  # fmt: skip
    _metrics(metrics, experiment, values)


def _motif_design_values(
    figure, table, codes, inputs: Mapping, settings: Mapping, core, label: str
) -> dict:
    """Motif design (Fig 7): PWM scores of the designs against every k-mer, and its figure."""
    from genosynth.dna import figures
    from genosynth.dna.metrics import design_report

    values: dict[str, float] = {}
    name, counts = _motif(settings)
    weights = motifs.log_odds(counts)
    best = weights.max(axis=1).sum()
    kmers = _load(inputs["kmers"])
    every = np.concatenate([kmers["train"], kmers["valid"], kmers["test"]])
    full = motifs.pwm_scan(seqs.one_hot(every), weights)
    report = design_report(codes, table["pwm"], kmers["train"], full, core=core)
    values |= report | {
        "pwm_score_mean": table["pwm"].mean(),
        "pwm_score_start_mean": table["pwm_start"].mean(),
        "pwm_score_max_possible": best,
        "share_above_80pct_of_max": (table["pwm"] >= 0.8 * best).mean(),
    }
    figures.motif_design(figure, counts, name, codes, weights, label=label)
    return values


def _binding_design_values(
    figure, table, codes, inputs: Mapping, settings: Mapping, core, label: str
) -> dict:
    """Binding design (Fig 8b): oracle scores against the restricted training set and every
    probe, and its figure."""
    from genosynth.dna import figures
    from genosynth.dna.metrics import design_report

    values: dict[str, float] = {}
    restricted = _load(inputs["restricted"])
    predictions = pd.read_csv(inputs["predictions"], sep="\t")
    train_codes = seqs.encode(
        predictions.loc[predictions["split"] == "train", "sequence"].tolist(),
        path=inputs["predictions"],
    )
    train_max = restricted["oracle"].max()
    report = design_report(codes, table["oracle"], train_codes, predictions["oracle"],
                           core=core)  # fmt: skip
    values |= report | {
        "oracle_training_max": train_max,
        "oracle_design_mean": table["oracle"].mean(),
        "oracle_design_median": table["oracle"].median(),
        "share_above_training_max": (table["oracle"] > train_max).mean(),
        "oracle_design_max": table["oracle"].max(),
        # fold over the training maximum, scores measured from the training minimum (the
        # oracle's scale has no zero: log signal, standardised values)
        "oracle_design_max_fold": (table["oracle"].max() - restricted["oracle"].min())
        / (train_max - restricted["oracle"].min()),
        "predictor_oracle_spearman": spearman(table["predictor"], table["oracle"]),
    }
    truth = _truth(codes, settings)
    if truth is not None:
        designed_truth, train_truth = truth[0], restricted["truth"]
        values |= {
            "truth_training_max": np.nanmax(train_truth),
            "truth_design_mean": designed_truth.mean(),
            "truth_share_above_training_max": (designed_truth > np.nanmax(train_truth)).mean(),
        }
    name = settings["set"]
    spec = settings.get("set_specs", {}).get(name, {"format": "score"})
    figures.binding_design(
        figure, restricted["oracle"], table["oracle"].to_numpy(), train_max,
        full=predictions["oracle"].to_numpy(), tf=name, units=binding_units(spec),
        label=label, copies=report["design_copy_share"],
    )  # fmt: skip
    return values


def _multi_design_values(
    figure, table, codes, inputs: Mapping, settings: Mapping, core, label: str
) -> dict:
    """Multi-property design (Fig 9): the predictor margin A - weight * B against every
    sequence of both sets, and its figure."""
    from genosynth.dna import figures
    from genosynth.dna.metrics import design_report

    values: dict[str, float] = {}
    da, db = _load(inputs["data_a"]), _load(inputs["data_b"])
    from genosynth.dna.inference import load_predictor

    a, b = load_predictor(inputs["predictor_a"]), load_predictor(inputs["predictor_b"])
    w = settings.get("weight", 1.0)
    train_codes = np.concatenate([da["codes"][~da["test"]], db["codes"][~db["test"]]])
    train_codes = np.unique(train_codes, axis=0)
    full_codes = np.unique(np.concatenate([da["codes"], db["codes"]]), axis=0)
    x_train, x_full = seqs.one_hot(train_codes), seqs.one_hot(full_codes)
    train_a, train_b = a.predict(x_train), b.predict(x_train)
    train_margin = train_a - w * train_b
    full_margin = a.predict(x_full) - w * b.predict(x_full)
    design_margin = (table["predictor_a"] - w * table["predictor_b"]).to_numpy()
    report = design_report(codes, design_margin, train_codes, full_margin, core=core)
    values |= report | {
        "margin_design_mean": design_margin.mean(),
        "margin_training_mean": train_margin.mean(),
        "margin_training_max": train_margin.max(),
        "margin_design_minus_training_max": design_margin.mean() - train_margin.max(),
        "share_above_training_max_margin": (design_margin > train_margin.max()).mean(),
    }
    truth = _truth(codes, settings)
    if truth is not None:
        (ta, tb), (ra, rb) = truth, _truth(train_codes, settings)
        values |= {
            "truth_margin_design_mean": (ta - w * tb).mean(),
            "truth_margin_training_max": (ra - w * rb).max(),
            "truth_share_above_training_max_margin": ((ta - w * tb) > (ra - w * rb).max()).mean(),
        }
    specs = settings.get("set_specs", {})
    figures.multi_property_design(
        figure, (train_a, train_b),
        (table["predictor_a"].to_numpy(), table["predictor_b"].to_numpy()),
        settings["sets"], weight=w, threshold=report["full_data_top_decile"],
        units=[binding_units(specs.get(n, {"format": "score"})) for n in settings["sets"]],
        label=label, above=report["design_above_top_decile_share"],
    )  # fmt: skip
    return values


def gather_metrics(*, fragments: Sequence, output) -> None:
    """Concatenate metric fragments into ``results/dna/metrics.tsv``."""
    frames = [pd.read_csv(f, sep="\t") for f in fragments]
    table = pd.concat(frames, ignore_index=True)[METRIC_COLUMNS]
    write_table(output, table)
