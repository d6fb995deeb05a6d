"""The workflow steps: what each ``scripts/<rule>.py`` calls, one module per stage.

A step takes plain paths and settings (the rule's params, never the Snakemake config),
computes everything before writing, and writes every output atomically, so a failing step
leaves no output behind. Steps are the only code that takes settings dicts; they call the
library below them (:mod:`genosynth.formats`, :mod:`genosynth.evaluate`,
:mod:`genosynth.downstream`, :mod:`genosynth.dna`, the models...), which never imports
``genosynth.steps``. This package imports none of its modules: a script loads only the
stage it runs (a smoke run starts dozens of steps, and matplotlib, TensorFlow or
scikit-allel take seconds to import on a busy machine).

* :mod:`~genosynth.steps.common` - what the steps share: metric table columns, dataset
  layouts, the dataset's ``dataset.json``, AGs as a VCF;
* :mod:`~genosynth.steps.data` - simulate the demo source, ingest a source, build a dataset
  (``simulate_genotypes``, ``ingest_haplotypes``, ``subset_dataset``);
* training a haplotype model (``train_model``) is still :func:`genosynth.training.train_model`;
  it is to move here as ``steps/train.py``;
* :mod:`~genosynth.steps.sample` - draw AGs from a checkpoint (``sample_ags``), for the
  evaluations only;
* :mod:`~genosynth.steps.privacy` - privacy metrics of a model's AGs, the AATS figure and
  the privacy gate's verdict on their release (``compute_privacy_metrics``, ``plot_aats``,
  ``check_privacy_gate``);
* :mod:`~genosynth.steps.export` - the release of AGs (``.hapt.gz`` and indexed VCF)
  through the gate (``export_ags_vcf``);
* :mod:`~genosynth.steps.evaluate` - the evaluation figures and their metric rows
  (``plot_evaluation``, ``plot_rbm_hidden``, ``plot_training``);
* :mod:`~genosynth.steps.windows` - windowed datasets: the split into windows, the join of
  each model's window AGs and its metrics (``split_windows`` ... ``measure_window_join``);
* :mod:`~genosynth.steps.report` - the metric tables gathered (``gather_metrics``);
* :mod:`~genosynth.steps.downstream` - imputation, selection scans, chromosome painting,
  phenotype association (``export_imputation_panel`` ... ``plot_phenotype``);
* :mod:`~genosynth.steps.dna` - the DNA track (``scripts/dna_*.py``).
"""
