# Privacy: AATS and privacy loss per model, and the privacy gate's verdict on its AGs that every
# release of them reads (the closest-distance and planted-genome sensitivity figures are drawn
# by plot_figure, workflow/rules/evaluate.smk).


rule compute_privacy_metrics:
    input:
        unpack(get_privacy_inputs),
    output:
        table="results/{ds}/privacy/{model}.tsv",
    log:
        "results/logs/compute_privacy_metrics/{ds}/{model}.log",
    benchmark:
        "results/benchmarks/compute_privacy_metrics/{ds}/{model}.tsv"
    conda:
        "../../envs/popgen.yaml"
    resources:
        mem_mb=get_mem_mb(8000),
        runtime=60,
    params:
        settings=config["evaluate"]["aats"],
    script:
        "../../scripts/compute_privacy_metrics.py"


# A checkpoint: `all` asks for a model's release only where its verdict lets it
# (get_release_targets); a failed verdict withholds the release, the run goes on.
checkpoint check_privacy_gate:
    input:
        table="results/{ds}/privacy/{model}.tsv",
        ags="results/{ds}/models/{model}/ags.hapt.gz",
    output:
        verdict="results/{ds}/privacy/{model}.gate.json",
    log:
        "results/logs/check_privacy_gate/{ds}/{model}.log",
    benchmark:
        "results/benchmarks/check_privacy_gate/{ds}/{model}.tsv"
    conda:
        "../../envs/popgen.yaml"
    params:
        privacy=config["privacy"],
        releases=lambda w: get_releases(w.ds, w.model),
    script:
        "../../scripts/check_privacy_gate.py"


rule plot_aats:
    input:
        unpack(lambda w: {m: f"results/{w.ds}/privacy/{m}.tsv" for m in MODELS}),
        real_train="results/{ds}/data/train.hapt.gz",
        real_test="results/{ds}/data/test.hapt.gz",
        real_info="results/{ds}/data/dataset.json",
        gates=lambda w: [f"results/{w.ds}/privacy/{m}.gate.json" for m in MODELS],
    output:
        figure=report(
            "results/{ds}/figures/aats.png",
            caption="../report/aats.rst",
            category="{ds}",
            subcategory="Privacy",
        ),
        metrics="results/{ds}/metrics/aats.tsv",
    log:
        "results/logs/plot_aats/{ds}.log",
    benchmark:
        "results/benchmarks/plot_aats/{ds}.tsv"
    conda:
        "../../envs/popgen.yaml"
    params:
        models=MODELS,
    script:
        "../../scripts/plot_aats.py"
