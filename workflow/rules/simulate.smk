# Embedded demo data: an msprime out-of-Africa simulation written as VCF + panel,
# so that the default workflow goes through the same ingestion as real data.


rule simulate_genotypes:
    output:
        vcf="results/sources/{source}/simulated.vcf.gz",
        tbi="results/sources/{source}/simulated.vcf.gz.tbi",
        panel="results/sources/{source}/simulated.panel",
        phenotypes="results/sources/{source}/phenotypes.tsv",
    log:
        "results/logs/simulate_genotypes/{source}.log",
    benchmark:
        "results/benchmarks/simulate_genotypes/{source}.tsv"
    conda:
        "../../envs/popgen.yaml"
    params:
        simulate=lambda w: get_source(w.source)["simulate"],
        phenotype=lambda w: get_source(w.source)["phenotype"],
    script:
        "../../scripts/simulate_genotypes.py"
