# Haplotype models behind one interface: training, sampling AGs, their release through the
# privacy gate. The AGs the evaluations read stay beside the model (models/<model>/ags.hapt.gz);
# only export_ags_vcf writes AGs to results/<ds>/ags/, once the gate's verdict lets it.


rule train_baseline:
    input:
        train="results/{ds}/data/train.hapt.gz",
        panel="results/{ds}/data/panel.tsv",
    output:
        checkpoint="results/{ds}/models/{baseline}/checkpoint.npz",
        log_tsv="results/{ds}/models/{baseline}/training_log.tsv",
    log:
        "results/logs/train_baseline/{ds}/{baseline}.log",
    benchmark:
        "results/benchmarks/train_baseline/{ds}/{baseline}.tsv"
    conda:
        "../../envs/popgen.yaml"
    resources:
        mem_mb=get_mem_mb(4000),
    params:
        model=lambda w: get_model_kind(w.baseline),
        settings=lambda w: get_training_settings(w.ds, w.baseline),
    script:
        "../../scripts/train_model.py"


rule train_network:
    input:
        unpack(lambda w: get_training_inputs(w.ds, w.model)),
    output:
        checkpoint="results/{ds}/models/{model}/checkpoint.npz",
        log_tsv="results/{ds}/models/{model}/training_log.tsv",
    log:
        "results/logs/train_network/{ds}/{model}.log",
    benchmark:
        "results/benchmarks/train_network/{ds}/{model}.tsv"
    wildcard_constraints:
        model="|".join(NETWORKS) or NOTHING,
    conda:
        "../../envs/tensorflow.yaml"
    threads: 2
    resources:
        mem_mb=8000,
        runtime=720,
    params:
        model=lambda w: get_model_kind(w.model),
        settings=lambda w: get_training_settings(w.ds, w.model),
    script:
        "../../scripts/train_model.py"


rule sample_ags:
    input:
        checkpoint="results/{ds}/models/{model}/checkpoint.npz",
        train="results/{ds}/data/train.hapt.gz",
        test="results/{ds}/data/test.hapt.gz",
        info="results/{ds}/data/dataset.json",
    output:
        ags="results/{ds}/models/{model}/ags.hapt.gz",
    log:
        "results/logs/sample_ags/{ds}/{model}.log",
    benchmark:
        "results/benchmarks/sample_ags/{ds}/{model}.tsv"
    conda:
        "../../envs/tensorflow.yaml"
    resources:
        mem_mb=get_mem_mb(4000),
    params:
        sampling=config["sampling"],
        model_settings=lambda w: get_sampling_settings(w.ds, w.model),
        repair=lambda w: get_repair_settings(w.ds, w.model),
    script:
        "../../scripts/sample_ags.py"


rule export_ags_vcf:
    input:
        ags="results/{ds}/models/{model}/ags.hapt.gz",
        legend="results/{ds}/data/snps.legend",
        info="results/{ds}/data/dataset.json",
        gate="results/{ds}/privacy/{model}.gate.json",
    output:
        hapt="results/{ds}/ags/{model}.hapt.gz",
        vcf="results/{ds}/ags/{model}.vcf.gz",
        tbi="results/{ds}/ags/{model}.vcf.gz.tbi",
        pgen="results/{ds}/ags/{model}.pgen",
        pvar="results/{ds}/ags/{model}.pvar",
        psam="results/{ds}/ags/{model}.psam",
    log:
        "results/logs/export_ags_vcf/{ds}/{model}.log",
    benchmark:
        "results/benchmarks/export_ags_vcf/{ds}/{model}.tsv"
    conda:
        "../../envs/popgen.yaml"
    resources:
        mem_mb=get_mem_mb(4000),
    script:
        "../../scripts/export_ags_vcf.py"
