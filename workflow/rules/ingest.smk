# Ingestion: phased VCF/BCF + population panel (cyvcf2) or the paper's .hapt + legend,
# with the configured policies for problem records (counted in ingest_report.tsv).


rule ingest_haplotypes:
    input:
        unpack(get_ingest_inputs),
    output:
        haplotypes="results/sources/{source}/haplotypes.npz",
        report="results/sources/{source}/ingest_report.tsv",
    log:
        "results/logs/ingest_haplotypes/{source}.log",
    benchmark:
        "results/benchmarks/ingest_haplotypes/{source}.tsv"
    conda:
        "../../envs/popgen.yaml"
    resources:
        mem_mb=8000,
        runtime=60,
    params:
        policies=config["ingest"],
        region=lambda w: get_source(w.source)["region"],
    script:
        "../../scripts/ingest_haplotypes.py"
