# Public inputs (config `downloads`, e.g. config/paper.yaml): fetched once into the cache folder,
# kept only when their SHA-256 matches. Runs on the submitting host under a cluster profile
# (compute nodes often have no internet access).


localrules:
    download_file,


rule download_file:
    output:
        file=f"{DOWNLOAD_CACHE}/{{download}}",
    log:
        "results/logs/download_file/{download}.log",
    benchmark:
        "results/benchmarks/download_file/{download}.tsv"
    wildcard_constraints:
        download=DOWNLOAD_PATTERN,
    conda:
        "../../envs/popgen.yaml"
    resources:
        runtime=240,
    params:
        entry=lambda w: get_download(w.download),
    script:
        "../../scripts/download_file.py"
