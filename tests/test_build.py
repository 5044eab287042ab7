"""The build stage: what it writes, when it stops, and that a rebuild touches nothing.

Most tests use ``stub_formatter_factory``, a stand-in for the CSL engine, so they
test the build's own behaviour; tests marked as using the engine build the real
styles.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Sequence
from html import escape
from pathlib import Path

import pytest
from click.testing import CliRunner

from bibvault.build import BuildOptions, run_build
from bibvault.cli import cli
from bibvault.config import Config, load_config
from bibvault.records import Record
from bibvault.site import Filters

CONFIG_TEXT = """\
records: [bib]
topics:
  nrf: {label: National Resistance Front}
  exile: {label: Government in exile}
sections:
  - {id: reports, title: Reports, types: [report]}
  - {id: news, title: News, types: [article, online]}
build:
  title: Test list
  styles: [one, two]
  formats: [html, md, txt]
  exports: []
"""

BIB = """\
@article{alpha2022,
  author = {Doe, Jane},
  title = {Alpha Rising},
  journaltitle = {The Daily},
  date = {2022-09-08},
  keywords = {nrf},
  annotation = {Why alpha matters.},
}

@report{beta2021,
  author = {Roe, Richard},
  title = {Beta in Exile},
  institution = {Some Institute},
  date = {2021-05},
  keywords = {exile},
  url = {https://beta.example/report},
}

@online{gamma,
  title = {Gamma Undated},
  organization = {Gamma Org},
  keywords = {nrf, exile},
}
"""


def stub_formatter_factory(calls: list[str] | None = None):
    """Stand-in for the CSL engine: ``style: date, title`` (title escaped for HTML)."""
    def factory(style: str, config: Config):
        if calls is not None:
            calls.append(style)

        def format_entries(records: Sequence[Record], fmt: str) -> dict[str, str]:
            return {r.key: f"[{style}] {r.get('date', 'n.d.')}, "
                           f"{escape(r.title) if fmt == 'html' else r.title}."
                    for r in records}
        return format_entries
    return factory


@pytest.fixture(autouse=True)
def fixed_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hold bibvault's code identity still: in a shared checkout the sources change
    under a running test, and a code change rightly invalidates earlier output."""
    monkeypatch.setattr("bibvault.build.code_identity", lambda: "code v1")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "bib").mkdir()
    (tmp_path / "bib" / "list.bib").write_text(BIB, encoding="utf-8")
    (tmp_path / "bibvault.yaml").write_text(CONFIG_TEXT, encoding="utf-8")
    return tmp_path


def snapshot(site: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(site.iterdir())}


def test_build_writes_pages_for_every_style(project: Path):
    config = load_config(project / "bibvault.yaml")
    result = run_build(config, formatter_factory=stub_formatter_factory())
    site = project / "site"
    assert not result.stopped and result.entries == 3
    assert sorted(p.name for p in site.iterdir()) == [
        "feed.xml", "index.html", "reading-list.one.md", "reading-list.one.txt",
        "reading-list.two.md", "reading-list.two.txt"]
    assert sorted(result.written) == sorted(site.iterdir())
    txt = (site / "reading-list.two.txt").read_text(encoding="utf-8")
    assert txt == (
        "Test list\n=========\n\n"
        "Reports\n-------\n\n"
        "[two] 2021-05, Beta in Exile.\n    https://beta.example/report\n\n"
        "News\n----\n\n"
        "[two] 2022-09-08, Alpha Rising. Why alpha matters.\n\n"
        "[two] n.d., Gamma Undated.\n"
    )
    md = (site / "reading-list.one.md").read_text(encoding="utf-8")
    assert md == (
        "# Test list\n\n## Reports\n\n"
        "- [one] 2021-05, Beta in Exile.\n  <https://beta.example/report>\n\n"
        "## News\n\n"
        "- [one] 2022-09-08, Alpha Rising. Why alpha matters.\n"
        "- [one] n.d., Gamma Undated.\n"
    )
    page = (site / "index.html").read_text(encoding="utf-8")
    assert page.index("[one] 2022-09-08") < page.index("[one] n.d., Gamma")
    assert "2022" not in "".join(re.findall(r"<meta[^>]*>", page)), "no build timestamp"


def test_second_build_rewrites_nothing_and_renders_nothing(project: Path):
    config = load_config(project / "bibvault.yaml")
    calls: list[str] = []
    first = run_build(config, formatter_factory=stub_formatter_factory(calls))
    before = snapshot(project / "site")
    assert calls == ["one", "two"]
    time.sleep(0.01)  # a rewrite would now show as a newer mtime
    second = run_build(config, formatter_factory=stub_formatter_factory(calls))
    assert second.cached and second.written == [] and calls == ["one", "two"]
    assert snapshot(project / "site") == before
    assert len(second.unchanged) == len(first.written)


def test_a_change_rewrites_only_the_files_whose_bytes_change(project: Path):
    config = load_config(project / "bibvault.yaml")
    run_build(config, formatter_factory=stub_formatter_factory())
    before = snapshot(project / "site")
    bib = project / "bib" / "list.bib"
    bib.write_text(BIB.replace("Why alpha matters.", "Why alpha matters a lot."), encoding="utf-8")
    result = run_build(config, formatter_factory=stub_formatter_factory())
    after = snapshot(project / "site")
    assert not result.cached
    assert sorted(p.name for p in result.written) == sorted(before)
    # Only the annotation changed; now a change that leaves the text files alone:
    (project / "bibvault.yaml").write_text(
        CONFIG_TEXT.replace("formats: [html, md, txt]", "formats: [html, txt, md]"),
        encoding="utf-8")
    again = run_build(load_config(project / "bibvault.yaml"),
                      formatter_factory=stub_formatter_factory())
    assert not again.cached and again.written == []
    assert snapshot(project / "site") == after


def test_deleted_output_is_noticed(project: Path):
    config = load_config(project / "bibvault.yaml")
    run_build(config, formatter_factory=stub_formatter_factory())
    (project / "site" / "index.html").unlink()
    result = run_build(config, formatter_factory=stub_formatter_factory())
    assert [p.name for p in result.written] == ["index.html"]


def test_outputs_no_longer_configured_are_removed(project: Path):
    config = load_config(project / "bibvault.yaml")
    run_build(config, formatter_factory=stub_formatter_factory())
    (project / "site" / "notes.txt").write_text("mine", encoding="utf-8")
    result = run_build(config, BuildOptions(styles=("one",)),
                       formatter_factory=stub_formatter_factory())
    assert sorted(p.name for p in result.removed) == ["reading-list.two.md",
                                                      "reading-list.two.txt"]
    assert (project / "site" / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_validation_errors_stop_the_build_unless_forced(project: Path):
    (project / "bib" / "broken.bib").write_text("@article{broken,\n  title = {Open\n",
                                                encoding="utf-8")
    config = load_config(project / "bibvault.yaml")
    result = run_build(config, formatter_factory=stub_formatter_factory())
    assert result.stopped and any(f.severity.value == "error" for f in result.findings)
    assert not (project / "site").exists()
    forced = run_build(config, BuildOptions(force=True), formatter_factory=stub_formatter_factory())
    assert not forced.stopped and (project / "site" / "index.html").is_file()


def test_filters_reach_every_output(project: Path):
    config = load_config(project / "bibvault.yaml")
    options = BuildOptions(formats=("txt",), styles=("one",), filters=Filters(topics=("exile",)))
    result = run_build(config, options, formatter_factory=stub_formatter_factory())
    assert result.entries == 2
    txt = (project / "site" / "reading-list.one.txt").read_text(encoding="utf-8")
    assert "Beta in Exile" in txt and "Gamma Undated" in txt and "Alpha" not in txt


def test_stdout_gets_the_document_only(project: Path):
    config = load_config(project / "bibvault.yaml")
    messages: list[str] = []
    result = run_build(config, BuildOptions(output="-", formats=("md",)),
                       progress=messages.append, formatter_factory=stub_formatter_factory())
    assert result.stdout is not None and result.stdout.startswith("# Test list\n")
    assert "[one]" in result.stdout and "[two]" not in result.stdout
    assert not (project / "site").exists()
    assert messages and all(isinstance(m, str) for m in messages)


def test_cli_stdout_is_pure_data_and_progress_goes_to_stderr(project: Path):
    runner = CliRunner()
    cfg = str(project / "bibvault.yaml")
    res = runner.invoke(cli, ["--config", cfg, "build", "-o", "-", "-f", "txt", "-s", "site",
                              "--key", "beta2021"])
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("Test list\n=========\n")
    assert "Beta in Exile" in res.stdout and "Alpha" not in res.stdout
    assert "validating" in res.stderr and "validating" not in res.stdout


def test_cli_rejects_bad_dates_and_unknown_exports(project: Path):
    runner = CliRunner()
    cfg = str(project / "bibvault.yaml")
    bad_date = runner.invoke(cli, ["--config", cfg, "build", "--since", "yesterday"])
    assert bad_date.exit_code == 2 and "not a date" in bad_date.output
    bad_export = runner.invoke(cli, ["--config", cfg, "build", "--export", "docx"])
    assert bad_export.exit_code == 2 and "docx" in bad_export.stderr


def test_cli_stops_with_exit_1_on_validation_errors(project: Path):
    (project / "bib" / "broken.bib").write_text("@article{broken,\n  title = {Open\n",
                                                encoding="utf-8")
    res = CliRunner().invoke(cli, ["--config", str(project / "bibvault.yaml"), "build"])
    assert res.exit_code == 1
    assert "build stopped" in res.stderr and res.stdout == ""
    assert not (project / "site").exists()


def test_cli_build_twice_reports_up_to_date(project: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(project)
    runner = CliRunner()
    args = ["--config", str(project / "bibvault.yaml"), "build", "-s", "site", "-f", "txt"]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "built site: 3 entries, 1 written, 0 unchanged, 0 removed" in first.stderr
    mtime = os.stat(project / "site" / "reading-list.site.txt").st_mtime_ns
    second = runner.invoke(cli, args)
    assert second.exit_code == 0 and "up to date" in second.stderr
    assert os.stat(project / "site" / "reading-list.site.txt").st_mtime_ns == mtime


def test_style_given_as_a_path_names_files_by_its_stem(project: Path):
    style = project / "custom" / "My House.csl"
    style.parent.mkdir()
    style.write_bytes((Path(__file__).resolve().parents[1] / "styles" / "site.csl").read_bytes())
    result = run_build(load_config(project / "bibvault.yaml"),
                       BuildOptions(styles=(str(style),), formats=("txt",)))
    assert [p.name for p in result.written] == ["reading-list.My-House.txt"]
    assert "September 8, 2022, \"Alpha Rising\", by Jane Doe, The Daily." in \
        result.written[0].read_text(encoding="utf-8")


def test_cli_unknown_style_or_grouping_is_a_usage_error(project: Path):
    cfg = str(project / "bibvault.yaml")
    res = CliRunner().invoke(cli, ["--config", cfg, "build", "-s", "no-such-style"])
    assert res.exit_code == 2 and "unknown style 'no-such-style'" in res.stderr
    (project / "bibvault.yaml").write_text(CONFIG_TEXT.replace("exports: []",
                                                               "exports: []\n  group_by: colour"),
                                           encoding="utf-8")
    res = CliRunner().invoke(cli, ["--config", cfg, "build"])
    assert res.exit_code == 2 and "bibvault.yaml:13: build.group_by: unknown value 'colour'" in res.stderr


def test_a_code_change_invalidates_the_last_build(project: Path, monkeypatch: pytest.MonkeyPatch):
    config = load_config(project / "bibvault.yaml")
    run_build(config, formatter_factory=stub_formatter_factory())
    monkeypatch.setattr("bibvault.build.code_identity", lambda: "code v2")
    result = run_build(config, formatter_factory=stub_formatter_factory())
    assert not result.cached and result.written == []


def test_cli_output_directory_is_relative_to_the_working_directory(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    monkeypatch.chdir(elsewhere)
    res = CliRunner().invoke(cli, ["--config", str(project / "bibvault.yaml"), "build",
                                   "-o", "out", "-s", "site", "-f", "txt"])
    assert res.exit_code == 0, res.stderr
    assert (elsewhere / "out" / "reading-list.site.txt").is_file()
    assert not (project / "out").exists()


def test_filters_matching_nothing_are_reported(project: Path):
    messages: list[str] = []
    result = run_build(load_config(project / "bibvault.yaml"),
                       BuildOptions(output="-", formats=("txt",), filters=Filters(types=("nope",))),
                       progress=messages.append, formatter_factory=stub_formatter_factory())
    assert result.entries == 0 and "no records match the filters" in messages
    assert result.stdout == "Test list\n=========\n"


def test_records_with_bytes_that_are_not_utf8_build_valid_utf8(project: Path):
    # Latin-9 bytes in a .bib file are kept in the file; new documents carry U+FFFD.
    (project / "bib" / "latin9.bib").write_bytes(
        b"@online{latin9, title = {\xa6ome title}, date = {2021}, keywords = {nrf}}\n")
    res = CliRunner().invoke(cli, ["--config", str(project / "bibvault.yaml"), "build",
                                   "--force", "-s", "apa", "--export", "csl-json", "--export", "ris"])
    assert res.exit_code == 0, res.output
    for path in (project / "site").iterdir():
        text = path.read_bytes().decode("utf-8")  # strict: every output is UTF-8
        if path.suffix in (".json", ".ris", ".md"):
            assert "\ufffdome title" in text, path
    items = json.loads((project / "site" / "references.json").read_text(encoding="utf-8"))
    assert any(i["title"] == "\ufffdome title" for i in items)


def test_files_bibvault_did_not_write_are_never_overwritten_or_removed(project: Path):
    cfg = str(project / "bibvault.yaml")
    out = project / "mine"
    out.mkdir()
    (out / "reading-list.apa.md").write_text("my own notes\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["--config", cfg, "build", "-o", str(out), "-s", "apa", "-f", "md",
                                   "--no-exports"])
    assert res.exit_code == 2 and "not written by bibvault" in res.stderr
    assert (out / "reading-list.apa.md").read_text(encoding="utf-8") == "my own notes\n"
    (out / "reading-list.apa.md").unlink()
    build = ["--config", cfg, "build", "-o", str(out), "-s", "apa", "--no-exports"]
    assert CliRunner().invoke(cli, [*build, "-f", "md", "-f", "txt"]).exit_code == 0
    # An output edited since bibvault wrote it is kept when it falls out of the build.
    txt = out / "reading-list.apa.txt"
    txt.write_text(txt.read_text(encoding="utf-8") + "my addition\n", encoding="utf-8")
    res = CliRunner().invoke(cli, [*build, "-f", "md"])
    assert res.exit_code == 0 and "kept" in res.stderr
    assert txt.read_text(encoding="utf-8").endswith("my addition\n")


def test_cli_unknown_key_is_a_usage_error(project: Path):
    res = CliRunner().invoke(cli, ["--config", str(project / "bibvault.yaml"), "build", "-o", "-",
                                   "--key", "nosuch"])
    assert res.exit_code == 2 and "no record with key nosuch" in res.stderr and res.stdout == ""
