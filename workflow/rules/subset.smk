# Subsetting a source into one of the CONTRACT's datasets (wide, dense, scan, pheno)
# and the 3:1 train/test split by individual; a dataset's external held-out set (test_source).


rule subset_dataset:
    input:
        unpack(get_dataset_inputs),
    output:
        train="results/{ds}/data/train.hapt.gz",
        test="results/{ds}/data/test.hapt.gz",
        others="results/{ds}/data/others.hapt.gz",
        legend="results/{ds}/data/snps.legend",
        panel="results/{ds}/data/panel.tsv",
        info="results/{ds}/data/dataset.json",
    log:
        "results/logs/subset_dataset/{ds}.log",
    benchmark:
        "results/benchmarks/subset_dataset/{ds}.tsv"
    conda:
        "../../envs/popgen.yaml"
    resources:
        mem_mb=get_mem_mb(8000),
    params:
        dataset=lambda w: get_selection(w.ds),
        split=config["split"],
    script:
        "../../scripts/subset_dataset.py"


rule match_test_source:
    input:
        unpack(get_test_source_inputs),
    output:
        test="results/{ds}/data/external_test.hapt.gz",
        sites="results/{ds}/data/external_test_sites.tsv",
    log:
        "results/logs/match_test_source/{ds}.log",
    benchmark:
        "results/benchmarks/match_test_source/{ds}.tsv"
    conda:
        "../../envs/popgen.yaml"
    params:
        source=lambda w: get_dataset(w.ds)["test_source"],
        min_matched=lambda w: get_dataset(w.ds)["test_min_matched"],
    script:
        "../../scripts/match_test_source.py"
