"""Exports: biblatex, BibTeX, CSL-JSON and RIS text, and ``bibvault export``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from bibvault.bibfile import parse
from bibvault.bibfile.namelist import parse_names
from bibvault.bibfile.tex import to_rich_text as tex_to_csl
from bibvault.bibfile.tex import to_unicode as tex_to_text
from bibvault.cli import cli
from bibvault.collection import load_collection
from bibvault.csljson import record_to_csl
from bibvault.export import EXPORTERS, export, to_biblatex, to_bibtex, to_csl_json, to_ris
from bibvault.export.bibtex import tex_ascii
from bibvault.export.csl import csl_json_member
from bibvault.records import Record, records_from_file

ROOT = Path(__file__).resolve().parent.parent

#: Records of every kind a reading list keeps, written the way people write them.
REALISTIC_BIB = r"""
@book{giustozzi2019taliban,
  author    = {Giustozzi, Antonio},
  title     = {The {Taliban} at War},
  subtitle  = {2001--2018},
  publisher = {Oxford University Press},
  location  = {New York},
  date      = {2019},
  isbn      = {978-0-19-009239-9},
  pagetotal = {360},
}
@incollection{vanbijlert2009unruly,
  author    = {van Bijlert, Martine},
  title     = {Unruly Commanders and Violent Power Struggles},
  booktitle = {Decoding the New {Taliban}},
  editor    = {Giustozzi, Antonio},
  publisher = {Hurst},
  location  = {London},
  pages     = {155--178},
  date      = {2009},
}
@article{odegard2020norway,
  author       = {{\O}deg{\aa}rd, Per and M{\"u}ller, J{\"o}rg and {\c{C}}elik, Ay{\c{s}}e},
  title        = {Norway's Peace Diplomacy and the \emph{Afghan} Talks},
  journaltitle = {Cooperation and Conflict},
  volume       = {55},
  number       = {2},
  pages        = {245--262},
  date         = {2020-06},
  doi          = {10.1177/0010836720909867},
}
@article{donati2022arrests,
  author       = {Donati, Jessica},
  title        = {Arrests and Killings Drive {Afghan} Troops Into Hiding},
  journaltitle = {The Wall Street Journal},
  entrysubtype = {newspaper},
  date         = {2022-08-26},
  urldate      = {2023-03-01},
  url          = {https://www.wsj.com/articles/afghan-troops-hiding-11661506200},
}
@report{rand2008counterinsurgency,
  author      = {Jones, Seth G.},
  title       = {Counterinsurgency in {Afghanistan}},
  type        = {Monograph},
  number      = {MG-595},
  institution = {{RAND} Corporation},
  location    = {Santa Monica, CA},
  date        = {2008},
  pagetotal   = {162},
  url         = {https://www.rand.org/pubs/monographs/MG595.html},
}
@techreport{hrw2021forgiveness,
  author      = {{Human Rights Watch}},
  title       = {``{No} Forgiveness for People Like You''},
  institution = {Human Rights Watch},
  year        = {2021},
  month       = nov,
}
@thesis{ahmadi2020militias,
  author      = {Ahmadi, Belquis},
  title       = {Local Militias and State Authority in Northern {Afghanistan}},
  type        = {phdthesis},
  institution = {SOAS University of London},
  date        = {2020},
}
@inproceedings{lyall2013survey,
  author    = {Lyall, Jason and Blair, Graeme and Imai, Kosuke},
  title     = {Explaining Support for Combatants during Wartime},
  booktitle = {Proceedings of the Annual Meeting of the {APSA}},
  eventtitle = {APSA Annual Meeting},
  venue     = {Chicago},
  date      = {2013-08-29},
  pages     = {1--40},
}
@online{shekhawat2023resistance,
  author       = {Shekhawat, Shivam},
  title        = {Resistance to the {Taliban}: Current Status and Prospects},
  organization = {Observer Research Foundation},
  date         = {2023-01-10},
  url          = {https://www.orfonline.org/research/resistance-to-the-taliban},
  urldate      = {2024-01-31},
  archiveurl   = {https://web.archive.org/web/20240131000000/https://www.orfonline.org/research/resistance-to-the-taliban},
  archivedate  = {2024-01-31},
}
@video{pbs2021takeover,
  author       = {Smith, Martin},
  title        = {Taliban Takeover},
  organization = {Frontline},
  howpublished = {PBS},
  duration     = {54 minutes},
  date         = {2021-10-19},
  url          = {https://www.pbs.org/wgbh/frontline/documentary/taliban-takeover/},
}
@misc{nrf2021statement,
  author       = {{National Resistance Front of Afghanistan}},
  title        = {Statement on the Fall of {Panjshir}},
  howpublished = {Press release},
  date         = {2021-09-06},
  keywords     = {nrf, panjshir},
}
@book{vongennep1909rites,
  author    = {van Gennep, Arnold},
  title     = {Les rites de passage},
  publisher = {Nourry},
  location  = {Paris},
  date      = {1909},
  langid    = {french},
  options   = {useprefix=true},
}
"""


def realistic_records(tmp_path: Path) -> list[Any]:
    """The records of REALISTIC_BIB, read through bibvault."""
    path = tmp_path / "realistic.bib"
    path.write_text(REALISTIC_BIB, encoding="utf-8")
    collection = load_collection([path])
    records, findings = list(collection.records), collection.findings
    assert not findings
    return records


def one(bib: str) -> Any:
    (record,) = records_from_file(parse(bib))
    return record


def test_every_format_is_reachable_by_name(tmp_path: Path) -> None:
    records = realistic_records(tmp_path)
    assert set(EXPORTERS) == {"biblatex", "bibtex", "csl-json", "ris"}
    for fmt in EXPORTERS:
        assert export(records, fmt).endswith("\n")
    with pytest.raises(ValueError, match="unknown export format"):
        export(records, "endnote")


def test_csl_json_export_is_the_mapping(tmp_path: Path) -> None:
    items = json.loads(to_csl_json(realistic_records(tmp_path)))
    assert [i["id"] for i in items][:3] == ["giustozzi2019taliban", "vanbijlert2009unruly",
                                             "odegard2020norway"]
    by_id = {i["id"]: i for i in items}
    assert by_id["giustozzi2019taliban"]["title"] == (
        'The <span class="nocase">Taliban</span> at War: 2001–2018')
    assert by_id["odegard2020norway"]["author"][2] == {"family": "Çelik", "given": "Ayşe"}
    assert "Ø" in to_csl_json(realistic_records(tmp_path))  # UTF-8 kept, not \\u-escaped


def test_biblatex_keeps_tex_and_converts_bibtex_habits() -> None:
    text = to_biblatex([one(r"""@techreport{k, author = {Jones, Seth}, title = {On {NATO}},
        institution = {RAND}, year = {2008}, month = sep, address = {Santa Monica}}""")])
    assert text.startswith("@report{k,\n")
    assert "title       = {On {NATO}}," in text
    assert "date        = {2008-09}," in text
    assert "year" not in text and "month" not in text
    assert "location    = {Santa Monica}," in text
    assert "type        = {techreport}," in text
    article = to_biblatex([one("@article{a, author = {A, B}, title = {T}, journal = {J}, "
                               "year = {1999}, annote = {Read it}}")])
    assert "journaltitle = {J}," in article and "annotation   = {Read it}," in article


def test_biblatex_video_becomes_misc_with_running_time_and_archive_in_addendum() -> None:
    text = to_biblatex([one(r"""@video{v, title = {T}, organization = {Rooftop Leadership},
        howpublished = {YouTube}, duration = {PT90M}, date = {2022-12-29},
        archiveurl = {https://web.archive.org/web/1/x}, archivedate = {2023-01-01}}""")])
    assert text.startswith("@misc{v,\n")
    assert "entrysubtype = {video}," in text
    assert ("addendum     = {Running time: 90 minutes. Archived copy: "
            "\\url{https://web.archive.org/web/1/x} (2023-01-01)},") in text
    assert "duration" not in text and "archiveurl" not in text


def test_biblatex_keeps_what_the_data_model_lacks_as_comments_without_at_signs() -> None:
    text = to_biblatex([one(r"""@report{r, author = {A, B}, title = {T}, type = {Memo},
        institution = {I}, date = {2022}, howpublished = {PDF}, contact = {me@example.org}}""")])
    lines = text.splitlines()
    assert lines[0] == "% no place in a biblatex report entry: howpublished = {PDF}"
    assert lines[1] == "% no place in a biblatex report entry: contact = {me(at)example.org}"
    assert lines[2] == "@report{r,"


def test_a_month_that_is_no_month_keeps_the_year() -> None:
    record = one("@inproceedings{k, author = {A, B}, title = {T}, booktitle = {P}, "
                 "year = {2016}, month = may # { 30--} # jun # { 1}}")
    biblatex = to_biblatex([record])
    assert biblatex.splitlines()[0] == "% no place in a biblatex inproceedings entry: " \
                                       "month = {May 30--June 1}"
    assert "date      = {2016}," in biblatex
    bibtex = to_bibtex([record])
    assert "month     = {May 30--June 1}," in bibtex and "year      = {2016}," in bibtex


def test_bibtex_conversions() -> None:
    text = to_bibtex([one(r"""@report{r, author = {M{\"u}ller, J{\"o}rg}, title = {Policy},
        subtitle = {A Memo}, type = {Policy memo}, institution = {Hudson Institute},
        date = {2022-09-13}, urldate = {2023-01-05}, url = {https://h.org/x}, pagetotal = {11},
        journaltitle = {Ignored}}""")])
    assert text.splitlines() == [
        "@techreport{r,",
        '  author      = {M{\\"u}ller, J{\\"o}rg},',
        "  title       = {Policy: A Memo},",
        "  journal     = {Ignored},",
        "  type        = {Policy memo},",
        "  institution = {Hudson Institute},",
        "  month       = sep # {~13,},",
        "  year        = {2022},",
        "  note        = {Accessed 2023-01-05},",
        "  url         = {https://h.org/x},",
        "}",
    ]


def test_bibtex_online_and_video_become_misc_with_howpublished() -> None:
    online = to_bibtex([one(r"""@online{o, author = {S, S}, title = {T},
        organization = {Observer Research Foundation}, url = {https://o.org/a}, date = {2023}}""")])
    assert "@misc{o," in online
    assert "howpublished = {Observer Research Foundation, \\url{https://o.org/a}}," in online
    assert "  url " not in online
    video = to_bibtex([one(r"""@video{v, title = {T}, howpublished = {YouTube},
        duration = {PT4M29S}, date = {2022}}""")])
    assert "@misc{v," in video
    assert "howpublished = {YouTube}," in video
    assert "note         = {Running time 4:29}," in video
    assert "key          = {YouTube}," in video  # no author: labelled by the outlet
    untitled = to_bibtex([one(r"""@article{n, title = {Long Title}, journaltitle = {Fox News},
        date = {2023}}"""), one(r"""@misc{m, title = {Only a Title}, date = {2023}}""")])
    assert "key     = {Fox News}," in untitled
    assert "Long Title" in untitled and "= {Long" not in untitled.replace("title   = {Long", "")
    assert "key" not in untitled.split("@misc")[1]  # nothing to name it by: no key, never the title


def test_bibtex_thesis_kinds() -> None:
    phd = to_bibtex([one("@thesis{t, author = {A, B}, title = {T}, type = {phdthesis}, "
                         "institution = {SOAS}, date = {2020}}")])
    assert phd.startswith("@phdthesis{t,") and "school = {SOAS}" in phd and "type" not in phd
    ma = to_bibtex([one("@mastersthesis{t, author = {A, B}, title = {T}, school = {LSE}, "
                        "year = {2019}}")])
    assert ma.startswith("@mastersthesis{t,") and "school = {LSE}" in ma


@pytest.mark.parametrize(("text", "tex"), [
    ("Müller", r'M{\"u}ller'), ("Ødegård", r"{\O}deg{\aa}rd"), ("Çelik", r"{\c{C}}elik"),
    ("Ayşe", r"Ay{\c{s}}e"), ("naïve", r'na{\"\i}ve'), ("1990–2000", "1990--2000"),
    ("中村", "中村"), ("plain", "plain"),
])
def test_tex_ascii(text: str, tex: str) -> None:
    assert tex_ascii(text) == tex


def test_ris_record() -> None:
    text = to_ris([one(r"""@article{a, author = {van Bijlert, Martine and {Human Rights Watch}},
        title = {On \emph{Things}}, journaltitle = {Survival}, volume = {63}, number = {5},
        pages = {7--28}, date = {2021-09-03}, urldate = {2022-01-02}, doi = {10.1/x},
        keywords = {nrf, exile}, url = {https://e.org}}""")])
    assert text == "\n".join([
        "TY  - JOUR",
        "AU  - van Bijlert, Martine",
        "AU  - Human Rights Watch",
        "TI  - On Things",
        "T2  - Survival",
        "VL  - 63",
        "IS  - 5",
        "DO  - 10.1/x",
        "UR  - https://e.org",
        "SP  - 7",
        "EP  - 28",
        "PY  - 2021",
        "DA  - 2021/09/03/",
        "Y2  - 2022/01/02",
        "KW  - nrf",
        "KW  - exile",
        "ID  - a",
        "ER  - ",
    ]) + "\n"


def test_ris_types_and_page_count(tmp_path: Path) -> None:
    blocks = to_ris(realistic_records(tmp_path)).split("\n\n")
    types = [b.splitlines()[0] for b in blocks]
    assert types == ["TY  - BOOK", "TY  - CHAP", "TY  - JOUR", "TY  - NEWS", "TY  - RPRT",
                     "TY  - RPRT", "TY  - THES", "TY  - CPAPER", "TY  - ELEC", "TY  - VIDEO",
                     "TY  - GEN", "TY  - BOOK"]
    assert "SP  - 360" in blocks[0].splitlines()
    for block in blocks:
        assert block.splitlines()[-1] == "ER  - "


def test_empty_input() -> None:
    assert to_ris([]) == ""
    assert to_biblatex([]) == ""
    assert json.loads(to_csl_json([])) == []


# --- the command ---------------------------------------------------------------------

def test_cli_exports_to_stdout(tmp_path: Path) -> None:
    bib = tmp_path / "r.bib"
    bib.write_text(REALISTIC_BIB, encoding="utf-8")
    result = CliRunner().invoke(cli, ["export", "--to", "csl-json", str(bib)])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 12


def test_cli_selects_keys_in_the_given_order(tmp_path: Path) -> None:
    bib = tmp_path / "r.bib"
    bib.write_text(REALISTIC_BIB, encoding="utf-8")
    result = CliRunner().invoke(cli, ["export", "--to", "ris", "--key",
                                      "pbs2021takeover,giustozzi2019taliban", str(bib)])
    assert result.exit_code == 0
    ids = [line[6:] for line in result.stdout.splitlines() if line.startswith("ID  - ")]
    assert ids == ["pbs2021takeover", "giustozzi2019taliban"]


def test_cli_unknown_key_is_a_usage_error(tmp_path: Path) -> None:
    bib = tmp_path / "r.bib"
    bib.write_text(REALISTIC_BIB, encoding="utf-8")
    result = CliRunner().invoke(cli, ["export", "--to", "ris", "--key", "nope", str(bib)])
    assert result.exit_code == 2
    assert "no record with key nope" in result.stderr


def test_cli_writes_a_file_atomically(tmp_path: Path) -> None:
    bib = tmp_path / "r.bib"
    bib.write_text(REALISTIC_BIB, encoding="utf-8")
    out = tmp_path / "out" / "refs.bib"
    result = CliRunner().invoke(cli, ["export", "--to", "bibtex", "-o", str(out), str(bib)])
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("@book{giustozzi2019taliban,")
    assert "wrote 12 records" in result.stderr
    assert [p.name for p in out.parent.iterdir()] == ["refs.bib"]  # no temporary left


def test_cli_output_to_a_directory_names_it_not_a_temporary(tmp_path: Path) -> None:
    bib = tmp_path / "r.bib"
    bib.write_text(REALISTIC_BIB, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    result = CliRunner().invoke(cli, ["export", "--to", "ris", "-o", str(out), str(bib)])
    assert result.exit_code == 2
    assert f"{out}: Is a directory" in result.stderr
    assert ".tmp" not in result.stderr
    assert list(out.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["out", "r.bib"]


def test_cli_unreadable_input_names_the_file() -> None:
    # Reading /proc/self/mem fails with an error that carries no file name of its own.
    result = CliRunner().invoke(cli, ["export", "--to", "ris", "/proc/self/mem"])
    assert result.exit_code == 2
    assert "/proc/self/mem" in result.stderr


def test_cli_default_paths_are_the_configured_records() -> None:
    result = CliRunner().invoke(cli, ["--config", str(ROOT / "bibvault.yaml"), "export",
                                      "--to", "csl-json"])
    assert result.exit_code == 0, result.output
    ids = {i["id"] for i in json.loads(result.stdout)}
    assert {"coffey2022opportunity", "rooftop2022dejavu"} <= ids


def test_cli_missing_file_and_bad_format(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["export", "--to", "ris", str(tmp_path / "none.bib")])
    assert result.exit_code == 2 and "no such file" in result.stderr
    result = CliRunner().invoke(cli, ["export", "--to", "endnote", str(tmp_path)])
    assert result.exit_code == 2


_FIELD_NAMES = ["title", "subtitle", "journaltitle", "organization", "institution", "howpublished",
                "date", "urldate", "year", "month", "pages", "pagetotal", "number", "type",
                "duration", "archiveurl", "archivedate", "note", "keywords", "langid", "url",
                "entrysubtype", "edition", "volume"]
_TEX = st.text(alphabet=st.sampled_from(list("aZ09 -/~{}\\'\"`$%&_#:.,éø中")), max_size=30)


@settings(max_examples=150, deadline=None)
@given(etype=st.sampled_from(["article", "online", "report", "video", "book", "thesis", "misc",
                              "incollection", "inproceedings", "techreport", "weird"]),
       fields=st.dictionaries(st.sampled_from(_FIELD_NAMES), _TEX, max_size=10),
       author=st.sampled_from(["", "Smith, Ann", "{Hudson Institute}", "van Gogh, V. and Ode, P"]))
def test_exporters_never_raise(etype: str, fields: dict[str, str], author: str) -> None:
    tex = dict(fields, **({"author": author} if author else {}))
    people = {"author": tuple(parse_names(author))} if author else {}
    record = Record("k", etype, etype, "r.bib", 1, {k: tex_to_text(v) for k, v in tex.items()},
                    tex, people)
    item = record_to_csl(record)
    assert item["id"] == "k" and json.loads(json.dumps(item)) == item
    for fmt in EXPORTERS:
        assert isinstance(export([record], fmt), str)


def test_cli_output_below_a_file_names_the_file(tmp_path: Path) -> None:
    bib = tmp_path / "r.bib"
    bib.write_text(REALISTIC_BIB, encoding="utf-8")
    result = CliRunner().invoke(cli, ["export", "--to", "ris", "-o", str(bib / "sub" / "x.ris"),
                                      str(bib)])
    assert result.exit_code == 2
    assert f"{bib}: Not a directory" in result.stderr


def test_cli_bytes_that_are_not_utf8_become_replacement_characters(tmp_path: Path) -> None:
    bib = tmp_path / "latin9.bib"
    bib.write_bytes(b"@book{k, title = {\xa6ome title}, year = 1999}\n")
    out = tmp_path / "k.ris"
    result = CliRunner().invoke(cli, ["export", "--to", "ris", "-o", str(out), str(bib)])
    # Bytes that are not UTF-8 are an error (B109): the export is written, and exit 1 says so.
    assert result.exit_code == 1, result.output
    assert "B109" in result.stderr
    assert "TI  - \ufffdome title" in out.read_bytes().decode("utf-8")
    result = CliRunner().invoke(cli, ["export", "--to", "csl-json", str(bib)])
    assert json.loads(result.stdout_bytes.decode("utf-8"))[0]["title"] == "\ufffdome title"


def test_deeply_nested_braces_do_not_exhaust_the_stack() -> None:
    deep = "{" * 5000 + "Deep" + "}" * 5000
    assert tex_to_text(deep) == "Deep"
    assert tex_to_csl(deep) == '<span class="nocase">Deep</span>'
    assert tex_to_text("{" * 3000 + r"\{x" + "}" * 3000) == "{x"


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.sampled_from(["\udcff", "a\nb"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=300)
@given(st.dictionaries(st.text(max_size=8) | st.integers(), _JSON_VALUES, max_size=6))
def test_a_csl_json_member_is_what_json_dumps_indents(item: dict[Any, Any]) -> None:
    # The member is written without the json module's slow indenting encoder, but must
    # be its bytes exactly (floats and non-string keys are left to the json module).
    expected = json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n  ")
    assert csl_json_member(item) == expected
