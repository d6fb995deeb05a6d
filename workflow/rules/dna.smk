# --- dna ----------------------------------------------------------------------
# DNA track (paper B, Killoran et al.): data, WGAN-GP generators, predictors and oracle,
# latent experiments, splice logos, design. Everything lands under results/dna/ (CONTRACT.md).


rule simulate_dna_genome:
    output:
        fasta="results/dna/sources/genome.fa",
        annotation="results/dna/sources/exons.bed",
    log:
        "results/logs/simulate_dna_genome.log",
    benchmark:
        "results/benchmarks/simulate_dna_genome.tsv"
    conda:
        "../../envs/tensorflow.yaml"
    params:
        settings=DNA["genome"]["simulate"],
    script:
        "../../scripts/dna_simulate_genome.py"


rule simulate_dna_binding:
    output:
        table="results/dna/sources/binding.tsv",
    log:
        "results/logs/simulate_dna_binding.log",
    benchmark:
        "results/benchmarks/simulate_dna_binding.tsv"
    conda:
        "../../envs/tensorflow.yaml"
    params:
        settings=DNA["binding_simulation"],
    script:
        "../../scripts/dna_simulate_binding.py"


rule extract_dna_kmers:
    input:
        fasta=lambda w: get_dna_genome_files()["fasta"],
    output:
        kmers="results/dna/data/kmers.npz",
    log:
        "results/logs/extract_dna_kmers.log",
    benchmark:
        "results/benchmarks/extract_dna_kmers.tsv"
    conda:
        "../../envs/tensorflow.yaml"
    params:
        settings=DNA["kmers"],
    script:
        "../../scripts/dna_extract_kmers.py"


rule extract_dna_exon_windows:
    input:
        unpack(lambda w: get_dna_genome_files()),
    output:
        windows="results/dna/data/exon_windows.npz",
        table="results/dna/data/exon_windows.tsv",
    log:
        "results/logs/extract_dna_exon_windows.log",
    benchmark:
        "results/benchmarks/extract_dna_exon_windows.tsv"
    conda:
        "../../envs/tensorflow.yaml"
    params:
        settings=lambda w: DNA["exon_windows"]
        | {"annotation_format": DNA["genome"]["annotation_format"]},
    script:
        "../../scripts/dna_extract_exon_windows.py"


rule prepare_dna_binding:
    input:
        unpack(get_dna_binding_inputs),
    output:
        data="results/dna/data/binding_{dna_set}.npz",
    log:
        "results/logs/prepare_dna_binding/{dna_set}.log",
    benchmark:
        "results/benchmarks/prepare_dna_binding/{dna_set}.tsv"
    conda:
        "../../envs/tensorflow.yaml"
    params:
        settings=lambda w: get_dna_binding_set(w.dna_set),
        split=DNA["binding_split"],
    script:
        "../../scripts/dna_prepare_binding.py"


rule train_dna_oracle:
    input:
        data=get_dna_oracle_set(),
    output:
        checkpoint="results/dna/models/oracle/checkpoint.npz",
        predictions="results/dna/models/oracle/predictions.tsv",
    log:
        "results/logs/train_dna_oracle.log",
    benchmark:
        "results/benchmarks/train_dna_oracle.tsv"
    conda:
        "../../envs/tensorflow.yaml"
    threads: DNA["threads"]
    resources:
        mem_mb=8000,
        runtime=120,
    params:
        settings=DNA["oracle"],
    script:
        "../../scripts/dna_train_oracle.py"


rule restrict_dna_binding:
    input:
        predictions="results/dna/models/oracle/predictions.tsv",
    output:
        data="results/dna/data/binding_restricted.npz",
    log:
        "results/logs/restrict_dna_binding.log",
    benchmark:
        "results/benchmarks/restrict_dna_binding.tsv"
    conda:
        "../../envs/tensorflow.yaml"
    params:
        percentile=DNA["design"]["binding_design"]["percentile"],
    script:
        "../../scripts/dna_restrict_binding.py"


rule train_dna_wgan:
    input:
        unpack(get_dna_generator_data),
    output:
        checkpoint="results/dna/models/wgan_{dna_gen}/checkpoint.npz",
        log_tsv="results/dna/models/wgan_{dna_gen}/training_log.tsv",
    log:
        "results/logs/train_dna_wgan/{dna_gen}.log",
    benchmark:
        "results/benchmarks/train_dna_wgan/{dna_gen}.tsv"
    conda:
        "../../envs/tensorflow.yaml"
    threads: DNA["threads"]
    resources:
        mem_mb=8000,
        runtime=720,
    params:
        kind="{dna_gen}",
        settings=lambda w: get_dna_wgan_settings(w.dna_gen),
    script:
        "../../scripts/dna_train_wgan.py"


rule train_dna_predictor:
    input:
        unpack(get_dna_predictor_data),
    output:
        checkpoint="results/dna/models/predictor_{dna_pred}/checkpoint.npz",
    log:
        "results/logs/train_dna_predictor/{dna_pred}.log",
    benchmark:
        "results/benchmarks/train_dna_predictor/{dna_pred}.tsv"
    conda:
        "../../envs/tensorflow.yaml"
    threads: DNA["threads"]
    resources:
        mem_mb=8000,
        runtime=120,
    params:
        settings=DNA["predictor"],
    script:
        "../../scripts/dna_train_predictor.py"


rule plot_binding_oracle:
    input:
        predictions="results/dna/models/oracle/predictions.tsv",
    output:
        figure=report(
            "results/dna/figures/binding_oracle.png",
            caption="../report/dna_binding_oracle.rst",
            category="DNA",
        ),
        metrics="results/dna/metrics/binding_oracle.tsv",
    log:
        "results/logs/plot_binding_oracle.log",
    benchmark:
        "results/benchmarks/plot_binding_oracle.tsv"
    conda:
        "../../envs/tensorflow.yaml"
    params:
        settings=lambda w: get_dna_oracle_settings(),
    script:
        "../../scripts/dna_plot_binding_oracle.py"


rule plot_dna_figure:
    input:
        unpack(get_dna_figure_inputs),
    output:
        figure=report(
            "results/dna/figures/{dna_figure}.png",
            caption="../report/dna_figure.rst",
            category="DNA",
        ),
        metrics="results/dna/metrics/{dna_figure}.tsv",
    log:
        "results/logs/plot_dna_figure/{dna_figure}.log",
    benchmark:
        "results/benchmarks/plot_dna_figure/{dna_figure}.tsv"
    conda:
        "../../envs/tensorflow.yaml"
    threads: DNA["threads"]
    params:
        settings=lambda w: DNA[w.dna_figure] | {"label": get_dna_label()},
    script:
        "../../scripts/dna_plot_figure.py"


rule design_dna_sequences:
    input:
        unpack(get_dna_design_inputs),
    output:
        designs="results/dna/designs/{dna_experiment}.tsv",
        fasta="results/dna/designs/{dna_experiment}.fasta",
    log:
        "results/logs/design_dna_sequences/{dna_experiment}.log",
    benchmark:
        "results/benchmarks/design_dna_sequences/{dna_experiment}.tsv"
    conda:
        "../../envs/tensorflow.yaml"
    threads: DNA["threads"]
    resources:
        runtime=60,
    params:
        experiment="{dna_experiment}",
        settings=lambda w: DNA["design"][w.dna_experiment],
    script:
        "../../scripts/dna_design_sequences.py"


rule plot_dna_design:
    input:
        unpack(get_dna_plot_inputs),
    output:
        figure=report(
            "results/dna/figures/{dna_experiment}.png",
            caption="../report/dna_design.rst",
            category="DNA",
        ),
        metrics="results/dna/metrics/{dna_experiment}.tsv",
    log:
        "results/logs/plot_dna_design/{dna_experiment}.log",
    benchmark:
        "results/benchmarks/plot_dna_design/{dna_experiment}.tsv"
    conda:
        "../../envs/tensorflow.yaml"
    params:
        experiment="{dna_experiment}",
        settings=lambda w: get_dna_plot_settings(w.dna_experiment),
    script:
        "../../scripts/dna_plot_design.py"


rule gather_dna_metrics:
    input:
        fragments=get_dna_metric_fragments(),
    output:
        metrics="results/dna/metrics.tsv",
    log:
        "results/logs/gather_dna_metrics.log",
    benchmark:
        "results/benchmarks/gather_dna_metrics.tsv"
    conda:
        "../../envs/tensorflow.yaml"
    script:
        "../../scripts/dna_gather_metrics.py"
