"""Content drift end to end: ``archive`` and ``check`` against loopback pages that drift
or only change their boilerplate, and the reading list that follows the verdict."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bibvault.cli import cli
from test_drift import pages
from webfarm import Capture, Farm, running_farm

HTML = "text/html; charset=utf-8"


def page(case: str, which: str) -> tuple[bytes, str]:
    cited, live = pages(case)
    return (cited if which == "cited" else live), HTML


@pytest.fixture()
def farm() -> Iterator[Farm]:
    yield from running_farm()


@pytest.fixture()
def hosts(farm: Farm) -> tuple[str, str]:
    return farm.site("127.0.0.80"), farm.archive("127.0.0.81")


def project(tmp_path: Path, site: str, wayback: str) -> Path:
    (tmp_path / "refs.bib").write_text(
        "@online{story,\n  title = {Council approves protected bike lanes},\n"
        f"  url = {{{site}/story}},\n  urldate = {{2023-11-12}},\n"
        f"  archiveurl = {{{wayback}/web/20231112090000/{site}/story}},\n"
        "  archivedate = {2023-11-12},\n  keywords = {city},\n}\n\n"
        "@online{library,\n  title = {Central library to close},\n"
        f"  url = {{{site}/library}},\n  urldate = {{2023-11-12}},\n  keywords = {{city}},\n}}\n",
        encoding="utf-8")
    cfg = tmp_path / "bibvault.yaml"
    cfg.write_text(
        "records: refs.bib\ntopics:\n  city:\n    label: City\n"
        "check:\n  host_delay: 0\n  retries: 0\n  connect_timeout: 2\n  read_timeout: 2\n"
        f"archive:\n  wayback_url: {wayback}\n",
        encoding="utf-8")
    return cfg


def invoke(cfg: Path, *args: str) -> Result:
    env = {"HOME": str(cfg.parent), "XDG_CONFIG_HOME": None, "IA_CONFIG_FILE": None,
           "IA_ACCESS_KEY": None, "IA_SECRET_KEY": None, "BIBVAULT_WAYBACK_URL": None}
    return CliRunner().invoke(cli, ["--config", str(cfg), *args], env=env)


def rows(result: Result) -> dict[str, dict[str, object]]:
    return {r["key"]: r for r in json.loads(result.stdout)}


def test_check_sees_drift_between_runs(tmp_path: Path, farm: Farm,
                                       hosts: tuple[str, str]) -> None:
    site, wayback = hosts
    farm.pages["/story"] = page("news-story-removed", "cited")
    farm.pages["/library"] = page("news-all-boilerplate", "cited")
    cfg = project(tmp_path, site, wayback)

    first = invoke(cfg, "check", "--format", "json")
    assert first.exit_code == 0, first.output
    got = rows(first)
    assert {k: (r["content"], r["similarity"]) for k, r in got.items()} == {
        "story": ("unknown", None), "library": ("unknown", None)}  # nothing to compare with yet
    gets = sum(1 for h in farm.log.hits if h.method == "GET")

    farm.pages["/story"] = page("news-story-removed", "live")
    farm.pages["/library"] = page("news-all-boilerplate", "live")
    second = invoke(cfg, "check", "--refresh", "--format", "json")
    assert second.exit_code == 0, second.output  # a changed page is a warning, not a failure
    got = rows(second)
    assert got["story"]["content"] == "changed" and got["story"]["similarity"] == 0.0
    assert got["library"]["content"] == "unchanged"
    assert isinstance(got["library"]["similarity"], float) and got["library"]["similarity"] >= 0.9
    # the body the check already read was fingerprinted: one GET per page per run
    assert sum(1 for h in farm.log.hits if h.method == "GET") - gets == 2

    text = invoke(cfg, "check")  # from the history, no request
    assert text.exit_code == 0
    assert "L420 content changed since it was cited (similarity 0.00 < 0.50" in text.stdout
    assert "[story]" in text.stdout and "[library]" not in text.stdout
    assert "content 1 unchanged, 1 changed, 0 unknown; 2 from history, 0 requests" in text.stderr

    md = invoke(cfg, "check", "--format", "markdown")
    assert "| content | similarity |" in md.stdout
    story_row = next(line for line in md.stdout.splitlines() if line.startswith("| story "))
    assert story_row.endswith("| changed | 0.00 |")

    built = invoke(cfg, "build", "-o", "-", "-f", "md", "--no-exports")
    assert built.exit_code == 0, built.output
    entries = built.stdout.split("\n- ")
    story = next(e for e in entries if "bike lanes" in e)
    archived = f"{wayback}/web/20231112090000/{site}/story"
    assert f"<{archived}>" in story and f"[original, changed](<{site}/story>)" in story
    library = next(e for e in entries if "Central library" in e)
    assert f"<{site}/library>" in library and "changed" not in library


def test_archive_fingerprints_the_capture_nearest_the_citation(tmp_path: Path, farm: Farm,
                                                               hosts: tuple[str, str]) -> None:
    site, wayback = hosts
    cited_story, _ = page("news-replaced", "cited")
    cited_library, _ = page("library-corrections", "cited")
    st = farm.archive_state
    st.captures[site + "/story"] = [Capture("20230101000000", body=cited_library),
                                    Capture("20231112090000", body=cited_story)]
    st.captures[site + "/library"] = [Capture("20231110080000", body=cited_library)]
    farm.pages["/story"] = page("news-replaced", "live")
    farm.pages["/library"] = page("library-corrections", "live")
    cfg = project(tmp_path, site, wayback)

    archived = invoke(cfg, "archive", "--refresh")
    assert archived.exit_code == 0, archived.output
    # Each chosen capture is checked as a memento before it is written, and its raw
    # bytes (the id_ form) are fetched once for the fingerprint.
    raw = sorted(h.path for h in farm.log.hits if h.path.startswith("/web/") and "id_/" in h.path)
    assert raw == [f"/web/20231110080000id_/{site}/library",
                   f"/web/20231112090000id_/{site}/story"]

    got = rows(invoke(cfg, "check", "--format", "json"))
    # compared with the captures at once, not with a first live check
    assert got["story"]["content"] == "changed"
    assert got["library"]["content"] == "unchanged" and got["library"]["similarity"] < 1.0

    again = invoke(cfg, "archive", "--refresh")
    assert again.exit_code == 0
    raw_fetches = [h for h in farm.log.hits if h.path.startswith("/web/") and "id_/" in h.path]
    assert len(raw_fetches) == 2  # fingerprinted once: the second run fetches no raw copy


def test_a_pdf_has_no_text_to_compare(tmp_path: Path, farm: Farm, hosts: tuple[str, str]) -> None:
    site, wayback = hosts
    (tmp_path / "refs.bib").write_text(
        f"@online{{pdf,\n  title = {{P}},\n  url = {{{site}/paper.pdf}},\n}}\n", encoding="utf-8")
    (tmp_path / "bibvault.yaml").write_text("records: refs.bib\ncheck:\n  host_delay: 0\n",
                                            encoding="utf-8")
    got = rows(invoke(tmp_path / "bibvault.yaml", "check", "--format", "json"))
    assert (got["pdf"]["status"], got["pdf"]["content"]) == ("alive", "unknown")
    assert got["pdf"]["similarity"] is None
