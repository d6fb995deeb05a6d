"""The release of a model's AGs through the privacy gate (``export_ags_vcf``).

``sample_ags`` writes a model's AGs to ``results/<ds>/models/<model>/ags.hapt.gz``, which only
the workflow's own evaluations read; :func:`export_ags` releases them to ``results/<ds>/ags/``
(a ``.hapt.gz`` copy, a bgzipped, indexed VCF and PLINK 2 ``.pgen/.pvar/.psam``) only when
the privacy gate's verdict
(:func:`~genosynth.steps.privacy.release_verdict`) lets it, and records that verdict in their
provenance.
"""

from __future__ import annotations

import logging
import shutil

from genosynth.errors import GenosynthError
from genosynth.fileio import atomic_path
from genosynth.provenance import read_provenance, sidecar_path, write_provenance
from genosynth.steps.common import ag_individuals, dataset_info, version_record, write_ag_vcf
from genosynth.steps.privacy import release_verdict

__all__ = ["export_ags", "write_ag_pgen"]

log = logging.getLogger(__name__)

#: Keys of an AG file's sidecar that a copy of it rewrites (its own name, checksum, time).
_FILE_KEYS = ("file", "sha256", "created")


def export_ags(*, ags, legend, info, gate, hapt, vcf, tbi, pgen, pvar, psam) -> None:
    """Release a model's AGs as ``hapt`` (a copy of ``ags``), an indexed VCF and PLINK 2 files.

    The privacy gate's verdict ``gate`` on ``ags`` is checked first: a failed one
    raises :class:`~genosynth.evaluate.PrivacyGateError` (naming the model, each
    failed check and the fix) and nothing is written (the sidecar of an earlier
    release is removed with it). The verdict (``passed`` or
    ``overridden``, with the failed checks) goes into the provenance of both files:
    the ``.hapt.gz`` sidecar and the VCF's ``##genosynth_provenance`` line.
    """
    sidecar_path(hapt).unlink(missing_ok=True)  # of an earlier release, that Snakemake removed
    verdict = release_verdict(gate, ags=ags)
    for failure in verdict["failures"]:
        log.warning("privacy gate overridden (privacy.allow_export): %s", failure)
    made = _ag_record(ags)
    provenance = version_record(
        dataset=dataset_info(info)["name"], ags=str(hapt), made=made, privacy_gate=verdict
    )
    write_ag_vcf(ags=ags, legend=legend, info=info, vcf=vcf, tbi=tbi, provenance=provenance)
    write_ag_pgen(ags=ags, legend=legend, info=info, pgen=pgen, pvar=pvar, psam=psam)
    with atomic_path(hapt) as tmp:
        shutil.copyfile(ags, tmp)
    write_provenance(hapt, made | {"released_from": str(ags), "privacy_gate": verdict})
    log.info(
        "released %s as %s, %s and %s (privacy gate: %s)", ags, hapt, vcf, pgen, verdict["verdict"]
    )


def write_ag_pgen(*, ags, legend, info, pgen, pvar, psam) -> None:
    """AGs (``.hapt.gz``) as PLINK 2 ``.pgen/.pvar/.psam``, paired as in the VCF.

    The phenotype column of a genotype-pair dataset becomes the ``.psam``'s ``PHENO1``.
    """
    from genosynth import formats, plink

    meta = dataset_info(info)
    samples, matrix, pairs = ag_individuals(ags, meta)
    phenotype = None
    if meta.get("phenotype_column"):
        phenotype = formats.read_hapt_matrix(ags)[1][:, -1]
    plink.write_pgen(
        pgen,
        pvar,
        psam,
        matrix,
        formats.read_legend(legend),
        samples,
        genotype_pairs=pairs,
        phenotype=phenotype,
        contigs=meta.get("contigs"),
    )


def _ag_record(ags) -> dict:
    """The AGs' sidecar record (step, seed, params, inputs...); {} for older AG files."""
    try:
        made = read_provenance(ags)
    except GenosynthError as err:
        log.warning("%s", err)
        return {}
    return {k: v for k, v in made.items() if k not in _FILE_KEYS}
