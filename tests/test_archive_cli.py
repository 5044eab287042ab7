"""``bibvault archive`` and ``bibvault verify`` through the command line."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bibvault.cli import cli
from webfarm import Capture, Farm, running_farm

SECRET = "s3cr3t-never-printed"


@pytest.fixture()
def farm() -> Iterator[Farm]:
    yield from running_farm()


@pytest.fixture()
def hosts(farm: Farm) -> tuple[str, str]:
    farm.archive_state.credentials = ("ak", SECRET)
    return farm.site("127.0.0.70"), farm.archive("127.0.0.71")


def project(tmp_path: Path, site: str, wayback: str) -> Path:
    (tmp_path / "refs.bib").write_text(
        "% kept as is\n"
        "@online{old,\n  title = {Old},\n  url = {" + site + "/ok},\n  urldate = {2021-09-03},\n}\n\n"
        "@online{new,\n  title = {New},\n  url = {" + site + "/paper.pdf},\n}\n\n"
        "@book{nourl,\n  title = {No URL},\n}\n", encoding="utf-8")
    cfg = tmp_path / "bibvault.yaml"
    cfg.write_text(
        "records: refs.bib\n"
        "check:\n  host_delay: 0\n"
        f"archive:\n  wayback_url: {wayback}\n  memento_url: {wayback}\n  local_dir: copies\n"
        "  poll_interval: 0\n",
        encoding="utf-8")
    return cfg


def invoke(cfg: Path, *args: str, creds: bool = True) -> Result:
    env = {"HOME": str(cfg.parent), "XDG_CONFIG_HOME": None, "IA_CONFIG_FILE": None,
           "IA_ACCESS_KEY": "ak" if creds else None, "IA_SECRET_KEY": SECRET if creds else None,
           "BIBVAULT_WAYBACK_URL": None}
    return CliRunner().invoke(cli, ["--config", str(cfg), *args], env=env)


def post_count(farm: Farm) -> int:
    return sum(1 for h in farm.log.hits if h.method == "POST")


def test_dry_run_shows_the_diff_and_changes_nothing(tmp_path: Path, farm: Farm,
                                                    hosts: tuple[str, str]) -> None:
    site, wayback = hosts
    farm.archive_state.captures[site + "/ok"] = [Capture("20210901083000")]
    cfg = project(tmp_path, site, wayback)
    before = (tmp_path / "refs.bib").read_bytes()
    result = invoke(cfg, "archive", "--dry-run")
    assert result.exit_code == 1  # "new" has no capture and none was requested
    assert f"+  archiveurl = {{{wayback}/web/20210901083000/{site}/ok}}," in result.stdout
    assert "+  archivedate = {2021-09-01}," in result.stdout
    assert "A501" in result.stdout and "would change 1" in result.stderr
    assert (tmp_path / "refs.bib").read_bytes() == before
    assert post_count(farm) == 0


def test_archive_writes_fields_then_second_run_changes_no_byte(
        tmp_path: Path, farm: Farm, hosts: tuple[str, str]) -> None:
    site, wayback = hosts
    farm.archive_state.captures[site + "/ok"] = [Capture("20210901083000")]
    cfg = project(tmp_path, site, wayback)
    before = (tmp_path / "refs.bib").read_text()
    first = invoke(cfg, "archive", "--diff")
    assert first.exit_code == 0, first.output
    assert post_count(farm) == 1  # only "new" needed a capture
    after = (tmp_path / "refs.bib").read_text()
    assert after == before.replace(
        "  urldate = {2021-09-03},\n}",
        "  urldate = {2021-09-03},\n"
        f"  archiveurl = {{{wayback}/web/20210901083000/{site}/ok}},\n"
        "  archivedate = {2021-09-01},\n}").replace(
        "  url = {" + site + "/paper.pdf},\n}",
        "  url = {" + site + "/paper.pdf},\n"
        f"  archiveurl = {{{wayback}/web/20261121120000/{site}/paper.pdf}},\n"
        "  archivedate = {2026-11-21},\n}")
    assert "+  archivedate = {2026-11-21}," in first.stdout
    for output in (first.stdout, first.stderr):
        assert SECRET not in output
    snapshot = (tmp_path / "refs.bib").read_bytes()
    hits = len(farm.log.hits)
    second = invoke(cfg, "archive")
    assert second.exit_code == 0
    assert (tmp_path / "refs.bib").read_bytes() == snapshot
    assert len(farm.log.hits) == hits  # nothing new: not even a lookup


def test_without_credentials_it_says_lookup_only(tmp_path: Path, farm: Farm,
                                                 hosts: tuple[str, str]) -> None:
    site, wayback = hosts
    cfg = project(tmp_path, site, wayback)
    result = invoke(cfg, "archive", "--format", "json", creds=False)
    report = json.loads(result.stdout)
    assert report["lookup_only"] is True and report["saves"] == 0
    assert "A509" in {f["code"] for f in report["findings"]}
    assert post_count(farm) == 0


def test_local_copies_then_verify(tmp_path: Path, farm: Farm, hosts: tuple[str, str]) -> None:
    site, wayback = hosts
    cfg = project(tmp_path, site, wayback)
    result = invoke(cfg, "archive", "--local", "--key", "new")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "refs.bib").read_text()
    assert "archivesha256 = {" in text and text.count("archivesha256") == 1
    assert (tmp_path / "copies" / "new" / "data" / "source.pdf").is_file()
    ok = invoke(cfg, "verify")
    assert ok.exit_code == 0 and "0 problems" in ok.stderr
    (tmp_path / "copies" / "new" / "data" / "source.pdf").write_bytes(b"%PDF-tampered")
    bad = invoke(cfg, "verify", "--format", "json")
    assert bad.exit_code == 1
    assert [f["code"] for f in json.loads(bad.stdout)] == ["A503"]
    # The record naming another checksum than its copy's manifest is a mismatch too.
    (tmp_path / "copies" / "new" / "data" / "source.pdf").unlink()
    (tmp_path / "refs.bib").write_text(
        re.sub(r"archivesha256 = \{[0-9a-f]+\}", "archivesha256 = {" + "0" * 64 + "}", text))
    worse = invoke(cfg, "verify", "--format", "json")
    assert [f["code"] for f in json.loads(worse.stdout)] == ["A504", "A512"]


def test_wayback_endpoint_from_the_environment(tmp_path: Path, farm: Farm,
                                               hosts: tuple[str, str]) -> None:
    site, wayback = hosts
    farm.archive_state.captures[site + "/ok"] = [Capture("20210901083000")]
    cfg = project(tmp_path, site, "http://127.0.0.72:9")  # nothing listens there
    env = {"HOME": str(tmp_path), "IA_ACCESS_KEY": None, "IA_SECRET_KEY": None,
           "XDG_CONFIG_HOME": None, "IA_CONFIG_FILE": None, "BIBVAULT_WAYBACK_URL": wayback}
    result = CliRunner().invoke(cli, ["--config", str(cfg), "archive", "--key", "old"], env=env)
    assert result.exit_code == 0, result.output
    assert f"archiveurl = {{{wayback}/web/20210901083000/" in (tmp_path / "refs.bib").read_text()


def test_edits_made_during_a_run_are_kept(tmp_path: Path, farm: Farm) -> None:
    import threading
    import time

    wayback = farm.archive("127.0.0.73")
    slow = farm.site("127.0.0.72", delay=1.0)
    farm.archive_state.captures[slow + "/ok"] = [Capture("20210901083000")]
    cfg = project(tmp_path, slow, wayback)
    bib = tmp_path / "refs.bib"

    def edit_while_downloading() -> None:
        deadline = time.monotonic() + 10
        while farm.log.count(host="127.0.0.72") == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        bib.write_text(bib.read_text(encoding="utf-8").replace("title = {Old}", "title = {Edited}"),
                       encoding="utf-8")

    editor = threading.Thread(target=edit_while_downloading)
    editor.start()
    result = invoke(cfg, "archive", "--key", "old", "--local", creds=False)
    editor.join()
    assert result.exit_code == 0, result.output
    text = bib.read_text(encoding="utf-8")
    assert "title = {Edited}" in text  # the edit made while the source downloaded
    assert f"archiveurl = {{{wayback}/web/20210901083000/{slow}/ok}}" in text


def test_local_dir_that_is_a_file_is_a_usage_error(tmp_path: Path, hosts: tuple[str, str]) -> None:
    site, wayback = hosts
    cfg = project(tmp_path, site, wayback)
    (tmp_path / "copies").write_text("not a directory\n", encoding="utf-8")
    for args in (("verify",), ("archive", "--local", "--dry-run")):
        result = invoke(cfg, *args)
        assert result.exit_code == 2, args
        assert f"{tmp_path / 'copies'}: archive.local_dir is not a directory" in result.stderr
