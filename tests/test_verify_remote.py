"""``verify --remote``: archived copies judged by their Memento headers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

from bibvault.archive.memento import canonical_url, http_datetime, parse_links
from bibvault.cli import cli
from webfarm import Capture, Farm, running_farm

# key: (path on the site, capture filed under the URL or None, archive timestamp, archivedate)
CASES = {
    "fine": ("/ok", Capture("20210901083000", title="A fine article"), "20210901083000",
             "2021-09-01"),
    "nearest": ("/ok?n=2", Capture("20210902010000"), "20210901", "2021-09-01"),
    "noheaders": ("/ok?n=3", Capture("20210901083000", memento_headers=False), "20210901083000",
                  "2021-09-01"),
    "none": ("/ok?n=4", None, "20210901083000", "2021-09-01"),
    "home": ("/ok?n=5", Capture("20210901083000", original="HOME/"), "20210901083000",
             "2021-09-01"),
    "captured404": ("/ok?n=6", Capture("20210901083000", statuscode="404", title="Not Found"),
                    "20210901083000", "2021-09-01"),
    "soft": ("/ok?n=7", Capture("20210901083000", title="Page Not Found"), "20210901083000",
             "2021-09-01"),
    "yearoff": ("/ok?n=8", Capture("20200901083000"), "20200901083000", "2021-09-01"),
}
EXPECTED = {"fine": "ok", "nearest": "ok", "noheaders": "missing", "none": "missing",
            "home": "wrong-url", "captured404": "bad-capture", "soft": "bad-capture",
            "yearoff": "date-mismatch"}


@pytest.fixture()
def farm() -> Iterator[Farm]:
    yield from running_farm()


def project(tmp_path: Path, farm: Farm, wayback: str, site: str) -> Path:
    entries = []
    for key, (path, capture, stamp, date) in CASES.items():
        url = site + path
        if capture is not None:
            capture.original = capture.original.replace("HOME", site)
            farm.archive_state.captures[url] = [capture]
        entries.append(f"@online{{{key},\n  title = {{{key}}},\n  url = {{{url}}},\n"
                       f"  archiveurl = {{{wayback}/web/{stamp}/{url}}},\n"
                       f"  archivedate = {{{date}}},\n}}\n")
    entries.append("@online{unarchived,\n  title = {No copy},\n  url = {" + site + "/ok},\n}\n")
    (tmp_path / "refs.bib").write_text("\n".join(entries), encoding="utf-8")
    cfg = tmp_path / "bibvault.yaml"
    cfg.write_text("records: refs.bib\ncheck:\n  host_delay: 0\n  retries: 0\n"
                   "  connect_timeout: 1\n  read_timeout: 2\n  request_deadline: 5\n"
                   f"archive:\n  wayback_url: {wayback}\n  local_dir: copies\n",
                   encoding="utf-8")
    return cfg


def invoke(cfg: Path, *args: str) -> Result:
    env = {"HOME": str(cfg.parent), "BIBVAULT_WAYBACK_URL": None, "BIBVAULT_MEMENTO_URL": None}
    return CliRunner().invoke(cli, ["--config", str(cfg), *args], env=env)


def test_each_archived_copy_gets_its_status(tmp_path: Path, farm: Farm) -> None:
    site, wayback = farm.site("127.0.0.90"), farm.archive("127.0.0.91")
    cfg = project(tmp_path, farm, wayback, site)
    result = invoke(cfg, "verify", "--remote", "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    copies = {c["key"]: c for c in report["copies"]}
    assert {k: c["status"] for k, c in copies.items()} == EXPECTED
    fine = copies["fine"]
    assert fine["memento_datetime"] == "2021-09-01T08:30:00Z"
    assert fine["original"] == site + "/ok"
    assert set(fine) == {"key", "archiveurl", "status", "memento_datetime", "original", "detail"}
    assert copies["home"]["original"] == site + "/"
    assert "the site's home page" in copies["home"]["detail"]
    assert "captured 2020-09-01, archivedate is 2021-09-01" in copies["yearoff"]["detail"]
    assert "soft-404" in copies["soft"]["detail"]
    codes = sorted(f["code"] for f in report["findings"])
    assert codes == ["A514", "A514", "A515", "A516", "A516", "A517"]
    text = invoke(cfg, "verify", "--remote")
    assert text.exit_code == 1
    assert "archived copies: 2 ok, 2 missing, 1 wrong-url, 2 bad-capture, 1 date-mismatch" \
        in text.stderr
    assert "A515" in text.stdout and "[home]" in text.stdout


def test_archive_down_is_unreachable_and_exit_2(tmp_path: Path, farm: Farm) -> None:
    site, wayback = farm.site("127.0.0.92"), farm.archive("127.0.0.93")
    cfg = project(tmp_path, farm, wayback, site)
    farm.archive_state.down = True
    result = invoke(cfg, "verify", "--remote", "--format", "json")
    assert result.exit_code == 2
    assert {c["status"] for c in json.loads(result.stdout)["copies"]} == {"unreachable"}
    closed = project(tmp_path, farm, farm.refused("127.0.0.94"), site)
    result = invoke(closed, "verify", "--remote")
    assert result.exit_code == 2 and "A518" in result.stdout
    # Without --remote nothing is asked and the local check alone decides.
    assert invoke(closed, "verify").exit_code == 0


def test_link_headers_and_timemaps_are_read() -> None:
    links = parse_links('<http://a.example/x?q=1,2>; rel="original", '
                        '<http://arc.example/web/2021/x>; rel="memento first"; '
                        'datetime="Wed, 01 Sep 2021 08:30:00 GMT",\n<http://t>;rel=timemap')
    assert [(lk.target, sorted(lk.rels)) for lk in links] == [
        ("http://a.example/x?q=1,2", ["original"]),
        ("http://arc.example/web/2021/x", ["first", "memento"]),
        ("http://t", ["timemap"])]
    when = http_datetime(links[1].params["datetime"])
    assert when is not None and when.isoformat() == "2021-09-01T08:30:00+00:00"


def test_canonical_form_ignores_what_archives_ignore() -> None:
    assert canonical_url("https://www.Example.org:443/a/?b=2&a=1#top") == \
        canonical_url("http://example.org/a?a=1&b=2")
    assert canonical_url("http://example.org/a") != canonical_url("http://example.org/b")
    assert canonical_url("http://example.org:8080/") != canonical_url("http://example.org/")


@given(st.text())
def test_link_parsing_never_raises(text: str) -> None:
    for link in parse_links(text):
        assert isinstance(link.target, str)
    http_datetime(text)
    canonical_url(text)
