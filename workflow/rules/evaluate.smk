# Evaluation of AGs against real haplotypes: figures and metrics (CONTRACT paths).


rule plot_pca:
    input:
        unpack(get_evaluation_inputs),
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
        figure="pca",
        settings=config["pca"],
        models=MODELS,
    script:
        "../../scripts/plot_evaluation.py"


rule plot_umap:
    input:
        unpack(get_evaluation_inputs),
    output:
        figure=report(
            "results/{ds}/figures/umap.png",
            caption="../report/umap.rst",
            category="{ds}",
            subcategory="Structure",
        ),
        metrics="results/{ds}/metrics/umap.tsv",
    log:
        "results/logs/plot_umap/{ds}.log",
    benchmark:
        "results/benchmarks/plot_umap/{ds}.tsv"
    conda:
        "../../envs/popgen.yaml"
    threads: 1
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        figure="umap",
        settings=config["evaluate"]["umap"],
        models=MODELS,
    script:
        "../../scripts/plot_evaluation.py"


rule plot_pairwise_differences:
    input:
        unpack(get_evaluation_inputs),
    output:
        figure=report(
            "results/{ds}/figures/pairwise_differences.png",
            caption="../report/pairwise_differences.rst",
            category="{ds}",
            subcategory="Diversity",
        ),
        metrics="results/{ds}/metrics/pairwise_differences.tsv",
    log:
        "results/logs/plot_pairwise_differences/{ds}.log",
    benchmark:
        "results/benchmarks/plot_pairwise_differences/{ds}.tsv"
    conda:
        "../../envs/popgen.yaml"
    threads: 1
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        figure="pairwise_differences",
        settings=config["evaluate"]["pairwise_differences"],
        models=MODELS,
    script:
        "../../scripts/plot_evaluation.py"


rule plot_allele_frequency:
    input:
        unpack(get_evaluation_inputs),
    output:
        figure=report(
            "results/{ds}/figures/allele_frequency.png",
            caption="../report/allele_frequency.rst",
            category="{ds}",
            subcategory="Diversity",
        ),
        metrics="results/{ds}/metrics/allele_frequency.tsv",
    log:
        "results/logs/plot_allele_frequency/{ds}.log",
    benchmark:
        "results/benchmarks/plot_allele_frequency/{ds}.tsv"
    conda:
        "../../envs/popgen.yaml"
    threads: 1
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        figure="allele_frequency",
        settings=config["evaluate"]["allele_frequency"],
        models=MODELS,
    script:
        "../../scripts/plot_evaluation.py"


rule plot_fixed_alleles:
    input:
        unpack(get_evaluation_inputs),
    output:
        figure=report(
            "results/{ds}/figures/fixed_alleles.png",
            caption="../report/fixed_alleles.rst",
            category="{ds}",
            subcategory="Diversity",
        ),
        metrics="results/{ds}/metrics/fixed_alleles.tsv",
    log:
        "results/logs/plot_fixed_alleles/{ds}.log",
    benchmark:
        "results/benchmarks/plot_fixed_alleles/{ds}.tsv"
    conda:
        "../../envs/popgen.yaml"
    threads: 1
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        figure="fixed_alleles",
        settings=config["evaluate"]["fixed_alleles"],
        models=MODELS,
    script:
        "../../scripts/plot_evaluation.py"


rule plot_haplostrips:
    input:
        unpack(get_evaluation_inputs),
    output:
        figure=report(
            "results/{ds}/figures/haplostrips.png",
            caption="../report/haplostrips.rst",
            category="{ds}",
            subcategory="Structure",
        ),
        metrics="results/{ds}/metrics/haplostrips.tsv",
    log:
        "results/logs/plot_haplostrips/{ds}.log",
    benchmark:
        "results/benchmarks/plot_haplostrips/{ds}.tsv"
    conda:
        "../../envs/popgen.yaml"
    threads: 1
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        figure="haplostrips",
        settings=config["evaluate"]["haplostrips"],
        models=MODELS,
    script:
        "../../scripts/plot_evaluation.py"


rule plot_rbm_hidden:
    input:
        checkpoint="results/{ds}/models/rbm/checkpoint.npz",
        ags="results/{ds}/ags/rbm.hapt.gz",
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
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
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
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        models=MODELS,
    script:
        "../../scripts/plot_training.py"
