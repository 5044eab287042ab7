"""``bibvault check`` through the command line, against loopback servers."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bibvault.cli import cli
from bibvault.links import CheckResult, History, LinkStatus
from webfarm import Farm, running_farm

DAY = 86400.0


@pytest.fixture(scope="module")
def farm() -> Iterator[Farm]:
    yield from running_farm()


@pytest.fixture(scope="module")
def site(farm: Farm) -> str:
    return farm.site("127.0.0.60")


def project(tmp_path: Path, entries: str, database: str = "state/links.sqlite") -> Path:
    (tmp_path / "refs.bib").write_text(entries, encoding="utf-8")
    cfg = tmp_path / "bibvault.yaml"
    cfg.write_text(
        "records: refs.bib\n"
        "check:\n  host_delay: 0\n  connect_timeout: 0.5\n  read_timeout: 0.5\n  retries: 0\n"
        f"  backoff: 0.01\n  request_deadline: 1\n  database: {database}\n",
        encoding="utf-8")
    return cfg


def run(cfg: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(cfg), "check", *args],
                              env={"HOME": str(cfg.parent)})


def bib(**urls: str) -> str:
    return "".join(f"@online{{{k},\n  title = {{T {k}}},\n  url = {{{u}}},\n  keywords = {{t{k}}},\n}}\n\n"
                   for k, u in urls.items())


def test_json_report_and_exit_codes(tmp_path: Path, site: str) -> None:
    cfg = project(tmp_path, bib(a=site + "/ok?cli1", b=site + "/missing?cli1",
                                c=site + "/moved?cli1"))
    result = run(cfg, "--format", "json")
    assert result.exit_code == 1, result.output
    rows = {r["key"]: r for r in json.loads(result.stdout)}
    assert {k: r["status"] for k, r in rows.items()} == {"a": "alive", "b": "dead", "c": "redirected"}
    assert set(rows["b"]) >= {"key", "url", "status", "http_status", "final_url", "checked_at",
                              "detail"}
    assert rows["b"]["http_status"] == 404 and rows["c"]["new_url"] == site + "/ok"
    assert rows["a"]["checked_at"].endswith("Z")
    assert (tmp_path / "state" / "links.sqlite").is_file()


def test_filters_text_report_and_history(tmp_path: Path, farm: Farm, site: str) -> None:
    cfg = project(tmp_path, bib(a=site + "/ok?cli2", b=site + "/gone?cli2"))
    only_a = run(cfg, "--key", "a")
    assert only_a.exit_code == 0 and only_a.stdout == ""
    assert "1 link: 1 alive" in only_a.stderr
    by_topic = run(cfg, "--topic", "tb")
    assert by_topic.exit_code == 1, by_topic.stderr
    assert "L401 dead: " in by_topic.stdout and "[b]" in by_topic.stdout
    seen = len(farm.log.hits)
    again = run(cfg, "--format", "markdown")
    assert len(farm.log.hits) == seen  # both remembered
    assert again.stdout.startswith("| key | status |") and "2 from history, 0 requests" in again.stdout
    refreshed = run(cfg, "--refresh")
    assert len(farm.log.hits) > seen and "0 from history" in refreshed.stderr


def test_unknown_key_and_unusable_database_are_usage_errors(tmp_path: Path, site: str) -> None:
    cfg = project(tmp_path, bib(a=site + "/ok"), database="refs.bib/links.sqlite")
    assert run(cfg, "--key", "nope").exit_code == 2
    broken = run(cfg)
    assert broken.exit_code == 2 and "link history" in broken.stderr


def test_confirmed_dead_link_is_written_back_and_revived_one_unmarked(
        tmp_path: Path, site: str) -> None:
    dead_url, live_url = site + "/missing?wb", site + "/ok?wb"
    cfg = project(tmp_path, bib(d=dead_url) + "@online{r,\n  url = {" + live_url + "},\n"
                  "  urlstatus = {dead},\n}\n")
    now = time.time()
    with History(tmp_path / "state" / "links.sqlite") as h:
        for days in (7, 3.5):
            h.add(CheckResult(dead_url, LinkStatus.DEAD, now - days * DAY))
        h.commit()
    original = (tmp_path / "refs.bib").read_text()
    dry = run(cfg, "--no-write")
    assert dry.exit_code == 1 and "would mark dead" in dry.stderr
    assert (tmp_path / "refs.bib").read_text() == original
    done = run(cfg, "--refresh")
    assert "L409 confirmed dead" in done.stdout
    text = (tmp_path / "refs.bib").read_text()
    expected = original.replace("  keywords = {td},\n}",
                                "  keywords = {td},\n  urlstatus = {dead},\n}")
    expected = expected.replace("  url = {" + live_url + "},\n  urlstatus = {dead},\n}",
                                "  url = {" + live_url + "},\n}")
    assert text == expected
    assert "@online{r,\n  url = {" + live_url + "},\n}" in text


def test_suspect_is_reported_but_not_written(tmp_path: Path, site: str) -> None:
    cfg = project(tmp_path, bib(s=site + "/gone?suspect"))
    result = run(cfg)
    assert result.exit_code == 1 and "L410 suspect" in result.stdout
    assert "urlstatus" not in (tmp_path / "refs.bib").read_text()


def test_unknown_topic_is_a_usage_error(tmp_path: Path, site: str) -> None:
    cfg = project(tmp_path, bib(a=site + "/ok?topic1"))
    cfg.write_text(cfg.read_text(encoding="utf-8") + "topics:\n  ta: {label: A}\n", encoding="utf-8")
    result = run(cfg, "--topic", "tx")
    assert result.exit_code == 2
    assert "unknown topic tx (known: ta)" in result.stderr
    assert run(cfg, "--topic", "ta").exit_code == 0


def test_records_left_out_for_syntax_errors_are_reported(tmp_path: Path, site: str) -> None:
    cfg = project(tmp_path, bib(a=site + "/ok?syntax1") + "@online{b, title = {Open,\n")
    result = run(cfg)
    assert result.exit_code == 1
    assert "bibvault: warning: " in result.stderr and "1 error reading the .bib files" in result.stderr


def test_a_duplicated_key_is_not_marked(tmp_path: Path, site: str) -> None:
    # The second 'd' is the dead one; an edit by key would mark the first.
    dead_url = site + "/missing?dupkey"
    cfg = project(tmp_path, bib(d=site + "/ok?dupkey") + bib(d=dead_url))
    now = time.time()
    with History(tmp_path / "state" / "links.sqlite") as h:
        for days in (7, 3.5):
            h.add(CheckResult(dead_url, LinkStatus.DEAD, now - days * DAY))
        h.commit()
    original = (tmp_path / "refs.bib").read_text()
    result = run(cfg, "--refresh")
    assert "L409 confirmed dead" in result.stdout
    assert (tmp_path / "refs.bib").read_text() == original
