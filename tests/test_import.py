"""``bibvault import``: files of Zotero (plain and Better BibTeX), JabRef and Mendeley, RIS
and CSL-JSON, recognised by content, mapped to biblatex, with what has no place reported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from bibvault.cli import cli
from bibvault.ingest.bibtex_in import read_bibtex
from bibvault.ingest.cslitems import csl_date_to_edtf, iso_duration, read_csl_json
from bibvault.ingest.importfile import ImportFileError, read_import_file
from bibvault.ingest.ris import parse_ris, read_ris
from bibvault.registry import all_rules
from bibvault.sniff import WrongFormatError

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "import"
ALIASES = {"Panjshir": "panjshir", "US policy": "us-policy", "Former forces": "former-forces",
           "Ahmad Massoud": "leadership"}

HUDSON_URL = ("https://www.hudson.org/research/18235-us-has-an-opportunity-to-support-the-"
              "national-resistance-front-of-afghanistan")
ISW_URL = ("https://www.understandingwar.org/backgrounder/taliban-struggles-contain-afghan-"
           "national-resistance-front")
FOX_URL = "https://www.foxnews.com/world/how-significant-resistance-taliban-afghanistan"
FOX_ABSTRACT = ("A small resistance group, the National Resistance Front, has gained a "
                "stronghold in the historically anti-Taliban Panjshir Valley.")
COFFEY = {"author": "Coffey, Luke", "title": "US Has an Opportunity to Support the National "
          "Resistance Front of Afghanistan", "type": "Policy memo",
          "institution": "Hudson Institute", "date": "2022-09", "url": HUDSON_URL,
          "keywords": "nrf, us-policy"}
MILLS = {"author": "Mills, Peter", "title": "Taliban Struggles to Contain Afghan National "
         "Resistance Front", "organization": "Institute for the Study of War",
         "url": ISW_URL, "urldate": "2023-01-05", "keywords": "insurgency, nrf"}
LEE = {"author": "Lee, Michael", "title": "How Significant Is Resistance to the Taliban in "
       "Afghanistan?", "journaltitle": "Fox News", "entrysubtype": "newspaper", "url": FOX_URL,
       "urldate": "2023-01-05", "keywords": "nrf, panjshir", "abstract": FOX_ABSTRACT}
VIDEO_TITLE = ("Deja Vu All Over Again: Interview with Ahmad Massoud, Congressman Mike Waltz "
               "and Legend")
VIDEO_URL = "https://www.youtube.com/watch?v=Xq3v1lPDk0s"

# Per sample file: (key, entry type, every field written, the finding codes) per record.
EXPECTED: dict[str, list[tuple[str, str, dict[str, str], list[str]]]] = {
    "zotero-bbt.bib": [
        ("lee2022significant", "article",
         {**LEE, "date": "2022-08-28", "langid": "english",
          "ids": "lee2022HowSignificantResistance"}, ["I702"]),
        ("mills2022taliban", "online",
         {**MILLS, "date": "2022-09-08", "ids": "mills2022TalibanStrugglesContain"}, []),
        ("coffey2022opportunity", "report",
         {**COFFEY, "pagetotal": "11", "urldate": "2023-01-05",
          "ids": "coffey2022USHasOpportunity"}, []),
        ("rooftopleadership2022deja", "video",
         {"title": VIDEO_TITLE, "shorttitle": "Deja Vu All Over Again",
          "organization": "Rooftop Leadership", "date": "2022-12-29", "url": VIDEO_URL,
          "urldate": "2023-01-06", "keywords": "leadership",
          "ids": "rooftopleadership2022DejaVuAll"}, []),
    ],
    "zotero-plain.bib": [
        ("lee2022significant", "article",
         {**LEE, "date": "2022-08", "language": "en-US", "ids": "lee_how_2022"}, ["I702"]),
        ("mills2022taliban", "online",
         {**MILLS, "date": "2022-09", "language": "en", "ids": "mills_taliban_2022"}, []),
        ("coffey2022opportunity", "report",
         {**COFFEY, "urldate": "2023-01-05", "ids": "coffey_us_2022"}, ["I702"]),
    ],
    "jabref.bib": [
        ("donati2022arrests", "article",
         {"author": "Donati, Jessica", "title": "Arrests and Killings Drive Afghan Troops Once "
          "Allied With U.S. Into Hiding", "journaltitle": "The Wall Street Journal",
          "entrysubtype": "newspaper", "date": "2022-08-26", "keywords": "former-forces",
          "ids": "Donati2022"},
         ["I702", "I702", "I702", "N803", "N803", "F209"]),
        ("coffey2022opportunity", "report", {**COFFEY, "ids": "Coffey2022"}, ["I702"]),
    ],
    "mendeley.bib": [
        ("kohzad2021national", "article",
         {"author": "Kohzad, Nilly", "title": "What Does the National Resistance Front of "
          "Afghanistan Have to Offer?", "journaltitle": "The Diplomat", "date": "2021-12",
          "url": "https://thediplomat.com/2021/12/what-does-the-national-resistance-front-of-"
          "afghanistan-have-to-offer/", "keywords": "nrf", "abstract": "The NRF is a modest "
          "group with limited military capacity. It has leveraged social media and plans to "
          "expand its operations nationally and globally.", "ids": "Kohzad2021"},
         ["I702", "N803", "N803"]),
        ("odonnell2021afghan", "article",
         {"author": "O'Donnell, Lynne", "title": "Afghan Resistance Mulls Formation of "
          "Government in Exile", "journaltitle": "Foreign Policy", "date": "2021",
          "pages": "1–4", "doi": "10.5555/fp.2021.0924", "ids": "ODonnell2021"},
         ["N803", "T302"]),
    ],
    "zotero.ris": [
        ("donati2022arrests", "article",
         {"author": "Donati, Jessica", "title": "Arrests and Killings Drive Afghan Troops Once "
          "Allied With U.S. Into Hiding", "journaltitle": "The Wall Street Journal",
          "entrysubtype": "newspaper", "date": "2022-08-26", "issn": "0099-9660",
          "url": "https://www.wsj.com/articles/arrests-and-killings-drive-afghan-troops-once-"
          "allied-with-u-s-into-hiding-11661506200", "urldate": "2023-01-05",
          "keywords": "former-forces", "abstract": "The Taliban appear to have launched a "
          "campaign to track down former Afghan forces.",
          "note": "Paywalled; read through a repost.", "langid": "english"},
         ["I702", "N803"]),
        ("mills2022taliban", "online", {**MILLS, "date": "2022-09-08"}, []),
        ("coffey2022opportunity", "report", {**COFFEY, "pagetotal": "11"}, ["I702"]),
    ],
    "zotero.json": [
        ("odonnell2021afghan", "article",
         {"author": "O'Donnell, Lynne", "title": "Afghan Resistance Mulls Formation of "
          "Government in Exile", "journaltitle": "Foreign Policy", "entrysubtype": "newspaper",
          "date": "2021-09-24", "url": "https://foreignpolicy.com/2021/09/24/afghanistan-"
          "resistance-government-exile-taliban/", "urldate": "2023-01-05",
          "abstract": "Fighters, politicians, and generals may try to copy the Taliban's "
          "playbook for Afghanistan.", "langid": "english"}, ["I702", "T302"]),
        ("rooftopleadership2022deja", "video",
         {"title": VIDEO_TITLE, "organization": "Rooftop Leadership", "date": "2022-12-29",
          "duration": "PT1H30M4S", "url": VIDEO_URL}, ["T302"]),
    ],
}


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    config: dict[str, Any] = yaml.safe_load((ROOT / "bibvault.yaml").read_text(encoding="utf-8"))
    config["records"] = ["refs.bib"]
    config["ingest"] = {"topic_aliases": ALIASES}
    (tmp_path / "bibvault.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return tmp_path


def _import(project: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--config", str(project / "bibvault.yaml"), "import",
                                      *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_tools_export_becomes_these_records(project: Path, name: str) -> None:
    code, out, err = _import(project, "--format", "json", str(DATA / name))
    assert code == 0, out + err
    got = [(r["key"], r["entry_type"], r["fields"], [f["code"] for f in r["findings"]])
           for r in json.loads(out)]
    assert got == EXPECTED[name]
    assert all(r["written"] for r in json.loads(out))
    validate = CliRunner().invoke(cli, ["--config", str(project / "bibvault.yaml"), "validate"])
    assert validate.exit_code == 0, validate.stdout


def test_what_has_no_place_is_named(project: Path) -> None:
    _, out, _ = _import(project, "--dry-run", str(DATA / "jabref.bib"), str(DATA / "zotero.ris"))
    for expected in ("I702 field owner (reader) not imported",
                     "I702 field timestamp (2023-01-05) not imported",
                     "I702 file (:Coffey2022 - US Has an Opportunity.pdf:PDF) not imported",
                     "N803 tag 'veterans' is not a topic",
                     "I702 RIS tag L2 (https://www.wsj.com/articles/arrests-and-killings)",
                     "I702 RIS tag C1 (Washington, DC office) not imported"):
        assert expected in out
    assert not (project / "refs.bib").exists()


def test_the_same_work_from_two_tools_is_refused_the_second_time(project: Path) -> None:
    code, _, _ = _import(project, str(DATA / "zotero-bbt.bib"))
    assert code == 0
    before = (project / "refs.bib").read_bytes()
    code, out, err = _import(project, str(DATA / "zotero-plain.bib"))
    assert code == 1 and "3 refused" in err
    assert out.count("N801") == 3
    assert (project / "refs.bib").read_bytes() == before


def test_duplicates_within_one_file_are_caught(project: Path, tmp_path: Path) -> None:
    twice = tmp_path / "twice.ris"
    twice.write_bytes((DATA / "zotero.ris").read_bytes() * 2)
    code, out, _ = _import(project, "--format", "json", str(twice))
    results = json.loads(out)
    assert code == 1
    assert [r["written"] for r in results] == [True, True, True, False, False, False]


def test_topic_option_is_given_to_every_record(project: Path) -> None:
    code, out, _ = _import(project, "--format", "json", "--topic", "exile",
                           str(DATA / "zotero.json"))
    assert code == 0
    assert [r["fields"]["keywords"] for r in json.loads(out)] == ["exile", "exile"]
    code, _, err = _import(project, "--topic", "nope", str(DATA / "zotero.json"))
    assert code == 2 and "unknown topic nope" in err


@pytest.mark.parametrize(("content", "named"), [
    (b'<?xml version="1.0"?>\n<rdf:RDF xmlns:z="http://www.zotero.org/namespaces/export#">',
     "Zotero RDF (XML)"),
    (b"%PDF-1.4\n", "a PDF file"),
    (b"SQLite format 3\x00" + bytes(100), "an SQLite database (e.g. zotero.sqlite)"),
])
def test_formats_bibvault_cannot_import_are_refused(project: Path, tmp_path: Path,
                                                    content: bytes, named: str) -> None:
    path = tmp_path / "library.bib"
    path.write_bytes(content)
    code, _, err = _import(project, str(path))
    assert code == 2 and f"looks like {named}, not a file bibvault can import" in err
    if "Zotero" in named:
        assert "export it from Zotero as CSL JSON or Better BibLaTeX" in err


def test_a_file_without_records_is_named(project: Path, tmp_path: Path) -> None:
    path = tmp_path / "empty.bib"
    path.write_text("% nothing here yet\n", encoding="utf-8")
    code, _, err = _import(project, str(path))
    assert code == 0 and f"{path}: no records found" in err and "0 of 0 sources" in err


def test_broken_json_is_a_clear_error(project: Path, tmp_path: Path) -> None:
    path = tmp_path / "items.json"
    path.write_text('[{"id": "a", "type": "book",\n "title": }]', encoding="utf-8")
    code, _, err = _import(project, str(path))
    assert code == 2 and f"{path}:2:11: not valid JSON" in err


def test_ris_continuation_lines_and_cut_off_references() -> None:
    text = ("TY  - JOUR\nTI  - A long title\n  that goes on\nAU  - Doe, Jane, Jr.\n"
            "AU  - World Health Organization\nER  - \nstray text\nTY  - BOOK\nTI  - Cut off\n")
    refs, stray = parse_ris(text)
    assert [r.first("TI") for r in refs] == ["A long title that goes on", "Cut off"]
    assert stray == [(7, "stray text")]
    first, second = read_ris(text, "x.ris")
    assert first.creators["author"][0].family == "Doe"
    assert first.creators["author"][1].literal == "World Health Organization"
    assert [f.code for f in first.findings] == ["I702", "I702"]  # the suffix, the stray line
    assert second.refused and second.findings[0].code == "I701" and second.findings[0].line == 8


@pytest.mark.parametrize(("value", "edtf"), [
    ({"date-parts": [[2021]]}, "2021"),
    ({"date-parts": [["2022", "9", "3"]]}, "2022-09-03"),
    ({"date-parts": [[2020], [2021]]}, "2020/2021"),
    ({"date-parts": [[2020], [0]]}, "2020/.."),
    ({"date-parts": [[2021]], "circa": True}, "2021~"),
    ({"date-parts": [[2021]], "season": 2}, "2021-22"),
    ({"raw": "2021-09"}, "2021-09"),
    ({"literal": "Spring, perhaps"}, ""),
    ("not a date", ""),
])
def test_csl_dates_as_edtf(value: Any, edtf: str) -> None:
    assert csl_date_to_edtf(value) == edtf


@pytest.mark.parametrize(("text", "iso"), [("90 minutes", "PT90M"), ("4:29", "PT4M29S"),
                                           ("1:02:03", "PT1H2M3S"), ("about an hour",
                                                                     "about an hour")])
def test_running_times_as_iso_durations(text: str, iso: str) -> None:
    assert iso_duration(text) == iso


def test_csl_variables_without_a_place_are_reported() -> None:
    items = [{"id": "x", "type": "chapter", "title": "T", "container-title": "Book",
              "author": [{"family": "King", "given": "Martin Luther", "suffix": "Jr."}],
              "reviewed-author": [{"family": "Roe"}], "issued": {"literal": "someday"}},
             {"id": "y", "type": "hologram", "title": "U"}, 7]
    first, second, third = read_csl_json(json.dumps(items), "x.json")
    assert first.entry_type == "incollection" and first.fields["booktitle"] == "Book"
    assert sorted(f.code for f in first.findings) == ["I702", "I702", "I704"]
    assert second.entry_type == "misc" and [f.code for f in second.findings] == ["I703"]
    assert third.refused


def test_import_rules_are_registered() -> None:
    codes = {r.code for r in all_rules()}
    assert {"I701", "I702", "I703", "I704"} <= codes


def test_a_broken_entry_is_refused_and_the_rest_imported() -> None:
    text = ("@article{good, title = {Fine}, journal = {J}, year = {2020}}\n\n"
            "@article{bad, title = {Open, year = {2020}}\n\n"
            "@online{fine2, title = {Also fine}, url = {https://example.org/}}\n")
    cands = read_bibtex(text, "x.bib")
    assert [(c.original_key, c.refused) for c in cands if c.original_key != "bad"] == [
        ("good", False), ("fine2", False)]


def test_a_preamble_is_reported_not_dropped() -> None:
    text = ("@preamble{\"\\newcommand{\\noopsort}[1]{}\"}\n\n"
            "@article{a, title = {T}, journal = {J}, year = 2020}\n")
    (cand,) = read_bibtex(text, "x.bib")
    assert [(f.code, f.line) for f in cand.findings] == [("I702", 1)]
    assert "@preamble" in cand.findings[0].message


def test_bibtex_web_pages_and_crossrefs() -> None:
    text = ("@misc{w, title = {Page}, howpublished = {\\url{https://example.org/p}}, "
            "year = 2021}\n"
            "@book{parent, title = {The Book}, publisher = {P}, year = 2020}\n"
            "@incollection{child, title = {Chap}, crossref = {parent}, author = {Roe, Ann}}\n")
    web, _, child = read_bibtex(text, "x.bib")
    assert (web.entry_type, web.fields) == ("misc", {"title": "Page", "date": "2021",
                                                     "url": "https://example.org/p"})
    assert child.fields == {"title": "Chap", "booktitle": "The Book", "publisher": "P",
                            "date": "2020"}
    assert [f.message for f in child.findings] == [
        "crossref (parent) not imported: the record gets a new key, so the inherited fields "
        "were copied into it"]


@given(st.text(max_size=400))
@settings(max_examples=150)
def test_readers_never_raise_on_any_text(text: str) -> None:
    read_ris("TY  - JOUR\n" + text, "x.ris")
    read_bibtex("@article{k,\n" + text, "x.bib")
    try:
        read_csl_json(text, "x.json")
    except ValueError:
        pass  # not JSON: the command reports it with its line


def _containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=12),
                           _containers, max_leaves=8)


@given(st.lists(st.dictionaries(
    st.sampled_from(["id", "type", "title", "author", "issued", "page", "keyword", "URL",
                     "container-title", "genre", "dimensions", "custom", "x"]),
    JSON_VALUES), max_size=4))
@settings(max_examples=200)
def test_any_json_items_never_raise(items: list[dict[str, Any]]) -> None:
    for cand in read_csl_json(json.dumps(items), "x.json"):
        assert all(isinstance(v, str) for v in cand.fields.values())


@given(st.sampled_from([b"", b"TY  - JOUR\nAU  - x\n", b"[{", b"@misc{k,\n"]), st.binary(max_size=300))
@settings(max_examples=150, deadline=None)
def test_any_file_is_imported_or_refused_cleanly(tmp_path_factory: pytest.TempPathFactory,
                                                 start: bytes, data: bytes) -> None:
    path = tmp_path_factory.mktemp("hostile") / "in.dat"
    path.write_bytes(start + data)
    try:
        candidates = read_import_file(path)
    except (WrongFormatError, ImportFileError):
        return
    assert all(isinstance(c.source, str) for c in candidates)


def test_import_reports_in_the_layout_add_uses(project: Path) -> None:
    code, out, err = _import(project, "--dry-run", str(DATA / "zotero.ris"))
    assert code == 0 and err.endswith("3 of 3 sources would be added, 0 refused\n")
    first = out.split("\n\n")[0].splitlines()
    assert first[0] == (f"would add donati2022arrests to {project / 'refs.bib'}  "
                        f"[from {DATA / 'zotero.ris'}:1]")
    assert first[1] == "  type: @article, because RIS type NEWS"
    assert "  suggested topics: former-forces (not written; give --topic)" in first
    assert len(out.split("\n\n")) == 3
