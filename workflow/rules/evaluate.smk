# Evaluation of AGs against real haplotypes: figures and metrics (CONTRACT paths).


rule plot_pca:
    input:
        unpack(lambda w: get_ags(w.ds)),
        train="results/{ds}/data/train.hapt.gz",
        test="results/{ds}/data/test.hapt.gz",
        panel="results/{ds}/data/panel.tsv",
        info="results/{ds}/data/dataset.json",
    output:
        figure=report(
            "results/{ds}/figures/pca.png",
            caption="../report/pca.rst",
            category="{ds}",
            subcategory="PCA",
        ),
        metrics="results/{ds}/metrics/pca.tsv",
    log:
        "results/logs/plot_pca/{ds}.log",
    benchmark:
        "results/benchmarks/plot_pca/{ds}.tsv"
    conda:
        "../../envs/popgen.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    params:
        pca=config["pca"],
        models=MODELS,
    script:
        "../../scripts/plot_pca.py"


rule gather_metrics:
    input:
        pca="results/{ds}/metrics/pca.tsv",
    output:
        metrics="results/{ds}/metrics.tsv",
    log:
        "results/logs/gather_metrics/{ds}.log",
    benchmark:
        "results/benchmarks/gather_metrics/{ds}.tsv"
    conda:
        "../../envs/popgen.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    script:
        "../../scripts/gather_metrics.py"


rule summarize_metrics:
    input:
        metrics=expand("results/{ds}/metrics.tsv", ds=DATASETS),
    output:
        summary="results/summary.tsv",
    log:
        "results/logs/summarize_metrics.log",
    benchmark:
        "results/benchmarks/summarize_metrics.tsv"
    conda:
        "../../envs/popgen.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    script:
        "../../scripts/gather_metrics.py"
