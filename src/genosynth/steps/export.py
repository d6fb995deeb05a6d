"""AGs as a bgzipped, indexed VCF, through the privacy gate (``export_ags_vcf``)."""

from __future__ import annotations

import logging

from genosynth import formats
from genosynth.errors import GenosynthError
from genosynth.provenance import read_provenance
from genosynth.steps.common import LAYOUT_GENOTYPE_PAIRS, dataset_info, version_record
from genosynth.steps.privacy import check_privacy

__all__ = ["export_vcf"]

log = logging.getLogger(__name__)


def export_vcf(*, ags, legend, info, model, privacy_metrics, privacy, vcf, tbi) -> None:
    """Write AGs as a bgzipped, indexed VCF with the real CHROM/POS/REF/ALT.

    The AGs first pass the privacy gate on their privacy metrics
    (:func:`~genosynth.steps.privacy.check_privacy`): a failure raises
    :class:`~genosynth.evaluate.PrivacyGateError` and nothing is written, unless
    ``privacy["allow_export"]``.
    """
    failures = check_privacy(privacy_metrics, model, privacy)
    for failure in failures:
        log.warning("privacy gate overridden (privacy.allow_export): %s", failure)
    meta = dataset_info(info)
    ids, matrix = formats.read_hapt_matrix(ags)
    sites = formats.read_legend(legend)
    pairs = meta["layout"] == LAYOUT_GENOTYPE_PAIRS
    if pairs:
        matrix = matrix[:, : 2 * meta["n_snps"]]
        samples = ids
    else:
        samples = [i.rsplit("_", 1)[0] for i in ids[::2]]
    written = formats.write_vcf(
        vcf,
        matrix,
        sites,
        samples,
        genotype_pairs=pairs,
        provenance=version_record(dataset=meta["name"], ags=str(ags), made=_ag_record(ags)),
    )
    if str(written[1]) != str(tbi):
        raise GenosynthError(f"index written to {written[1]}, expected {tbi}")


def _ag_record(ags) -> dict:
    """Seed and params of the AGs' sampling, from their sidecar ({} for older AG files)."""
    try:
        made = read_provenance(ags)
    except GenosynthError as err:
        log.warning("%s", err)
        return {}
    return {k: made.get(k) for k in ("step", "seed", "params", "inputs")}
