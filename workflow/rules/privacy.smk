# Privacy: AATS and privacy loss per model (the closest-distance and planted-genome sensitivity
# figures are drawn by plot_figure, workflow/rules/evaluate.smk).


rule compute_privacy_metrics:
    input:
        train="results/{ds}/data/train.hapt.gz",
        test="results/{ds}/data/test.hapt.gz",
        info="results/{ds}/data/dataset.json",
        ags="results/{ds}/ags/{model}.hapt.gz",
    output:
        table="results/{ds}/privacy/{model}.tsv",
    log:
        "results/logs/compute_privacy_metrics/{ds}/{model}.log",
    benchmark:
        "results/benchmarks/compute_privacy_metrics/{ds}/{model}.tsv"
    conda:
        "../../envs/popgen.yaml"
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        settings=config["evaluate"]["aats"],
    script:
        "../../scripts/compute_privacy_metrics.py"


rule plot_aats:
    input:
        unpack(lambda w: {m: f"results/{w.ds}/privacy/{m}.tsv" for m in MODELS}),
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
