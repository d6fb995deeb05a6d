# Evaluation of AGs against real haplotypes: figures and metrics (CONTRACT paths). plot_figure draws
# every figure of EVALUATION_FIGURES (structure, diversity, LD, privacy) with one script.


rule plot_figure:
    input:
        unpack(get_evaluation_inputs),
    output:
        figure=report(
            "results/{ds}/figures/{figure}.png",
            caption="../report/evaluation.rst",
            category="{ds}",
            subcategory=lambda w: EVALUATION_FIGURES[w.figure],
        ),
        metrics="results/{ds}/metrics/{figure}.tsv",
    log:
        "results/logs/plot_figure/{ds}/{figure}.log",
    benchmark:
        "results/benchmarks/plot_figure/{ds}/{figure}.tsv"
    conda:
        "../../envs/popgen.yaml"
    resources:
        mem_mb=get_mem_mb(8000),
        runtime=60,
    params:
        figure="{figure}",
        settings=lambda w: get_figure_settings(w.figure),
        models=MODELS,
    script:
        "../../scripts/plot_evaluation.py"


rule plot_rbm_hidden:
    input:
        checkpoint="results/{ds}/models/rbm/checkpoint.npz",
        ags="results/{ds}/models/rbm/ags.hapt.gz",
        train="results/{ds}/data/train.hapt.gz",
        test="results/{ds}/data/test.hapt.gz",
        panel="results/{ds}/data/panel.tsv",
    output:
        figure=report(
            "results/{ds}/figures/rbm_hidden.png",
            caption="../report/rbm_hidden.rst",
            category="{ds}",
            subcategory="Structure",
        ),
        metrics="results/{ds}/metrics/rbm_hidden.tsv",
    log:
        "results/logs/plot_rbm_hidden/{ds}.log",
    benchmark:
        "results/benchmarks/plot_rbm_hidden/{ds}.tsv"
    conda:
        "../../envs/popgen.yaml"
    script:
        "../../scripts/plot_rbm_hidden.py"


rule plot_training:
    input:
        unpack(lambda w: {m: f"results/{w.ds}/models/{m}/training_log.tsv" for m in MODELS}),
    output:
        figure=report(
            "results/{ds}/figures/training.png",
            caption="../report/training.rst",
            category="{ds}",
            subcategory="Training",
        ),
        metrics="results/{ds}/metrics/training.tsv",
    log:
        "results/logs/plot_training/{ds}.log",
    benchmark:
        "results/benchmarks/plot_training/{ds}.tsv"
    conda:
        "../../envs/popgen.yaml"
    params:
        models=MODELS,
    script:
        "../../scripts/plot_training.py"
