# Downstream analyses of the haplotype track (Yelmen et al. Figs 3, 4, S12, eye-colour result):
# imputation benchmark with Beagle 5, XP-EHH and PBS scans, ChromoPainter input, phenotype.


rule export_imputation_panel:
    input:
        vcf="results/{ds}/ags/{model}.vcf.gz",
        gate="results/{ds}/privacy/{model}.gate.json",
    output:
        vcf="results/{ds}/imputation/panel_{model}.vcf.gz",
        tbi="results/{ds}/imputation/panel_{model}.vcf.gz.tbi",
        hap="results/{ds}/imputation/panel_{model}.hap.gz",
        legend="results/{ds}/imputation/panel_{model}.legend.gz",
    log:
        "results/logs/export_imputation_panel/{ds}/{model}.log",
    benchmark:
        "results/benchmarks/export_imputation_panel/{ds}/{model}.tsv"
    conda:
        "../../envs/popgen.yaml"
    script:
        "../../scripts/export_imputation_panel.py"


rule prepare_imputation_target:
    input:
        unpack(get_genetic_map),
        train="results/{ds}/data/train.hapt.gz",
        test="results/{ds}/data/test.hapt.gz",
        others="results/{ds}/data/others.hapt.gz",
        legend="results/{ds}/data/snps.legend",
        info="results/{ds}/data/dataset.json",
    output:
        target="results/{ds}/imputation/target.vcf.gz",
        target_tbi="results/{ds}/imputation/target.vcf.gz.tbi",
        reference="results/{ds}/imputation/reference.vcf.gz",
        reference_tbi="results/{ds}/imputation/reference.vcf.gz.tbi",
        sites="results/{ds}/imputation/sites.tsv",
        map="results/{ds}/imputation/beagle.map",
    log:
        "results/logs/prepare_imputation_target/{ds}.log",
    benchmark:
        "results/benchmarks/prepare_imputation_target/{ds}.tsv"
    conda:
        "../../envs/popgen.yaml"
    params:
        array=config["downstream"]["imputation"]["array"],
        reference_share=config["downstream"]["imputation"]["reference_share"],
    script:
        "../../scripts/prepare_imputation_target.py"


rule impute_genotypes:
    input:
        unpack(get_impute_inputs),
    output:
        vcf="results/{ds}/imputation/imputed_{panel}.vcf.gz",
    log:
        rule="results/logs/impute_genotypes/{ds}/{panel}.log",
        beagle="results/logs/impute_genotypes/{ds}/{panel}.beagle.log",
    benchmark:
        "results/benchmarks/impute_genotypes/{ds}/{panel}.tsv"
    wildcard_constraints:
        panel="|".join(IMPUTATION_PANELS),
    conda:
        "../../envs/imputation.yaml"
    threads: 2
    resources:
        mem_mb=8000,
        runtime=120,
    params:
        beagle=config["downstream"]["imputation"]["beagle"],
    script:
        "../../scripts/impute_genotypes.py"


rule plot_imputation:
    input:
        unpack(
            lambda w: {
                p: f"results/{w.ds}/imputation/imputed_{p}.vcf.gz" for p in IMPUTATION_PANELS
            }
        ),
        test="results/{ds}/data/test.hapt.gz",
        sites="results/{ds}/imputation/sites.tsv",
    output:
        figure=report(
            "results/{ds}/figures/imputation.png",
            caption="../report/imputation.rst",
            category="{ds}",
            subcategory="Downstream",
        ),
        table="results/{ds}/imputation/accuracy.tsv",
        metrics="results/{ds}/metrics/imputation.tsv",
    log:
        "results/logs/plot_imputation/{ds}.log",
    benchmark:
        "results/benchmarks/plot_imputation/{ds}.tsv"
    conda:
        "../../envs/popgen.yaml"
    params:
        panels=IMPUTATION_PANELS,
        bins=config["downstream"]["imputation"]["bins"],
        bootstrap=config["downstream"]["imputation"]["bootstrap"],
    script:
        "../../scripts/plot_imputation.py"


rule scan_selection:
    input:
        unpack(get_scan_inputs),
        unpack(lambda w: get_ags(w.ds)),
    output:
        figure=report(
            "results/{ds}/figures/selection_{statistic}.png",
            caption="../report/selection.rst",
            category="{ds}",
            subcategory="Downstream",
        ),
        table="results/{ds}/selection/{statistic}.tsv",
        metrics="results/{ds}/metrics/selection_{statistic}.tsv",
    log:
        "results/logs/scan_selection/{ds}/{statistic}.log",
    benchmark:
        "results/benchmarks/scan_selection/{ds}/{statistic}.tsv"
    conda:
        "../../envs/popgen.yaml"
    threads: 2
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        models=MODELS,
        settings=lambda w: get_scan_settings(w.statistic),
        clusters=config["downstream"]["unlabelled_clusters"],
    script:
        "../../scripts/scan_selection.py"


rule prepare_painting:
    input:
        unpack(get_scan_inputs),
        unpack(lambda w: get_ags(w.ds)),
    output:
        phase="results/{ds}/painting/chromopainter.phase",
        recomb="results/{ds}/painting/chromopainter.recomb",
        ids="results/{ds}/painting/chromopainter.ids",
        poplist="results/{ds}/painting/chromopainter.poplist",
    log:
        "results/logs/prepare_painting/{ds}.log",
    benchmark:
        "results/benchmarks/prepare_painting/{ds}.tsv"
    conda:
        "../../envs/popgen.yaml"
    params:
        models=MODELS,
        settings={
            k: v
            for k, v in config["downstream"]["painting"].items()
            if k not in ("datasets", "chromopainter")
        },
        clusters=config["downstream"]["unlabelled_clusters"],
    script:
        "../../scripts/prepare_painting.py"


rule paint_chromosomes:
    input:
        phase="results/{ds}/painting/chromopainter.phase",
        recomb="results/{ds}/painting/chromopainter.recomb",
        ids="results/{ds}/painting/chromopainter.ids",
        poplist="results/{ds}/painting/chromopainter.poplist",
    output:
        chunkcounts="results/{ds}/painting/chromopainter.chunkcounts.out",
        figure=report(
            "results/{ds}/figures/painting.png",
            caption="../report/painting.rst",
            category="{ds}",
            subcategory="Downstream",
        ),
    log:
        "results/logs/paint_chromosomes/{ds}.log",
    benchmark:
        "results/benchmarks/paint_chromosomes/{ds}.tsv"
    conda:
        "../../envs/popgen.yaml"
    resources:
        runtime=240,
    params:
        chromopainter=get_chromopainter(),
    script:
        "../../scripts/paint_chromosomes.py"


rule plot_phenotype:
    input:
        unpack(lambda w: get_ags(w.ds)),
        train="results/{ds}/data/train.hapt.gz",
        test="results/{ds}/data/test.hapt.gz",
        legend="results/{ds}/data/snps.legend",
        info="results/{ds}/data/dataset.json",
    output:
        figure=report(
            "results/{ds}/figures/phenotype.png",
            caption="../report/phenotype.rst",
            category="{ds}",
            subcategory="Downstream",
        ),
        table="results/{ds}/phenotype/contingency.tsv",
        metrics="results/{ds}/metrics/phenotype.tsv",
    log:
        "results/logs/plot_phenotype/{ds}.log",
    benchmark:
        "results/benchmarks/plot_phenotype/{ds}.tsv"
    conda:
        "../../envs/popgen.yaml"
    params:
        models=MODELS,
    script:
        "../../scripts/plot_phenotype.py"
