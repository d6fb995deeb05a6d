"""Checksum-verified downloads of public input files into a cache folder.

:func:`fetch` is what the ``download_file`` rule runs: it downloads one URL
(``http(s)://``, ``ftp://`` or ``file://``), optionally keeps one member of a
zip archive, checks the SHA-256 of the kept file and only then moves it into
place (atomically). A cached file that verifies is never downloaded again; a
mismatch or an unreachable server raises :class:`DownloadError` naming the
URL, both checksums and the fix, and leaves nothing in the cache.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

from genosynth import __version__
from genosynth.errors import GenosynthError
from genosynth.fileio import atomic_path
from genosynth.provenance import sha256sum

__all__ = ["DownloadError", "fetch", "sha256sum"]

log = logging.getLogger(__name__)
CHUNK = 1 << 20


class DownloadError(GenosynthError):
    """A download that failed, or whose content is not what the config pins.

    Parameters
    ----------
    url : str
        The URL that was fetched.
    problem : str
        What went wrong, in one sentence.
    fix : str
        What the user can do about it.
    """

    def __init__(self, url: str, problem: str, *, fix: str):
        self.url = url
        super().__init__(f"{url}: {problem}. Fix: {fix}")


def _download(url: str, dest: Path, *, timeout: float, retries: int) -> None:
    """Stream ``url`` into ``dest``; retry transient failures with 2, 4, ... s back-off."""
    request = urllib.request.Request(url, headers={"User-Agent": f"genosynth/{__version__}"})
    for attempt in range(retries + 1):
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                with open(dest, "wb") as out:
                    shutil.copyfileobj(response, out, CHUNK)
            return
        except urllib.error.HTTPError as err:  # the server answered: retrying will not help
            raise DownloadError(
                url,
                f"the server answered HTTP {err.code} ({err.reason})",
                fix="check the URL in the config (downloads.files); the file may have moved",
            ) from err
        except (urllib.error.URLError, TimeoutError, ConnectionError) as err:
            if attempt == retries:
                reason = getattr(err, "reason", err)
                raise DownloadError(
                    url,
                    f"cannot reach the server ({reason}); offline or behind a firewall?",
                    fix="run the download rule on a machine with internet access, or fetch the "
                    "file by hand and put it at the cache path (it is then verified and kept)",
                ) from err
            log.warning("attempt %d of %s failed (%s), retrying", attempt + 1, url, err)
            time.sleep(2 ** (attempt + 1))


def _extract(archive: Path, member: str, dest: Path, url: str) -> None:
    """Copy one member of a zip archive to ``dest``."""
    try:
        with zipfile.ZipFile(archive) as zf, zf.open(member) as src, open(dest, "wb") as out:
            shutil.copyfileobj(src, out, CHUNK)
    except zipfile.BadZipFile as err:
        raise DownloadError(
            url, "is not a zip archive", fix="check the URL or remove `extract`"
        ) from err
    except KeyError as err:
        with zipfile.ZipFile(archive) as zf:
            names = zf.namelist()
        raise DownloadError(
            url,
            f"the archive has no member {member!r} (it has {names[:10]})",
            fix="set `extract` to one of the archive's members",
        ) from err


def fetch(
    url: str,
    dest: str | os.PathLike,
    *,
    sha256: str = "",
    extract: str = "",
    timeout: float = 60.0,
    retries: int = 2,
) -> str:
    """Download ``url`` to ``dest`` unless ``dest`` is already there and verifies.

    Parameters
    ----------
    url : str
        What to download (``http(s)://``, ``ftp://`` or ``file://``).
    dest : str or os.PathLike
        The cache path. Written atomically, and only after the checksum matched.
    sha256 : str, optional
        Expected hex SHA-256 of the kept file (of the ``extract`` member for an
        archive). Empty: the file cannot be verified; it is downloaded (again
        when the rule reruns: an unverifiable cache is not trusted), its
        checksum logged with a warning to pin it in the config.
    extract : str, optional
        Keep this member of a zip archive instead of the download itself.
    timeout : float, optional
        Seconds without data before a connection attempt is given up.
    retries : int, optional
        Further attempts after a network failure (not after an HTTP error answer).

    Returns
    -------
    str
        The SHA-256 of the file at ``dest``.

    Raises
    ------
    DownloadError
        Unreachable server, HTTP error, missing archive member, or a checksum
        mismatch (``url``, expected and received checksums in the message);
        ``dest`` is then left as it was (absent, or a cached file that failed
        verification is removed).
    """
    dest = Path(dest)
    sha256 = sha256.lower()
    cached = _verified_cache(dest, sha256)
    if cached:
        return cached
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=f".{dest.name}.") as tmpdir:
        raw = Path(tmpdir) / "download"
        log.info("downloading %s", url)
        _download(url, raw, timeout=timeout, retries=retries)
        kept = raw
        if extract:
            kept = Path(tmpdir) / "member"
            _extract(raw, extract, kept, url)
        what = f"member {extract!r} of the archive" if extract else "the downloaded file"
        got = _check_sha256(kept, sha256, url=url, what=what, dest=dest)
        with atomic_path(dest) as tmp:
            shutil.move(kept, tmp)
    log.info("%s -> %s (sha256 %s, %d bytes)", url, dest, got, dest.stat().st_size)
    return got


def _verified_cache(dest: Path, sha256: str) -> str:
    """The SHA-256 of a cached ``dest`` that verifies; else ``""``, the cached file removed."""
    if not dest.exists():
        return ""
    cached = sha256sum(dest)
    if sha256 and cached == sha256:
        log.info("%s: cached copy verifies (sha256 %s), not downloading", dest, cached)
        return cached
    if sha256:
        log.warning("%s: cached copy has sha256 %s, not %s: fetching again", dest, cached, sha256)
    dest.unlink()
    return ""


def _check_sha256(kept: Path, sha256: str, *, url: str, what: str, dest: Path) -> str:
    """The SHA-256 of ``kept``: refused when it is not the pinned one, logged when none is."""
    got = sha256sum(kept)
    if sha256 and got != sha256:
        raise DownloadError(
            url,
            f"checksum mismatch: {what} has sha256 {got}, the config expects {sha256}; "
            f"nothing was cached at {dest}",
            fix="the file changed upstream or the download is corrupt: retry, and if it "
            "persists check the source and update `sha256` in the config deliberately",
        )
    if not sha256:
        log.warning(
            "%s: no sha256 pinned, NOT VERIFIED; %s has sha256 %s: pin `sha256: %s` in the "
            "config to verify later downloads",
            url,
            what,
            got,
            got,
        )
    return got
