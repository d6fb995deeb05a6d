# Linkage disequilibrium: r² matrices and LD decay, real vs AGs.


rule plot_ld_matrix:
    input:
        unpack(get_evaluation_inputs),
    output:
        figure=report(
            "results/{ds}/figures/ld_matrix.png",
            caption="../report/ld_matrix.rst",
            category="{ds}",
            subcategory="Linkage disequilibrium",
        ),
        metrics="results/{ds}/metrics/ld_matrix.tsv",
    log:
        "results/logs/plot_ld_matrix/{ds}.log",
    benchmark:
        "results/benchmarks/plot_ld_matrix/{ds}.tsv"
    conda:
        "../../envs/popgen.yaml"
    threads: 1
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        figure="ld_matrix",
        settings=config["evaluate"]["ld_matrix"],
        models=MODELS,
    script:
        "../../scripts/plot_evaluation.py"


rule plot_ld_decay:
    input:
        unpack(get_evaluation_inputs),
    output:
        figure=report(
            "results/{ds}/figures/ld_decay.png",
            caption="../report/ld_decay.rst",
            category="{ds}",
            subcategory="Linkage disequilibrium",
        ),
        metrics="results/{ds}/metrics/ld_decay.tsv",
    log:
        "results/logs/plot_ld_decay/{ds}.log",
    benchmark:
        "results/benchmarks/plot_ld_decay/{ds}.tsv"
    conda:
        "../../envs/popgen.yaml"
    threads: 1
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        figure="ld_decay",
        settings=config["evaluate"]["ld_decay"],
        models=MODELS,
    script:
        "../../scripts/plot_evaluation.py"
