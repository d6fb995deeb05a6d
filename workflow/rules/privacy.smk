# Privacy: distances to the closest genome, AATS and privacy loss, planted-genome sensitivity.


rule plot_closest_distance:
    input:
        unpack(get_evaluation_inputs),
    output:
        figure=report(
            "results/{ds}/figures/closest_distance.png",
            caption="../report/closest_distance.rst",
            category="{ds}",
            subcategory="Privacy",
        ),
        metrics="results/{ds}/metrics/closest_distance.tsv",
    log:
        "results/logs/plot_closest_distance/{ds}.log",
    benchmark:
        "results/benchmarks/plot_closest_distance/{ds}.tsv"
    conda:
        "../../envs/popgen.yaml"
    threads: 1
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        figure="closest_distance",
        settings=config["evaluate"]["closest_distance"],
        models=MODELS,
    script:
        "../../scripts/plot_evaluation.py"


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
    threads: 1
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
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        models=MODELS,
    script:
        "../../scripts/plot_aats.py"


rule plot_aats_sensitivity:
    input:
        unpack(get_evaluation_inputs),
    output:
        figure=report(
            "results/{ds}/figures/aats_sensitivity.png",
            caption="../report/aats_sensitivity.rst",
            category="{ds}",
            subcategory="Privacy",
        ),
        metrics="results/{ds}/metrics/aats_sensitivity.tsv",
    log:
        "results/logs/plot_aats_sensitivity/{ds}.log",
    benchmark:
        "results/benchmarks/plot_aats_sensitivity/{ds}.tsv"
    conda:
        "../../envs/popgen.yaml"
    threads: 1
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        figure="aats_sensitivity",
        settings=config["evaluate"]["aats_sensitivity"],
        models=MODELS,
    script:
        "../../scripts/plot_evaluation.py"
