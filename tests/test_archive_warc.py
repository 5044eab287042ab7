"""Local copies as WARC files inside their bags: records and digests, verification of
the digests, and replay of the WARC by pywb on loopback."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from bibvault.archive import ArchiveTarget, archive_records, verify_bag
from bibvault.archive.bagit import payload_sha256, read_manifest
from bibvault.cli import cli
from bibvault.config import ArchiveConfig
from bibvault.net import HostGate
from webfarm import Farm, running_farm

ARTICLE = (Path(__file__).parent / "data" / "drift" / "pages" / "bike-article.html").read_bytes()


@pytest.fixture(scope="module")
def farm() -> Iterator[Farm]:
    for f in running_farm():
        f.pages["/article"] = (ARTICLE, "text/html; charset=utf-8")
        yield f


@pytest.fixture(scope="module")
def site(farm: Farm) -> str:
    return farm.site("127.0.0.85")


@pytest.fixture(scope="module")
def wayback(farm: Farm) -> str:
    return farm.archive("127.0.0.86")


def archive_local(tmp_path: Path, wayback: str, *targets: ArchiveTarget) -> list[Path]:
    cfg = dataclasses.replace(ArchiveConfig(), wayback_url=wayback)
    with requests.Session() as session:
        run = archive_records(list(targets), session, cfg, None, local_root=tmp_path,
                              gate=HostGate(2, 0.0))
    bags = [o.bag for o in run.outcomes]
    assert all(b is not None for b in bags), run.findings
    return [b.path for b in bags if b is not None]


def records(warc: Path) -> list[tuple[str, str, str, bytes]]:
    out = []
    with warc.open("rb") as fh:
        for r in ArchiveIterator(fh):
            out.append((r.rec_type, r.rec_headers.get_header("WARC-Target-URI"),
                        r.rec_headers.get_header("WARC-Payload-Digest") or "",
                        r.content_stream().read()))
    return out


def test_the_bag_holds_a_warc_of_the_download(tmp_path: Path, site: str, wayback: str) -> None:
    [bag] = archive_local(tmp_path, wayback, ArchiveTarget("art", site + "/article"))
    warc = bag / "data" / "source.warc"
    manifest = read_manifest(bag)
    assert set(manifest) == {"data/source.html", "data/source.warc"}
    assert manifest["data/source.warc"] == hashlib.sha256(warc.read_bytes()).hexdigest()
    assert payload_sha256(bag) == hashlib.sha256(ARTICLE).hexdigest()  # archivesha256 is the page's
    assert "Payload-Oxum: " + f"{len(ARTICLE) + warc.stat().st_size}.2" in \
        (bag / "bag-info.txt").read_text()
    got = records(warc)
    assert [(t, u) for t, u, _, _ in got] == [("response", site + "/article"),
                                              ("request", site + "/article")]
    response = got[0]
    assert response[2].startswith("sha1:") and response[3] == ARTICLE
    assert verify_bag(bag) == []


def test_redirect_hops_are_recorded(tmp_path: Path, site: str, wayback: str) -> None:
    [bag] = archive_local(tmp_path, wayback, ArchiveTarget("moved", site + "/moved"))
    got = records(bag / "data" / "source.warc")
    assert [(t, u) for t, u, _, _ in got] == [
        ("response", site + "/moved"), ("request", site + "/moved"),
        ("response", site + "/ok"), ("request", site + "/ok")]
    with (bag / "data" / "source.warc").open("rb") as fh:
        first = next(iter(ArchiveIterator(fh)))
        assert first.http_headers.get_statuscode() == "301"
        assert first.http_headers.get_header("Location") == "/ok"


def corrupt(warc: Path) -> None:
    data = warc.read_bytes()
    at = data.index(b"kerb-separated cycle track")
    warc.write_bytes(data[:at] + b"K" + data[at + 1:])


def test_verify_reports_a_corrupted_warc_payload(tmp_path: Path, site: str, wayback: str) -> None:
    [bag] = archive_local(tmp_path, wayback, ArchiveTarget("art", site + "/article"))
    warc = bag / "data" / "source.warc"
    corrupt(warc)
    found = verify_bag(bag)
    assert [f.code for f in found] == ["A503", "A520"]
    assert "payload digest failed" in found[1].message and site + "/article" in found[1].message
    # Even when the manifest is rewritten to match (a careless re-bag), the WARC's
    # own digests still show the damage.
    lines = (bag / "manifest-sha256.txt").read_text().splitlines()
    fixed = [f"{hashlib.sha256(warc.read_bytes()).hexdigest()}  data/source.warc"
             if line.endswith("source.warc") else line for line in lines]
    (bag / "manifest-sha256.txt").write_text("\n".join(fixed) + "\n")
    [again] = verify_bag(bag)
    assert again.code == "A520" and "block digest failed" in again.message


def test_verify_command_reports_the_warc(tmp_path: Path, site: str, wayback: str) -> None:
    archive_local(tmp_path / "archive", wayback, ArchiveTarget("art", site + "/article"))
    (tmp_path / "refs.bib").write_text("@book{x,\n  title = {X},\n}\n", encoding="utf-8")
    cfg = tmp_path / "bibvault.yaml"
    cfg.write_text("records: refs.bib\narchive:\n  local_dir: archive\n", encoding="utf-8")
    ok = CliRunner().invoke(cli, ["--config", str(cfg), "verify"])
    assert ok.exit_code == 0, ok.output
    corrupt(tmp_path / "archive" / "art" / "data" / "source.warc")
    bad = CliRunner().invoke(cli, ["--config", str(cfg), "verify"])
    assert bad.exit_code == 1 and "A520" in bad.stdout


def _free_port(ip: str) -> int:
    with socket.socket() as s:
        s.bind((ip, 0))
        return int(s.getsockname()[1])


def _pywb_tools() -> tuple[str, str] | None:
    bindir = Path(sys.executable).parent
    found = [shutil.which(name, path=str(bindir)) or shutil.which(name)
             for name in ("wb-manager", "wayback")]
    return (found[0], found[1]) if found[0] and found[1] else None


@pytest.fixture()
def pywb() -> tuple[str, str]:
    tools = _pywb_tools()
    if tools is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pywb is part of the test extra and must be installed in CI")
        pytest.skip("pywb is not installed")
    return tools


def test_pywb_replays_the_warc(tmp_path: Path, site: str, wayback: str,
                               pywb: tuple[str, str]) -> None:
    [bag] = archive_local(tmp_path / "archive", wayback, ArchiveTarget("art", site + "/article"))
    manager, server = pywb
    home = tmp_path / "replay"
    home.mkdir()
    # pywb's front end asks its own index server on localhost; anything it might
    # try to fetch beyond loopback goes to a closed loopback port instead.
    dead = "http://127.0.0.1:9"
    env = {**os.environ, "http_proxy": dead, "https_proxy": dead, "HTTP_PROXY": dead,
           "HTTPS_PROXY": dead, "no_proxy": "localhost,127.0.0.0/8",
           "NO_PROXY": "localhost,127.0.0.0/8"}
    subprocess.run([manager, "init", "bags"], cwd=home, env=env, check=True,
                   capture_output=True)
    subprocess.run([manager, "add", "bags", str(bag / "data" / "source.warc")], cwd=home,
                   env=env, check=True, capture_output=True)
    ip = "127.0.0.87"
    port = _free_port(ip)
    proc = subprocess.Popen([server, "--bind", ip, "-p", str(port)], cwd=home, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://{ip}:{port}"
        for _ in range(600):  # wait for it to listen (a slow machine takes seconds)
            try:
                socket.create_connection((ip, port), timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else b""
                time.sleep(0.1)
        with requests.Session() as s:
            s.trust_env = False
            raw = s.get(f"{base}/bags/2id_/{site}/article", timeout=30)
            assert raw.status_code == 200, raw.text
            assert raw.content == ARTICLE  # the archived bytes, unchanged
            shown = s.get(f"{base}/bags/2mp_/{site}/article", timeout=30)
            assert shown.status_code == 200
            assert "Council approves protected bike lanes" in shown.text
            missing = s.get(f"{base}/bags/2id_/{site}/never-archived", timeout=30)
            assert missing.status_code == 404
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stderr:
            proc.stderr.close()
