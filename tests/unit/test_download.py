"""Checksum-verified downloads against a local HTTP server on 127.0.0.1 serving small fixtures."""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import io
import logging
import re
import socket
import threading
import zipfile

import pytest
import yaml
from conftest import REPO, run_snakemake

from genosynth.download import DownloadError, fetch, sha256sum
from genosynth.errors import GenosynthError

GOOD = b"Real HG00096_A 1 0 1\nReal HG00096_B 0 0 1\n"
GOOD_SHA = hashlib.sha256(GOOD).hexdigest()
CORRUPT = GOOD.replace(b"1 0 1", b"1 1 1")  # one flipped allele


class Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the fixture folder and counts requests per path."""

    def log_message(self, *args):  # keep pytest output clean
        pass

    def do_GET(self):
        self.server.hits[self.path] = self.server.hits.get(self.path, 0) + 1
        super().do_GET()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """(base URL, request counts) of an HTTP server on a free port of 127.0.0.1."""
    root = tmp_path_factory.mktemp("served")
    (root / "good.hapt").write_bytes(GOOD)
    (root / "corrupt.hapt").write_bytes(CORRUPT)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("805_SNP_1000G_real.hapt", GOOD)
    (root / "bundle.zip").write_bytes(archive.getvalue())
    handler = functools.partial(Handler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.hits = {}
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", httpd.hits
    httpd.shutdown()
    httpd.server_close()


def test_good_file_is_cached_and_verified(server, tmp_path):
    base, _ = server
    dest = tmp_path / "cache" / "good.hapt"
    assert fetch(f"{base}/good.hapt", dest, sha256=GOOD_SHA) == GOOD_SHA
    assert dest.read_bytes() == GOOD
    assert sorted(p.name for p in dest.parent.iterdir()) == ["good.hapt"]  # no temporaries


def test_cached_file_is_not_downloaded_again(server, tmp_path):
    base, hits = server
    dest = tmp_path / "good.hapt"
    fetch(f"{base}/good.hapt", dest, sha256=GOOD_SHA)
    before = hits["/good.hapt"]
    mtime = dest.stat().st_mtime_ns
    assert fetch(f"{base}/good.hapt", dest, sha256=GOOD_SHA.upper()) == GOOD_SHA
    assert hits["/good.hapt"] == before and dest.stat().st_mtime_ns == mtime


def test_checksum_mismatch_names_url_and_both_checksums_and_caches_nothing(server, tmp_path):
    base, _ = server
    dest = tmp_path / "cache" / "corrupt.hapt"
    with pytest.raises(DownloadError) as err:
        fetch(f"{base}/corrupt.hapt", dest, sha256=GOOD_SHA)
    message = str(err.value)
    assert message.startswith(f"{base}/corrupt.hapt: checksum mismatch")
    assert hashlib.sha256(CORRUPT).hexdigest() in message and GOOD_SHA in message
    assert "Fix: " in message and isinstance(err.value, GenosynthError)
    assert not dest.exists() and list(dest.parent.iterdir()) == []


def test_stale_cached_file_is_replaced(server, tmp_path):
    base, _ = server
    dest = tmp_path / "good.hapt"
    dest.write_bytes(CORRUPT)  # e.g. a truncated earlier download
    assert fetch(f"{base}/good.hapt", dest, sha256=GOOD_SHA) == GOOD_SHA
    assert dest.read_bytes() == GOOD


def test_server_down_is_a_clear_offline_error(tmp_path):
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    dest = tmp_path / "good.hapt"
    with pytest.raises(DownloadError, match="cannot reach the server.*offline") as err:
        fetch(f"http://127.0.0.1:{port}/good.hapt", dest, sha256=GOOD_SHA, retries=0)
    assert f"http://127.0.0.1:{port}/good.hapt" in str(err.value)
    assert "cache path" in str(err.value)  # the fix: put the file there by hand
    assert not dest.exists() and list(tmp_path.iterdir()) == []


def test_missing_file_is_an_http_error(server, tmp_path):
    base, _ = server
    with pytest.raises(DownloadError, match="HTTP 404"):
        fetch(f"{base}/nope.hapt", tmp_path / "nope.hapt", sha256=GOOD_SHA)
    assert list(tmp_path.iterdir()) == []


def test_zip_member_is_extracted_and_its_checksum_checked(server, tmp_path):
    base, _ = server
    dest = tmp_path / "805_SNP_1000G_real.hapt"
    got = fetch(f"{base}/bundle.zip", dest, sha256=GOOD_SHA, extract="805_SNP_1000G_real.hapt")
    assert got == GOOD_SHA and dest.read_bytes() == GOOD
    with pytest.raises(DownloadError, match="no member 'other.hapt'"):
        fetch(f"{base}/bundle.zip", tmp_path / "other.hapt", extract="other.hapt")


def test_unpinned_file_is_kept_with_a_warning_naming_its_checksum(server, tmp_path, caplog):
    base, _ = server
    dest = tmp_path / "good.hapt"
    with caplog.at_level(logging.WARNING, logger="genosynth.download"):
        assert fetch(f"{base}/good.hapt", dest) == GOOD_SHA
    assert f"pin `sha256: {GOOD_SHA}`" in caplog.text and "NOT VERIFIED" in caplog.text
    assert sha256sum(dest) == GOOD_SHA


# --- the download stage in the workflow ------------------------------------------------------


def _config_with_downloads(tmp_path, files: dict):
    config = yaml.safe_load((REPO / "config/smoke.yaml").read_text())
    config["downloads"] = {"cache": "cache", "files": files}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_download_rule_fetches_verifies_and_refuses_a_corrupt_file(server, tmp_path):
    base, _ = server
    files = {
        "good.hapt": {"url": f"{base}/good.hapt", "sha256": GOOD_SHA},
        "corrupt.hapt": {"url": f"{base}/corrupt.hapt", "sha256": GOOD_SHA},
    }
    config = _config_with_downloads(tmp_path, files)
    run_snakemake(tmp_path, "--configfile", str(config), "--cores", "1", "cache/good.hapt")
    assert (tmp_path / "cache/good.hapt").read_bytes() == GOOD
    log = (tmp_path / "results/logs/download_file/good.hapt.log").read_text()
    assert f"(sha256 {GOOD_SHA}, {len(GOOD)} bytes)" in log and "NOT VERIFIED" not in log
    proc = run_snakemake(
        tmp_path, "--configfile", str(config), "--cores", "1", "cache/corrupt.hapt", check=False
    )
    assert proc.returncode != 0
    log = (tmp_path / "results/logs/download_file/corrupt.hapt.log").read_text()
    assert f"DownloadError: {base}/corrupt.hapt: checksum mismatch" in log
    assert hashlib.sha256(CORRUPT).hexdigest() in log and GOOD_SHA in log
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["good.hapt"]


def test_paper_config_validates_and_schedules_every_download(tmp_path):
    paper = yaml.safe_load((REPO / "config/paper.yaml").read_text())
    proc = run_snakemake(tmp_path, "--configfile", str(REPO / "config/paper.yaml"), "-n", "all")
    cache = paper["downloads"]["cache"]
    scheduled = re.findall(r"rule download_file:\n(?:.*\n)*?\s+output: (\S+)", proc.stdout)
    assert sorted(scheduled) == sorted(f"{cache}/{name}" for name in paper["downloads"]["files"])
    for source in paper["sources"].values():  # every source file comes from the cache
        for key in ("vcf", "hapt", "legend", "panel"):
            if source.get(key):
                assert source[key].removeprefix(f"{cache}/") in paper["downloads"]["files"]
    assert paper["models"]["gan"]["epochs"] == 20000  # the paper's budget
    pinned = {n for n, f in paper["downloads"]["files"].items() if f.get("sha256")}
    assert {
        "805_SNP_1000G_real.hapt",
        "805_SNP.legend",
        "genetic_map_GRCh37_chr15.txt.gz",
    } <= pinned


def test_pinned_paper_checksums_match_the_staged_copies(shared_data):
    """The pinned checksums were computed from ../shared/data copies of the same files."""
    paper = yaml.safe_load((REPO / "config/paper.yaml").read_text())["downloads"]["files"]
    staged = {
        "805_SNP.legend": "popgen/805/805_SNP.legend",
        "integrated_call_samples_v3.20130502.ALL.panel": (
            "popgen/reference/integrated_call_samples_v3.20130502.ALL.panel"
        ),
        "genetic_map_GRCh37_chr15.txt.gz": "popgen/reference/genetic_map_GRCh37_chr15.txt.gz",
    }
    for name, path in staged.items():
        assert sha256sum(shared_data / path) == paper[name]["sha256"], name
    with gzip.open(shared_data / "popgen/805/805_SNP_1000G_real.hapt.gz", "rb") as fh:
        content = hashlib.sha256(fh.read()).hexdigest()
    assert content == paper["805_SNP_1000G_real.hapt"]["sha256"]
