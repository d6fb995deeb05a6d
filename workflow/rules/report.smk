# Metrics of every stage gathered per dataset and for the whole run (with each model's flags),
# and the papers' numbers beside this run's (the report's first page).


report: "../report/workflow.rst"


rule gather_metrics:
    input:
        get_metric_fragments,
    output:
        metrics="results/{ds}/metrics.tsv",
    log:
        "results/logs/gather_metrics/{ds}.log",
    benchmark:
        "results/benchmarks/gather_metrics/{ds}.tsv"
    conda:
        "../../envs/popgen.yaml"
    script:
        "../../scripts/gather_metrics.py"


rule summarize_metrics:
    input:
        metrics=expand("results/{ds}/metrics.tsv", ds=DATASETS),
        dna=get_dna_metrics(),
        gates=expand("results/{ds}/privacy/{model}.gate.json", ds=DATASETS, model=MODELS),
    output:
        summary="results/summary.tsv",
    log:
        "results/logs/summarize_metrics.log",
    benchmark:
        "results/benchmarks/summarize_metrics.tsv"
    conda:
        "../../envs/popgen.yaml"
    script:
        "../../scripts/summarize_metrics.py"


rule make_reproduction_table:
    input:
        summary="results/summary.tsv",
    output:
        table=report(
            "results/reproduction.tsv",
            caption="../report/reproduction.rst",
            category="Reproduction",
        ),
        markdown=report(
            "results/reproduction.md",
            caption="../report/reproduction.rst",
            category="Reproduction",
        ),
    log:
        "results/logs/make_reproduction_table.log",
    benchmark:
        "results/benchmarks/make_reproduction_table.tsv"
    conda:
        "../../envs/popgen.yaml"
    params:
        data=get_data_kinds(),
    script:
        "../../scripts/make_reproduction_table.py"
