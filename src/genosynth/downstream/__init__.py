"""Downstream analyses of the haplotype track (Yelmen et al. Figs 3, 4, S12 and the eye-colour
result): imputation benchmark with Beagle, XP-EHH and PBS scans, ChromoPainter input, and the
genotype-phenotype association.

* :mod:`~genosynth.downstream.imputation` - panel export, array masking, Beagle, scoring;
* :mod:`~genosynth.downstream.selection` - standardized XP-EHH, windowed PBS, genetic maps;
* :mod:`~genosynth.downstream.painting` - ChromoPainter v2 ``.phase`` / ``.recomb`` / id files;
* :mod:`~genosynth.downstream.phenotype` - contingency tables, chi-square, conditional shares;
* :mod:`~genosynth.downstream.figures` - the figures of these analyses.

The workflow's steps that run them are in :mod:`genosynth.steps.downstream`.
"""
