"""``bibvault merge KEEP DROP``: fill, report conflicts, alias the dropped key, minimal diff."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bibvault.cli import cli
from bibvault.collection import load_collection
from bibvault.merge import MergeError, merge_records

ROOT = Path(__file__).resolve().parents[1]

ZOTERO_COPY = """\
@string{fox = "Fox News"}

@misc{lee_how_2022,
\ttitle = {How {Significant} {Is} {Resistance} to the {Taliban} in {Afghanistan}?},
\turl = {https://www.foxnews.com/world/how-significant-resistance-taliban-afghanistan},
\tjournal = fox,
\tauthor = {Lee, Mike},
\tmonth = aug,
\tyear = {2022},
\tlangid = {english},
\tkeywords = {nrf, us-policy},
\tids = {lee2022old},
}
"""


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "bib", tmp_path / "bib")
    shutil.copy(ROOT / "bibvault.yaml", tmp_path / "bibvault.yaml")
    (tmp_path / "bib" / "zotero.bib").write_text(ZOTERO_COPY, encoding="utf-8")
    return tmp_path


def _merge(project: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--config", str(project / "bibvault.yaml"), "merge", *args])
    return result.exit_code, result.stdout, result.stderr


def test_merge_across_files_fills_aliases_and_removes(project: Path) -> None:
    news = project / "bib" / "news.bib"
    before = news.read_text(encoding="utf-8")
    code, _, err = _merge(project, "lee2022significant", "lee_how_2022")
    assert code == 1  # conflicts to look at
    assert "conflict: author: kept 'Lee, Michael', not 'Lee, Mike'" in err
    assert "conflict: entry type: kept 'article', not 'misc'" in err
    assert "date" not in err.split("ids =")[1]  # 2022-08 is the same day, less precisely
    after = news.read_text(encoding="utf-8")
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert added == [
        "  keywords     = {nrf, panjshir, us-policy},",
        "  url          = {https://www.foxnews.com/world/how-significant-resistance-taliban-afghanistan},",
        "  langid       = {english},",
        "  ids          = {lee_how_2022, lee2022old},",
    ]
    assert len(after.splitlines()) == len(before.splitlines()) + 3
    assert (project / "bib" / "zotero.bib").read_text(encoding="utf-8") == \
        '@string{fox = "Fox News"}\n'
    collection = load_collection(sorted((project / "bib").glob("*.bib")))
    records, findings = list(collection.records), collection.findings
    assert [r.key for r in records].count("lee2022significant") == 1
    assert "lee_how_2022" not in {r.key for r in records}
    assert [f for f in findings if f.severity.value == "error"] == []


def test_a_macro_of_the_other_file_is_written_expanded(project: Path) -> None:
    news = project / "bib" / "news.bib"
    text = news.read_text(encoding="utf-8").replace("  journaltitle = {Fox News},\n"
                                                    "  entrysubtype = {newspaper},\n"
                                                    "  date         = {2022-08-28},",
                                                    "  entrysubtype = {newspaper},\n"
                                                    "  date         = {2022-08-28},", 1)
    news.write_text(text, encoding="utf-8")
    _merge(project, "lee2022significant", "lee_how_2022")
    after = news.read_text(encoding="utf-8")
    entry = after[after.index("@article{lee2022significant"):]
    entry = entry[:entry.index("\n}\n")]
    assert "  journaltitle = {Fox News},\n" in entry and "= fox" not in entry


def test_dry_run_prints_the_diff_and_changes_nothing(project: Path) -> None:
    snapshot = {p: p.read_bytes() for p in (project / "bib").glob("*.bib")}
    code, out, err = _merge(project, "--dry-run", "lee2022significant", "lee_how_2022")
    assert code == 1 and "would merge lee_how_2022" in err
    assert "+  ids          = {lee_how_2022, lee2022old},\n" in out
    assert "-@misc{lee_how_2022,\n" in out
    assert {p: p.read_bytes() for p in (project / "bib").glob("*.bib")} == snapshot


def test_clean_merge_exits_zero(project: Path) -> None:
    (project / "bib" / "zotero.bib").write_text(
        "@online{dup, title = {In {Afghanistan}, a Resistance Arises}, url = {https://example.org/x}, keywords = {nrf}}\n",
        encoding="utf-8")
    code, _, err = _merge(project, "heritage2021arises", "dup")
    assert code == 0, err
    assert "conflict" not in err


@pytest.mark.parametrize(("keep", "drop", "message"), [
    ("nope", "lee_how_2022", "no record with key nope"),
    ("lee2022significant", "LEE2022SIGNIFICANT", "are the same record"),
])
def test_unknown_or_same_keys_are_usage_errors(project: Path, keep: str, drop: str,
                                               message: str) -> None:
    code, _, err = _merge(project, keep, drop)
    assert code == 2 and message in err


def test_library_function_raises_merge_error(project: Path) -> None:
    with pytest.raises(MergeError):
        merge_records([project / "bib" / "news.bib"], "x", "y")


def test_ids_is_accepted_by_validate_and_kept_only_by_biblatex(project: Path) -> None:
    _merge(project, "lee2022significant", "lee_how_2022")
    runner = CliRunner()
    config = ["--config", str(project / "bibvault.yaml")]
    validate = runner.invoke(cli, [*config, "validate", "--format", "json"])
    assert not [f for f in json.loads(validate.stdout) if "ids" in f["message"]]
    outputs = {fmt: runner.invoke(cli, [*config, "export", "--to", fmt, "--key",
                                        "lee2022significant"]).stdout
               for fmt in ("biblatex", "bibtex", "csl-json", "ris")}
    assert "ids = {lee_how_2022, lee2022old}" in " ".join(outputs["biblatex"].split())
    assert all("lee_how_2022" not in outputs[fmt] for fmt in ("bibtex", "csl-json", "ris"))


def test_entries_inheriting_from_drop_inherit_from_keep(project: Path) -> None:
    (project / "bib" / "zotero.bib").write_text(
        "@book{keepbook, title = {The Book}, publisher = {P}}\n\n"
        "@book{dupbook, title = {The Book}, date = {2020}}\n\n"
        "@incollection{chapter1, title = {One}, crossref = {dupbook}, keywords = {nrf}}\n",
        encoding="utf-8")
    code, _, err = _merge(project, "keepbook", "dupbook")
    assert code == 0 and "relinked chapter1 (crossref) to keepbook" in err
    text = (project / "bib" / "zotero.bib").read_text(encoding="utf-8")
    assert text == ("@book{keepbook, title = {The Book}, publisher = {P}, date = {2020}, "
                    "ids = {dupbook}}\n\n"
                    "@incollection{chapter1, title = {One}, crossref = {keepbook}, "
                    "keywords = {nrf}}\n")


def test_a_crossref_child_in_another_file_stops_the_merge(project: Path) -> None:
    (project / "bib" / "zotero.bib").write_text(
        "@book{dupbook, title = {In {Afghanistan}, a Resistance Arises}}\n\n"
        "@incollection{chapter1, title = {One}, crossref = {dupbook}, keywords = {nrf}}\n",
        encoding="utf-8")
    snapshot = {p: p.read_bytes() for p in (project / "bib").glob("*.bib")}
    code, _, err = _merge(project, "heritage2021arises", "dupbook")
    assert code == 2 and "chapter1 (" in err and "inherit from dupbook" in err
    assert {p: p.read_bytes() for p in (project / "bib").glob("*.bib")} == snapshot


def test_an_alias_that_is_another_records_key_is_an_error(project: Path) -> None:
    news = project / "bib" / "news.bib"
    news.write_text(news.read_text(encoding="utf-8").replace(
        "  date         = {2022-08-28},",
        "  date         = {2022-08-28},\n  ids          = {donati2022arrests},", 1),
        encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(project / "bibvault.yaml"), "validate",
                                      "--select", "D605", "--format", "json"])
    found = json.loads(result.stdout)
    assert result.exit_code == 1
    assert [(f["key"], f["line"]) for f in found] == [("lee2022significant", 52)]
    assert "'donati2022arrests'" in found[0]["message"]


def test_a_merged_collection_validates_without_alias_findings(project: Path) -> None:
    _merge(project, "lee2022significant", "lee_how_2022")
    result = CliRunner().invoke(cli, ["--config", str(project / "bibvault.yaml"), "validate",
                                      "--select", "D6"])
    assert result.exit_code == 0 and "D605" not in result.stdout
