"""check, archive and verify called from Python, as the CLI calls them, against loopback servers."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bibvault.archive.run import ArchiveRunError, archive_collection, verify_collection
from bibvault.collection import load_collection
from bibvault.config import Config, load_config
from bibvault.links import CheckResult, History, LinkStatus
from bibvault.links.run import CheckError, check_collection
from bibvault.net import session_for_check
from webfarm import Capture, Farm, running_farm

DAY = 86400.0


@pytest.fixture()
def farm() -> Iterator[Farm]:
    yield from running_farm()


def project(tmp_path: Path, entries: str, extra: str = "") -> Config:
    (tmp_path / "refs.bib").write_text(entries, encoding="utf-8")
    cfg = tmp_path / "bibvault.yaml"
    cfg.write_text("records: refs.bib\ncheck:\n  host_delay: 0\n  retries: 0\n" + extra,
                   encoding="utf-8")
    return load_config(cfg, environ={})


def online(key: str, url: str) -> str:
    return f"@online{{{key},\n  title = {{T {key}}},\n  url = {{{url}}},\n}}\n\n"


def test_check_reports_values_and_marks_dead_links_in_the_files_as_they_are_now(
        tmp_path: Path, farm: Farm) -> None:
    site = farm.site("127.0.0.120")
    dead = site + "/gone?run"
    config = project(tmp_path, online("alive", site + "/ok?run") + online("dead", dead))
    now = time.time()
    with History(config.resolve(config.check.database)) as h:
        for days in (7, 3.5):  # two earlier failures days apart: this run confirms it
            h.add(CheckResult(dead, LinkStatus.DEAD, now - days * DAY))
        h.commit()
    collection = load_collection(config.record_files(), config.encoding)
    added_meanwhile = "@misc{meanwhile,\n  title = {Added during the run},\n}\n"

    def edit_during_the_run(done: int, total: int, result: CheckResult) -> None:
        if done == 1:
            with (tmp_path / "refs.bib").open("a", encoding="utf-8") as f:
                f.write(added_meanwhile)

    session = session_for_check(config.check)
    try:
        report = check_collection(collection, collection.records, session, config,
                                  refresh=True, progress=edit_during_the_run)
    finally:
        session.close()
    assert report.failed and report.written
    assert [(c.key, c.value) for c in report.changes] == [("dead", "{dead}")]
    assert {f.code for f in report.findings} == {"L401", "L409"}
    rows = {row["key"]: row for row in json.loads(report.to_json())}
    assert rows["alive"]["status"] == "alive" and rows["dead"]["verdict"] == "dead"
    text = (tmp_path / "refs.bib").read_text(encoding="utf-8")
    assert "urlstatus = {dead}" in text and added_meanwhile in text
    assert "2 links: 1 alive, 1 dead" in report.summary()


def test_check_without_network_raises_and_records_nothing(tmp_path: Path) -> None:
    closed = "http://127.0.0.121:9"  # nothing listens on the discard port
    config = project(tmp_path, online("a", closed + "/x"),
                     f"  canary_url: {closed}/canary\n  connect_timeout: 0.5\n")
    collection = load_collection(config.record_files(), config.encoding)
    before = (tmp_path / "refs.bib").read_bytes()
    session = session_for_check(config.check)
    try:
        with pytest.raises(CheckError, match="nothing was recorded"):
            check_collection(collection, collection.records, session, config)
    finally:
        session.close()
    assert (tmp_path / "refs.bib").read_bytes() == before
    with History(config.resolve(config.check.database)) as h:
        assert h.latest(closed + "/x") is None


def test_archive_then_verify_from_python(tmp_path: Path, farm: Farm) -> None:
    site, wayback = farm.site("127.0.0.122"), farm.archive("127.0.0.123")
    farm.archive_state.captures[site + "/ok"] = [Capture("20210901083000")]
    config = project(tmp_path, online("a", site + "/ok") + "@book{b,\n  title = {B},\n}\n",
                     f"archive:\n  wayback_url: {wayback}\n  memento_url: {wayback}\n")
    collection = load_collection(config.record_files(), config.encoding)
    session = session_for_check(config.check)
    try:
        dry = archive_collection(collection, collection.records, session, config, None,
                                 dry_run=True)
        assert dry.changed == 1 and dry.diffs and "+  archiveurl" in dry.diffs[0]
        assert "archiveurl" not in (tmp_path / "refs.bib").read_text(encoding="utf-8")
        report = archive_collection(collection, collection.records, session, config, None)
        assert not report.failed and report.run.lookup_only
        data = report.to_json()
        assert data["records"][0]["capture"].startswith(wayback)
        assert data["dry_run"] is False and [f["code"] for f in data["findings"]] == ["A509"]
        assert "archiveurl" in (tmp_path / "refs.bib").read_text(encoding="utf-8")
        assert report.summary().startswith("1 records with a URL: changed 1, 0 captures")
        verified = verify_collection(collection.reload(), config, session)
    finally:
        session.close()
    assert verified.copies is not None and len(verified.copies) == 1
    assert not verified.unreachable and not verified.failed
    assert verified.to_json()["copies"][0]["status"] == "ok"


def test_a_local_dir_that_is_a_file_stops_archive_and_verify(tmp_path: Path) -> None:
    config = project(tmp_path, online("a", "http://127.0.0.124/x"),
                     "archive:\n  local_dir: copies\n")
    (tmp_path / "copies").write_text("not a directory", encoding="utf-8")
    collection = load_collection(config.record_files(), config.encoding)
    session = session_for_check(config.check)
    try:
        with pytest.raises(ArchiveRunError, match="not a directory"):
            archive_collection(collection, collection.records, session, config, None,
                               local=True)
    finally:
        session.close()
    with pytest.raises(ArchiveRunError, match="not a directory"):
        verify_collection(collection, config)
