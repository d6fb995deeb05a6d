# Windowed datasets (`datasets.<ds>.windows`): every model trains once per window of consecutive
# SNPs, each window a separate job (in parallel on a cluster); the windows' AGs are joined into
# the dataset's models/<model>/ags.hapt.gz, which every evaluation, the privacy gate and the
# release read as for any dataset (docs/models.md, "Whole chromosomes in windows").


ruleorder: join_windows > sample_ags
ruleorder: gather_window_logs > train_baseline
ruleorder: gather_window_logs > train_network


rule plan_windows:
    input:
        legend="results/{ds}/data/snps.legend",
        info="results/{ds}/data/dataset.json",
    output:
        plan="results/{ds}/windows/plan.tsv",
    log:
        "results/logs/plan_windows/{ds}.log",
    benchmark:
        "results/benchmarks/plan_windows/{ds}.tsv"
    conda:
        "../../envs/popgen.yaml"
    params:
        windows=lambda w: get_dataset(w.ds)["windows"],
        n_windows=lambda w: len(get_windows(w.ds)),
    script:
        "../../scripts/plan_windows.py"


rule split_windows:
    input:
        train="results/{ds}/data/train.hapt.gz",
        test="results/{ds}/data/test.hapt.gz",
        others="results/{ds}/data/others.hapt.gz",
        plan="results/{ds}/windows/plan.tsv",
    output:
        train="results/{ds}/windows/{window}/data/train.hapt.gz",
        test="results/{ds}/windows/{window}/data/test.hapt.gz",
        others="results/{ds}/windows/{window}/data/others.hapt.gz",
    log:
        "results/logs/split_windows/{ds}/{window}.log",
    benchmark:
        "results/benchmarks/split_windows/{ds}/{window}.tsv"
    conda:
        "../../envs/popgen.yaml"
    resources:
        mem_mb=8000,
    script:
        "../../scripts/split_windows.py"


rule train_window:
    input:
        unpack(get_window_training_inputs),
    output:
        checkpoint="results/{ds}/windows/{window}/models/{model}/checkpoint.npz",
        log_tsv="results/{ds}/windows/{window}/models/{model}/training_log.tsv",
    log:
        "results/logs/train_window/{ds}/{window}/{model}.log",
    benchmark:
        "results/benchmarks/train_window/{ds}/{window}/{model}.tsv"
    conda:
        "../../envs/tensorflow.yaml"
    threads: lambda w: 1 if w.model in CLOSED_FORM else 2
    resources:
        mem_mb=8000,
        runtime=lambda w: 30 if w.model in CLOSED_FORM else 720,
    params:
        model=lambda w: get_model_kind(w.model),
        settings=lambda w: get_window_settings(w, get_training_settings(w.ds, w.model)),
    script:
        "../../scripts/train_model.py"


rule sample_window:
    input:
        checkpoint="results/{ds}/windows/{window}/models/{model}/checkpoint.npz",
        train="results/{ds}/windows/{window}/data/train.hapt.gz",
        test="results/{ds}/windows/{window}/data/test.hapt.gz",
        info="results/{ds}/data/dataset.json",
    output:
        ags="results/{ds}/windows/{window}/models/{model}/ags.hapt.gz",
    log:
        "results/logs/sample_window/{ds}/{window}/{model}.log",
    benchmark:
        "results/benchmarks/sample_window/{ds}/{window}/{model}.tsv"
    conda:
        "../../envs/tensorflow.yaml"
    resources:
        mem_mb=8000,
    params:
        sampling=lambda w: get_window_settings(w, config["sampling"]),
        model_settings=lambda w: get_sampling_settings(w.ds, w.model),
        repair=lambda w: get_repair_settings(w.ds, w.model),
    script:
        "../../scripts/sample_ags.py"


rule join_windows:
    input:
        ags=lambda w: get_window_files(w.ds, f"models/{w.model}/ags.hapt.gz"),
        plan="results/{ds}/windows/plan.tsv",
        info="results/{ds}/data/dataset.json",
    output:
        ags="results/{ds}/models/{model}/ags.hapt.gz",
        report="results/{ds}/windows/join_{model}.tsv",
    log:
        "results/logs/join_windows/{ds}/{model}.log",
    benchmark:
        "results/benchmarks/join_windows/{ds}/{model}.tsv"
    wildcard_constraints:
        ds=WINDOWED_PATTERN,
    conda:
        "../../envs/popgen.yaml"
    resources:
        mem_mb=get_mem_mb(16000),
    params:
        matching=lambda w: get_dataset(w.ds)["windows"].get("matching", "optimal"),
    script:
        "../../scripts/join_windows.py"


rule gather_window_logs:
    input:
        lambda w: get_window_files(w.ds, f"models/{w.model}/training_log.tsv"),
    output:
        log_tsv="results/{ds}/models/{model}/training_log.tsv",
    log:
        "results/logs/gather_window_logs/{ds}/{model}.log",
    benchmark:
        "results/benchmarks/gather_window_logs/{ds}/{model}.tsv"
    wildcard_constraints:
        ds=WINDOWED_PATTERN,
    conda:
        "../../envs/popgen.yaml"
    script:
        "../../scripts/gather_window_logs.py"


rule measure_window_join:
    input:
        unpack(get_window_join_inputs),
    output:
        metrics="results/{ds}/metrics/window_join.tsv",
    log:
        "results/logs/measure_window_join/{ds}.log",
    benchmark:
        "results/benchmarks/measure_window_join/{ds}.tsv"
    conda:
        "../../envs/popgen.yaml"
    resources:
        mem_mb=get_mem_mb(16000),
        runtime=120,
    params:
        models=MODELS,
        settings=config["evaluate"]["ld_decay"],
    script:
        "../../scripts/measure_window_join.py"
