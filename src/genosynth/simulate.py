"""The embedded demo data: a coalescent simulation that looks like 1000 Genomes.

The demo and smoke workflows need data that anyone can regenerate offline.
This module simulates it with msprime under the Gutenkunst et al. (2009)
three-population out-of-Africa model (the parameters of stdpopsim's
``HomSap/OutOfAfrica_3G09``, written out here so stdpopsim is not needed),
writes a bgzipped, tabix-indexed, phased VCF with real REF/ALT bases plus a
1000 Genomes-style panel, and simulates a binary phenotype driven by one
causal SNP (a stand-in for the HERC2 eye-colour SNP rs12913832).

Every random function takes an explicit ``seed`` (int) or
:class:`numpy.random.Generator`; nothing seeds a global generator, so the
same seed gives byte-identical files.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence

import msprime
import numpy as np
import pandas as pd
import pysam
import tskit

from genosynth.errors import ConfigError, GenosynthError, InputError
from genosynth.fileio import atomic_path, atomic_paths

__all__ = [
    "OOA_POPULATIONS",
    "PANEL_COLUMNS",
    "SUPER_POPULATIONS",
    "choose_causal_site",
    "haplotype_dosage",
    "ooa_demography",
    "simulate_haplotypes",
    "simulate_phenotype",
    "write_phenotypes",
    "write_vcf_and_panel",
]

#: The sampled populations of the out-of-Africa model, in panel order.
OOA_POPULATIONS = ("YRI", "CEU", "CHB")
#: 1000 Genomes super-population of each sampled population.
SUPER_POPULATIONS = {"YRI": "AFR", "CEU": "EUR", "CHB": "EAS"}
#: Columns of the panel file, as in the 1000 Genomes ``*.panel`` files.
PANEL_COLUMNS = ["sample", "pop", "super_pop", "gender"]

_GENERATION_TIME = 25
_BASES = frozenset("ACGT")


def ooa_demography() -> msprime.Demography:
    """The Gutenkunst et al. (2009) three-population out-of-Africa model.

    Same parameters as stdpopsim's ``HomSap/OutOfAfrica_3G09`` (generation
    time 25 years): an ancestral population of 7,300 grows to 12,300 at
    220 kya; the out-of-Africa bottleneck (2,100) splits from Africa at
    140 kya; Europeans (1,000) and East Asians (510) split from it at
    21.2 kya and grow exponentially (rates 0.004 and 0.0055 per
    generation) to the present, with symmetric migration throughout.

    Returns
    -------
    msprime.Demography
        Sampled populations ``YRI``, ``CEU``, ``CHB`` (super-populations AFR,
        EUR, EAS; stored in each population's ``super_population`` metadata)
        and the ancestral ``OOA``, ``AMH`` and ``ANC``. Times are in
        generations.
    """
    n_a, n_b, n_af = 7300, 2100, 12300
    n_eu0, n_as0 = 1000, 510
    r_eu, r_as = 0.004, 0.0055
    t_af = 220e3 / _GENERATION_TIME
    t_b = 140e3 / _GENERATION_TIME
    t_eu_as = 21.2e3 / _GENERATION_TIME
    # present-day sizes from the sizes at the split and the growth rates
    n_eu = n_eu0 * math.exp(r_eu * t_eu_as)
    n_as = n_as0 * math.exp(r_as * t_eu_as)
    m_af_b, m_af_eu, m_af_as, m_eu_as = 25e-5, 3e-5, 1.9e-5, 9.6e-5

    dem = msprime.Demography()
    dem.add_population(
        name="YRI",
        description="Yoruba in Ibadan, Nigeria (African)",
        initial_size=n_af,
        extra_metadata={"super_population": "AFR"},
    )
    dem.add_population(
        name="CEU",
        description="Utah residents of northern/western European ancestry",
        initial_size=n_eu,
        growth_rate=r_eu,
        extra_metadata={"super_population": "EUR"},
    )
    dem.add_population(
        name="CHB",
        description="Han Chinese in Beijing (East Asian)",
        initial_size=n_as,
        growth_rate=r_as,
        extra_metadata={"super_population": "EAS"},
    )
    dem.add_population(name="OOA", description="Out-of-Africa bottleneck", initial_size=n_b)
    dem.add_population(name="AMH", description="Anatomically modern humans", initial_size=n_af)
    dem.add_population(name="ANC", description="Ancestral equilibrium population", initial_size=n_a)
    dem.set_symmetric_migration_rate(["YRI", "CEU"], m_af_eu)
    dem.set_symmetric_migration_rate(["YRI", "CHB"], m_af_as)
    dem.set_symmetric_migration_rate(["CEU", "CHB"], m_eu_as)
    # the split sets migration to/from CEU and CHB to zero
    dem.add_population_split(time=t_eu_as, derived=["CEU", "CHB"], ancestral="OOA")
    dem.add_symmetric_migration_rate_change(time=t_eu_as, populations=["YRI", "OOA"], rate=m_af_b)
    dem.add_population_split(time=t_b, derived=["YRI", "OOA"], ancestral="AMH")
    dem.add_population_split(time=t_af, derived=["AMH"], ancestral="ANC")
    return dem


def _msprime_seeds(seed: int, n: int) -> list[int]:
    """``n`` independent msprime seeds (1 <= s < 2**32) derived from ``seed``."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise ConfigError("seed", f"must be an integer, got {seed!r}", fix="set an integer seed")
    state = np.random.SeedSequence(int(seed)).generate_state(n, dtype=np.uint32)
    return [int(s) % (2**32 - 1) + 1 for s in state]


def simulate_haplotypes(
    *,
    n_per_population: Mapping[str, int] | int,
    sequence_length: float,
    recombination_rate: float = 1.14e-8,
    mutation_rate: float = 2.36e-8,
    chrom: str = "1",
    seed: int,
) -> tuple[tskit.TreeSequence, pd.DataFrame]:
    """Simulate diploid genomes under :func:`ooa_demography`.

    Ancestry with :func:`msprime.sim_ancestry` (diploid, discrete genome),
    then mutations with :func:`msprime.sim_mutations` under the JC69 model,
    so every allele is a real base (A/C/G/T). Sites hit by more than one
    mutation are left in the tree sequence; :func:`write_vcf_and_panel`
    keeps only the biallelic SNPs.

    Parameters
    ----------
    n_per_population : dict of str to int, or int
        Diploid individuals per sampled population (``YRI``, ``CEU``,
        ``CHB``); an int samples that many from each of the three.
    sequence_length : float
        Length of the simulated chromosome in bp (>= 1).
    recombination_rate, mutation_rate : float
        Per bp per generation.
    chrom : str
        Chromosome name, recorded in the tree sequence's top-level metadata
        (``genosynth.chrom``) and used by :func:`write_vcf_and_panel`.
    seed : int
        Seeds the ancestry and the mutation simulations (independent
        streams derived from it).

    Returns
    -------
    ts : tskit.TreeSequence
        One individual per simulated person, in panel order; the
        simulation parameters are in ``ts.metadata["genosynth"]``.
    panel : pandas.DataFrame, n_individuals rows
        Columns ``sample`` (``YRI_0001``...), ``pop``, ``super_pop``; row
        ``i`` describes ``ts.individual(i)``.
    """
    counts = _sample_counts(n_per_population)
    if not sequence_length >= 1:
        raise ConfigError(
            "sequence_length", f"must be >= 1 bp, got {sequence_length!r}", fix="e.g. 2e6"
        )
    for key, rate in (("recombination_rate", recombination_rate), ("mutation_rate", mutation_rate)):
        if not rate >= 0:
            raise ConfigError(key, f"must be >= 0, got {rate!r}")
    ts = _simulate_ooa(counts, sequence_length, recombination_rate, mutation_rate, seed=seed)
    params = {
        "model": "OutOfAfrica_3G09 (Gutenkunst et al. 2009)",
        "n_per_population": counts,
        "sequence_length": float(sequence_length),
        "recombination_rate": recombination_rate,
        "mutation_rate": mutation_rate,
        "mutation_model": "JC69",
        "chrom": str(chrom),
        "seed": int(seed),
        "msprime": msprime.__version__,
    }
    tables = ts.dump_tables()
    tables.metadata_schema = tskit.MetadataSchema.permissive_json()
    tables.metadata = {"genosynth": params}
    ts = tables.tree_sequence()
    return ts, _simulated_panel(ts)


def _simulate_ooa(
    counts: Mapping[str, int],
    sequence_length: float,
    recombination_rate: float,
    mutation_rate: float,
    *,
    seed: int,
) -> tskit.TreeSequence:
    """Ancestry under :func:`ooa_demography`, then JC69 mutations (:func:`simulate_haplotypes`)."""
    ancestry_seed, mutation_seed = _msprime_seeds(seed, 2)
    demography = ooa_demography()
    ts = msprime.sim_ancestry(
        samples=counts,
        demography=demography,
        sequence_length=float(sequence_length),
        recombination_rate=recombination_rate,
        ploidy=2,
        discrete_genome=True,
        random_seed=ancestry_seed,
    )
    return msprime.sim_mutations(
        ts,
        rate=mutation_rate,
        model=msprime.JC69(),
        discrete_genome=True,
        random_seed=mutation_seed,
    )


def _sample_counts(n_per_population: Mapping[str, int] | int) -> dict[str, int]:
    """Individuals per sampled population, checked, in :data:`OOA_POPULATIONS` order, no zeros."""
    if isinstance(n_per_population, Mapping):
        counts = dict(n_per_population)
    else:
        counts = dict.fromkeys(OOA_POPULATIONS, n_per_population)
    unknown = sorted(set(counts) - set(OOA_POPULATIONS))
    if unknown:
        raise ConfigError(
            "n_per_population",
            f"unknown population(s) {unknown}",
            fix=f"use only the model's sampled populations {list(OOA_POPULATIONS)}",
        )
    for pop, n in counts.items():
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
            raise ConfigError(
                f"n_per_population.{pop}", f"must be a non-negative integer, got {n!r}"
            )
    counts = {p: int(counts[p]) for p in OOA_POPULATIONS if counts.get(p, 0) > 0}
    if not counts:
        raise ConfigError("n_per_population", "no individuals requested", fix="ask for >= 1")
    return counts


def _simulated_panel(ts: tskit.TreeSequence) -> pd.DataFrame:
    """``sample`` (``YRI_0001``...), ``pop``, ``super_pop`` of every individual of ``ts``."""
    rows = []
    seen: dict[str, int] = {}
    for ind in ts.individuals():
        pop = ts.population(ind.population).metadata["name"]
        seen[pop] = seen.get(pop, 0) + 1
        rows.append((f"{pop}_{seen[pop]:04d}", pop, SUPER_POPULATIONS[pop]))
    return pd.DataFrame(rows, columns=["sample", "pop", "super_pop"])


def _biallelic_snps(ts: tskit.TreeSequence, chunk: int = 4096):
    """Yield the biallelic SNP sites of ``ts`` in chunks, in position order.

    Each chunk is ``(positions int64 (m,), ref list, alt list, genotypes
    uint8 (m, n_sample_nodes))`` with 0-based positions and sample columns
    in individual order (``ind0_a, ind0_b, ind1_a, ...``). A site is kept
    when it has exactly one mutation (so two alleles), both alleles are
    single bases, its position is an integer and it segregates.
    """
    tables = ts.tables
    n_mut = np.bincount(tables.mutations.site, minlength=ts.num_sites)
    keep = n_mut == 1  # one mutation: exactly two alleles
    ancestral = np.array(
        tskit.unpack_strings(tables.sites.ancestral_state, tables.sites.ancestral_state_offset),
        dtype=object,
    )
    derived = np.empty(ts.num_sites, dtype=object)
    der = tskit.unpack_strings(
        tables.mutations.derived_state, tables.mutations.derived_state_offset
    )
    derived[tables.mutations.site] = der  # only read where keep (single mutation)
    positions = tables.sites.position
    keep &= positions == np.floor(positions)
    for i in np.flatnonzero(keep):
        if ancestral[i] not in _BASES or derived[i] not in _BASES or ancestral[i] == derived[i]:
            keep[i] = False
    site_ids = np.flatnonzero(keep)
    nodes = np.array([n for ind in ts.individuals() for n in ind.nodes], dtype=np.int32)
    if len(nodes) != ts.num_samples or not np.array_equal(np.sort(nodes), np.sort(ts.samples())):
        raise GenosynthError("tree sequence individuals do not cover its sample nodes")
    variant = tskit.Variant(ts, samples=nodes)
    for lo in range(0, len(site_ids), chunk):
        ids = site_ids[lo : lo + chunk]
        geno = np.empty((len(ids), len(nodes)), dtype=np.uint8)
        for k, site in enumerate(ids):
            variant.decode(int(site))
            geno[k] = variant.genotypes
        # a single mutation above a sample subtree always segregates, but be safe
        seg = geno.min(axis=1) != geno.max(axis=1)
        ids, geno = ids[seg], geno[seg]
        yield (
            positions[ids].astype(np.int64),
            list(ancestral[ids]),
            list(derived[ids]),
            geno,
        )


def write_vcf_and_panel(
    ts: tskit.TreeSequence,
    panel: pd.DataFrame,
    vcf_path: str | os.PathLike,
    panel_path: str | os.PathLike,
    *,
    chrom: str | None = None,
    provenance: Mapping | None = None,
) -> int:
    """Write the biallelic SNPs of ``ts`` as a phased VCF and the panel file.

    The VCF (bgzipped, with a tabix ``.tbi`` index at ``vcf_path + ".tbi"``)
    has ``GT`` only, phased ``a|b`` genotypes, one base each for REF
    (the ancestral allele) and ALT, 1-based strictly increasing positions
    and IDs ``<chrom>:<pos>_<ref>_<alt>``. Sites with more than one mutation are dropped,
    so every record is a biallelic SNP. The header carries one
    ``##genosynth_provenance=<json>`` line: the simulation parameters from
    ``ts.metadata`` (key ``simulation``) merged with ``provenance``.

    The panel is tab separated with header ``sample pop super_pop gender``
    (``gender`` is ``NA`` unless ``panel`` has that column). The VCF, its
    index and the panel appear together or not at all.

    Parameters
    ----------
    ts : tskit.TreeSequence
        From :func:`simulate_haplotypes`.
    panel : pandas.DataFrame, ts.num_individuals rows
        Columns ``sample``, ``pop``, ``super_pop`` (optionally ``gender``).
    vcf_path : str or os.PathLike
        Destination, ending in ``.vcf.gz``.
    panel_path : str or os.PathLike
        Destination of the panel.
    chrom : str, optional
        Chromosome name; default: the one recorded by
        :func:`simulate_haplotypes`, else ``"1"``.
    provenance : dict, optional
        JSON-serialisable record of how the files were made (no newlines
        needed: it is written as compact JSON).

    Returns
    -------
    int
        Number of SNP records written.
    """
    vcf_path = os.fspath(vcf_path)
    if not vcf_path.endswith(".vcf.gz"):
        raise ConfigError(
            "vcf_path", f"'{vcf_path}' must end in .vcf.gz", fix="name the output <name>.vcf.gz"
        )
    names = _checked_sample_names(ts, panel)
    ts_meta = ts.metadata if isinstance(ts.metadata, dict) else {}
    sim = ts_meta.get("genosynth", {})
    if chrom is None:
        chrom = str(sim.get("chrom", "1"))
    chrom = str(chrom)
    if not chrom or any(c.isspace() for c in chrom) or ":" in chrom:
        raise ConfigError("chrom", f"invalid chromosome name {chrom!r}", fix="e.g. '1' or 'chr1'")
    record = {"simulation": sim, **dict(provenance or {})}
    header = _vcf_header(ts, chrom, names, record)
    gender = panel["gender"].astype(str) if "gender" in panel else pd.Series(["NA"] * len(panel))
    panel_out = pd.DataFrame(
        {
            "sample": names,
            "pop": panel["pop"].astype(str).to_numpy(),
            "super_pop": panel["super_pop"].astype(str).to_numpy(),
            "gender": gender.to_numpy(),
        }
    )

    tbi_path = vcf_path + ".tbi"
    with atomic_paths(vcf_path, tbi_path, panel_path) as (vcf_tmp, tbi_tmp, panel_tmp):
        with pysam.BGZFile(str(vcf_tmp), "wb") as fh:
            fh.write(("\n".join(header) + "\n").encode())
            n_written = _write_snp_records(fh, ts, chrom)
        pysam.tabix_index(str(vcf_tmp), preset="vcf", force=True, index=str(tbi_tmp))
        panel_out.to_csv(panel_tmp, sep="\t", index=False, lineterminator="\n")
    return n_written


def _vcf_header(ts: tskit.TreeSequence, chrom: str, names: list[str], record: dict) -> list[str]:
    """Header lines of the simulated VCF, ``record`` as its provenance line."""
    prov = json.dumps(record, sort_keys=True, separators=(",", ":"), default=str)
    length = int(math.ceil(ts.sequence_length))
    return [
        "##fileformat=VCFv4.2",
        "##source=genosynth.simulate (msprime, OutOfAfrica_3G09)",
        f"##genosynth_provenance={prov}",
        f"##contig=<ID={chrom},length={length}>",
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Phased genotype">',
        "\t".join(
            ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT"] + names
        ),
    ]


def _checked_sample_names(ts: tskit.TreeSequence, panel: pd.DataFrame) -> list[str]:
    """The panel's sample names, once panel and tree sequence fit :func:`write_vcf_and_panel`."""
    if len(panel) != ts.num_individuals:
        raise GenosynthError(
            f"panel has {len(panel)} rows for {ts.num_individuals} individuals in the tree "
            "sequence; pass the panel returned with it by simulate_haplotypes"
        )
    missing = [c for c in ("sample", "pop", "super_pop") if c not in panel]
    if missing:
        raise GenosynthError(f"panel lacks column(s) {missing}")
    names = [str(s) for s in panel["sample"]]
    if len(set(names)) != len(names) or any(not s or any(c.isspace() for c in s) for s in names):
        raise GenosynthError("panel sample names must be unique and contain no whitespace")
    if ts.num_individuals == 0 or any(len(ind.nodes) != 2 for ind in ts.individuals()):
        raise GenosynthError(
            "every individual of the tree sequence must be diploid (two sample nodes); "
            "simulate with ploidy=2 as simulate_haplotypes does"
        )
    return names


def _write_snp_records(fh, ts: tskit.TreeSequence, chrom: str) -> int:
    """Write the phased ``GT`` records of the biallelic SNPs of ``ts`` to ``fh``; their count."""
    n_ind = ts.num_individuals
    n_written, last = 0, 0
    for positions, ref, alt, g in _biallelic_snps(ts):
        pos1 = positions + 1  # VCF is 1-based
        if len(pos1) and (pos1[0] <= last or np.any(np.diff(pos1) <= 0)):
            raise GenosynthError("simulated positions are not strictly increasing")
        buf = np.empty((len(g), 4 * n_ind), dtype=np.uint8)
        buf[:, 0::4] = g[:, 0::2] + ord("0")
        buf[:, 1::4] = ord("|")
        buf[:, 2::4] = g[:, 1::2] + ord("0")
        buf[:, 3::4] = ord("\t")
        buf[:, -1] = ord("\n")
        lines = []
        for k in range(len(g)):
            p, site = int(pos1[k]), f"{ref[k]}\t{alt[k]}"
            vid = f"{chrom}:{p}_{ref[k]}_{alt[k]}"  # the id ingestion would make
            lines.append(f"{chrom}\t{p}\t{vid}\t{site}\t.\tPASS\t.\tGT\t".encode())
            lines.append(buf[k].tobytes())
        fh.write(b"".join(lines))
        n_written += len(g)
        if len(pos1):
            last = int(pos1[-1])
    return n_written


def haplotype_dosage(haplotypes: np.ndarray) -> np.ndarray:
    """ALT-allele dosage of each individual from its two adjacent haplotype rows.

    Parameters
    ----------
    haplotypes : numpy.ndarray, shape (2 * n_individuals, n_sites)
        Values in {0, 1}; rows ``2i`` and ``2i + 1`` are individual ``i``.

    Returns
    -------
    numpy.ndarray, int8, shape (n_individuals, n_sites)
        Values in {0, 1, 2}.
    """
    h = np.asarray(haplotypes)
    if h.ndim != 2 or h.shape[0] % 2:
        raise GenosynthError(
            f"need a 2-D haplotype matrix with an even number of rows, got shape {h.shape}"
        )
    return (h[0::2].astype(np.int8) + h[1::2].astype(np.int8)).astype(np.int8)


def _rng(seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise ConfigError("seed", f"must be an integer or numpy Generator, got {seed!r}")
    return np.random.default_rng(int(seed))


def simulate_phenotype(
    dosage: np.ndarray,
    *,
    causal_index: int,
    heritability: float = 0.5,
    prevalence: float = 0.5,
    seed: int | np.random.Generator,
) -> np.ndarray:
    """Binary phenotype from one causal SNP under a liability-threshold model.

    ``liability = sqrt(h2) * z + sqrt(1 - h2) * e`` with ``z`` the causal
    dosage standardised to mean 0 and variance 1 and ``e ~ N(0, 1)``, so the
    SNP explains ``h2`` of the liability variance; individuals whose
    liability exceeds its ``1 - prevalence`` sample quantile are cases.
    With ``h2 = 1`` the phenotype is a (monotone) function of the dosage.

    Parameters
    ----------
    dosage : numpy.ndarray, shape (n_individuals, n_sites) or (n_individuals,)
        ALT-allele counts (see :func:`haplotype_dosage`); a 1-D array is the
        causal SNP's dosage itself.
    causal_index : int
        Column of the causal SNP (ignored for 1-D ``dosage``; pass 0).
    heritability : float
        ``h2`` in [0, 1].
    prevalence : float
        Fraction of cases, in (0, 1).
    seed : int or numpy.random.Generator

    Returns
    -------
    numpy.ndarray, int8, shape (n_individuals,)
        1 = case, 0 = control.
    """
    d = np.asarray(dosage, dtype=float)
    if d.ndim == 2:
        if not 0 <= causal_index < d.shape[1]:
            raise ConfigError("causal_index", f"{causal_index} is outside 0..{d.shape[1] - 1}")
        d = d[:, causal_index]
    elif d.ndim != 1:
        raise GenosynthError(f"dosage must be 1-D or 2-D, got shape {d.shape}")
    if not 0.0 <= heritability <= 1.0:
        raise ConfigError("heritability", f"must be in [0, 1], got {heritability!r}")
    if not 0.0 < prevalence < 1.0:
        raise ConfigError("prevalence", f"must be in (0, 1), got {prevalence!r}")
    sd = d.std()
    if len(d) < 2 or sd == 0:
        raise GenosynthError(
            "the causal SNP is monomorphic in these individuals; choose a polymorphic SNP "
            "(see choose_causal_site)"
        )
    z = (d - d.mean()) / sd
    noise = _rng(seed).standard_normal(len(d))
    liability = math.sqrt(heritability) * z + math.sqrt(1.0 - heritability) * noise
    threshold = np.quantile(liability, 1.0 - prevalence)
    return (liability > threshold).astype(np.int8)


def choose_causal_site(
    dosage_by_pop: Mapping[str, np.ndarray],
    *,
    contrast: tuple[str, str] = ("CEU", "YRI"),
    min_maf: float = 0.2,
    n_candidates: int = 10,
    rng: int | np.random.Generator,
) -> int:
    """Pick a common SNP whose frequency differs between two populations.

    Like HERC2 rs12913832 (blue eyes: common in Europeans, rare in West
    Africans): among SNPs whose pooled minor allele frequency over all the
    given populations is at least ``min_maf``, take the ``n_candidates``
    with the largest ``|p[contrast[0]] - p[contrast[1]]|`` and pick one at
    random.

    Parameters
    ----------
    dosage_by_pop : dict of str to numpy.ndarray, each shape (n_individuals_pop, n_sites)
        ALT-allele dosages (0/1/2) of each population's individuals.
    contrast : (str, str)
        The two populations whose frequencies should differ.
    min_maf : float
        Pooled minor-allele-frequency floor.
    n_candidates : int
        Size of the top list to draw from (1 = the most differentiated).
    rng : int or numpy.random.Generator

    Returns
    -------
    int
        Column index of the chosen SNP.
    """
    if not dosage_by_pop:
        raise GenosynthError("dosage_by_pop is empty")
    for pop in contrast:
        if pop not in dosage_by_pop:
            raise ConfigError(
                "contrast",
                f"population '{pop}' not among {sorted(dosage_by_pop)}",
                fix="name two of the available populations",
            )
    arrays = {p: np.asarray(d, dtype=float) for p, d in dosage_by_pop.items()}
    widths = {a.shape[1] if a.ndim == 2 else -1 for a in arrays.values()}
    if len(widths) != 1 or -1 in widths:
        raise GenosynthError("every dosage matrix must be 2-D with the same number of sites")
    freq = {p: a.mean(axis=0) / 2.0 for p, a in arrays.items() if len(a)}
    for pop in contrast:
        if pop not in freq:
            raise GenosynthError(f"population '{pop}' has no individuals")
    pooled = np.concatenate(list(arrays.values()), axis=0).mean(axis=0) / 2.0
    maf = np.minimum(pooled, 1.0 - pooled)
    eligible = np.flatnonzero(maf >= min_maf)
    if len(eligible) == 0:
        raise ConfigError(
            "min_maf",
            f"no SNP has pooled MAF >= {min_maf} (highest is {maf.max():.3f})",
            fix="lower min_maf or simulate a longer sequence",
        )
    diff = np.abs(freq[contrast[0]] - freq[contrast[1]])[eligible]
    order = np.argsort(-diff, kind="stable")
    top = eligible[order[: max(1, int(n_candidates))]]
    return int(_rng(rng).choice(top))


def write_phenotypes(
    path: str | os.PathLike,
    samples: Sequence[str],
    phenotype: np.ndarray,
    causal_site: str | tuple[str, int],
) -> None:
    """Write ``sample<TAB>phenotype`` with a ``# causal_site=<chrom>:<pos>`` first line.

    Parameters
    ----------
    path : str or os.PathLike
        Destination (written atomically).
    samples : sequence of str, length n_individuals
    phenotype : numpy.ndarray, shape (n_individuals,)
        0/1 values.
    causal_site : str or (str, int)
        ``"chrom:pos"`` or ``(chrom, pos)``, 1-based position.
    """
    samples = [str(s) for s in samples]
    ph = np.asarray(phenotype)
    if ph.shape != (len(samples),):
        raise GenosynthError(f"{ph.shape} phenotypes for {len(samples)} samples")
    if not np.isin(ph, (0, 1)).all():
        raise GenosynthError("phenotypes must be 0 or 1")
    if isinstance(causal_site, tuple):
        site = f"{causal_site[0]}:{int(causal_site[1])}"
    else:
        site = str(causal_site)
    if site.count(":") < 1 or any(c.isspace() for c in site):
        raise GenosynthError(f"causal_site must look like <chrom>:<pos>, got {site!r}")
    lines = [f"# causal_site={site}", "sample\tphenotype"]
    lines += [f"{s}\t{int(v)}" for s, v in zip(samples, ph, strict=True)]
    with atomic_path(path) as tmp:
        tmp.write_text("\n".join(lines) + "\n")


def read_phenotypes(path: str | os.PathLike) -> tuple[pd.DataFrame, str]:
    """Read a table written by :func:`write_phenotypes`.

    Returns
    -------
    table : pandas.DataFrame
        Columns ``sample`` (str) and ``phenotype`` (int8).
    causal_site : str
        ``"chrom:pos"`` from the first line.
    """
    with open(path) as fh:
        first = fh.readline().strip()
    if not first.startswith("# causal_site="):
        raise InputError(
            path,
            "first line must be '# causal_site=<chrom>:<pos>'",
            line=1,
            record=first[:60],
            fix="write the table with genosynth.simulate.write_phenotypes",
        )
    table = pd.read_csv(path, sep="\t", comment="#", dtype={"sample": str})
    return table.astype({"phenotype": np.int8}), first.split("=", 1)[1]
