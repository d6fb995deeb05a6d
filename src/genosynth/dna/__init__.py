"""DNA track (Killoran et al., *Generating and designing DNA with deep generative models*).

Modules: :mod:`~genosynth.dna.sequences` (one-hot coding, FASTA, annotations, windows,
binding tables), :mod:`~genosynth.dna.simulate` (the embedded demo genome and binding set),
:mod:`~genosynth.dna.wgan_network` / :mod:`~genosynth.dna.wgan` (the WGAN-GP), and
:mod:`~genosynth.dna.latent`, :mod:`~genosynth.dna.logos`,
:mod:`~genosynth.dna.predictors`, :mod:`~genosynth.dna.inference`, :mod:`~genosynth.dna.design`,
:mod:`~genosynth.dna.metrics` and :mod:`~genosynth.dna.figures`. The workflow's steps are in
:mod:`genosynth.steps.dna`. TensorFlow is imported only by the modules that train or
differentiate networks.
"""
