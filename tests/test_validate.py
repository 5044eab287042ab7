"""Validation rules: one case that must fire and one that must not, for every rule."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bibvault.bibfile import parse
from bibvault.collection import load_collection
from bibvault.config import parse_config
from bibvault.findings import Finding, Severity, select_findings
from bibvault.identity import normalise_url, parsed_normalise_url
from bibvault.registry import all_rules
from bibvault.validate import apply_fixes, fix_collection, validate_files, validate_paths
from bibvault.validate.fields import parsed_url_problem, url_problem

TODAY = dt.date(2026, 11, 21)
CONFIG = parse_config("topics:\n  nrf: {label: NRF}\n  exile: {label: Exile}\n")

GOOD = """@online{good,
  author = {Doe, Jane},
  title = {A Good Record},
  organization = {Example Institute},
  date = {2021-09-03},
  urldate = {2021-10-01},
  url = {https://example.org/a},
  keywords = {nrf},
}
"""


def run(tmp_path: Path, text: str, name: str = "t.bib", encoding: str | None = None) -> list:
    path = tmp_path / name
    if encoding:
        path.write_bytes(text.encode(encoding))
    else:
        path.write_text(text, encoding="utf-8")
    return validate_paths([path], CONFIG, today=TODAY)


def codes(findings: list) -> list[str]:
    return [f.code for f in findings]


def entry(**fields: str) -> str:
    etype = fields.pop("etype", "online")
    key = fields.pop("key", "k")
    base = {"author": "{Doe, Jane}", "title": "{A Title}", "organization": "{Org}",
            "date": "{2021-09-03}", "url": "{https://example.org/x}", "keywords": "{nrf}"}
    base.update(fields)
    body = "".join(f"  {n} = {v},\n" for n, v in base.items() if v is not None)
    return f"@{etype}{{{key},\n{body}}}\n"


def test_good_record_is_clean(tmp_path: Path) -> None:
    assert run(tmp_path, GOOD) == []


# (code, text that must trigger it, text that must not)
CASES = [
    ("B102", "@online{a,\n  title = {Open {{brace},\n  note = {n},\n}\n\n" + GOOD, GOOD),
    ("B103", "@online{a,\n  title = {T}\n  url = {https://example.org/}\n}\n", GOOD),
    ("B106", "@online{,\n  title = {T},\n}\n", GOOD),
    ("B107", GOOD + "@online{trunc,\n  title = {T", GOOD),
    ("B108", "@online{k,\n  title = {T},\n  title = {U},\n  url = {https://example.org/},\n  keywords = {nrf},\n}\n",
     GOOD),
    ("B110", entry(organization="undefinedmacro"), entry(organization="{Org}")),
    ("F201", entry(etype="article", journaltitle=None), entry(etype="article", journaltitle="{J}")),
    ("F202", entry(date="{3 September 2021}"), entry(date="{2021-09-03}")),
    ("F203", entry(date="{2021-02-30}"), entry(date="{2021-02-28}")),
    ("F204", entry(urldate="{2021-08-01}"), entry(urldate="{2021-09-03}")),
    ("F205", entry(urldate="{2027-01-01}"), entry(urldate="{2026-11-21}")),
    ("F206", entry(url="{https://exa mple.org/}"), entry(url="{https://example.org/}")),
    ("F207", entry(url="{javascript:alert(1)}"), entry(url="{http://example.org/}")),
    ("F208", entry(url=None), entry()),
    ("F209", entry(etype="article", journaltitle="{J}", url=None),
     entry(etype="article", journaltitle="{J}", doi="{10.1234/abc}", url=None)),
    ("F210", entry(title="{A \\{ Title}}"), entry(title="{A \\{ Title \\}}")),
    ("F211", entry(title="{Fish & Chips}"), entry(title="{Fish \\& Chips}")),
    ("F212", entry(title="{ A  Title}"), entry(title="{A Title}")),
    ("F213", entry(pagetotal="{eleven}"), entry(pagetotal="{11}")),
    ("F214", entry(date="{2030-01-01}"), entry(date="{2026-01-01}")),
    ("F215", entry(etype="article", journaltitle="{J}", author=None),
     entry(etype="article", journaltitle="{J}", author=None, entrysubtype="{newspaper}")),
    ("F216", entry(title="{The \\SSx{} budget}"), entry(title="{The \\SS{} budget: 50\\textdollar{}}")),
    ("T301", entry(keywords="{nrf, nfr}"), entry(keywords="{nrf, exile}")),
    ("T302", entry(keywords=None), entry()),
    ("T303", entry(keywords="{nrf, nrf}"), entry(keywords="{nrf}")),
    ("D601", entry(key="a") + "\n" + entry(key="A", url="{https://example.org/y}", title="{B}"),
     entry(key="a") + "\n" + entry(key="b", url="{https://example.org/y}", title="{B}")),
    ("D602", entry(key="a") + "\n" + entry(key="b", url="{https://www.example.org/x/?utm_source=z}", title="{B}"),
     entry(key="a") + "\n" + entry(key="b", url="{https://example.org/y}", title="{B}")),
    ("D603", entry(key="a", doi="{10.1/x}") + entry(key="b", doi="{10.1/X}", title="{B}", url="{https://example.org/b}"),
     entry(key="a", doi="{10.1/x}") + entry(key="b", doi="{10.1/y}", title="{B}", url="{https://example.org/b}")),
    ("D604", entry(key="a", title="{The Title!}") + entry(key="b", title="{the title}", url="{https://example.org/b}"),
     entry(key="a", title="{The Title}") + entry(key="b", title="{The Title}", date="{2020}", url="{https://example.org/b}")),
    ("D605", entry(key="a") + "\n" + entry(key="b", ids="{old, A}", title="{B}", url="{https://example.org/y}"),
     entry(key="a") + "\n" + entry(key="b", ids="{old, B}", title="{B}", url="{https://example.org/y}")),
]


@pytest.mark.parametrize("code, bad, good", CASES, ids=[c[0] for c in CASES])
def test_rule_fires_and_stays_quiet(tmp_path: Path, code: str, bad: str, good: str) -> None:
    found = run(tmp_path, bad)
    assert code in codes(found), found
    hit = next(f for f in found if f.code == code)
    assert hit.file.endswith("t.bib") and hit.line >= 1 and hit.column >= 1
    assert code not in codes(run(tmp_path, good))


def test_every_core_rule_has_a_case() -> None:
    covered = {c[0] for c in CASES} | {"B101", "B104", "B105", "B109", "B111", "B112"}
    core = {r.code for r in all_rules() if r.code[0] in "BFTD"}
    assert core <= covered, core - covered


def test_unknown_tex_command_is_named_with_its_field(tmp_path: Path) -> None:
    found = [f for f in run(tmp_path, entry(note="{\\foo{a} \\foo{b} and \\bar x}"))
             if f.code == "F216"]
    assert [f.message.split(" (")[0] for f in found] == [
        "note: unknown TeX command \\foo", "note: unknown TeX command \\bar"]
    assert all(f.severity is Severity.WARNING and f.line == 8 for f in found)


def test_non_utf8_file(tmp_path: Path) -> None:
    found = run(tmp_path, entry(author="{M\u00fcller, Hans}"), encoding="latin-1")
    b109 = [f for f in found if f.code == "B109"]
    assert b109 and b109[0].line == 2
    assert "B109" not in codes(run(tmp_path, entry(author="{M\u00fcller, Hans}")))


def test_crossref_rules(tmp_path: Path) -> None:
    missing = entry(crossref="{nowhere}")
    assert "B111" in codes(run(tmp_path, missing))
    cycle = entry(key="a", crossref="{b}") + entry(key="b", crossref="{a}", url="{https://example.org/b}")
    assert "B112" in codes(run(tmp_path, cycle))
    fine = entry(key="a", crossref="{b}") + entry(key="b", url="{https://example.org/b}", title="{B}")
    assert not {"B111", "B112"} & set(codes(run(tmp_path, fine)))


def test_syntax_junk_missing_equals_unterminated_quote(tmp_path: Path) -> None:
    assert "B104" in codes(run(tmp_path, "@online{a,\n  title {T},\n}\n" + GOOD))
    assert "B105" in codes(run(tmp_path, '@online{a,\n  title = "T,\n}\n'))
    assert "B101" in codes(run(tmp_path, "@@@ {{{ junk\n" + GOOD))


def test_dangerous_url_is_an_error(tmp_path: Path) -> None:
    for url in ("javascript:alert(1)", "file:///etc/passwd", "data:text/html,x"):
        f = [x for x in run(tmp_path, entry(url="{" + url + "}")) if x.code == "F207"]
        assert f and f[0].severity is Severity.ERROR


def test_bundled_records_have_no_errors() -> None:
    root = Path(__file__).resolve().parents[1]
    from bibvault.config import load_config
    cfg = load_config(root / "bibvault.yaml")
    found = validate_paths(cfg.record_files(), cfg, today=TODAY)
    assert not [f for f in found if f.severity is Severity.ERROR], found
    no_url = {f.key for f in found if f.code in ("F208", "F209")}
    # Every record whose address was not verified is reported, and only those.
    assert no_url == {"foxnews2023yearns", "shekhawat2023resistance", "wasielewski2022outlines",
                      "lee2022significant", "donati2022arrests", "heritage2021arises",
                      "odonnell2021mulls", "intercept2021fled", "reuters2021casualties",
                      "rooftop2022dejavu"}


def test_fix_changes_only_the_fixed_values(tmp_path: Path) -> None:
    text = "% keep me\n" + entry(date="{2021-9-3}", title="{A   Title }") + "\n@string{x = {y}}\n"
    path = tmp_path / "t.bib"
    path.write_text(text, encoding="utf-8")
    files = list(load_collection([path]).files)
    found = validate_files(files, CONFIG, today=TODAY)
    applied = apply_fixes(files, found)
    assert {(a.field, a.new) for a in applied} == {("date", "{2021-09-03}"), ("title", "{A Title}")}
    files[0].save()
    after = path.read_text(encoding="utf-8")
    assert after == text.replace("{2021-9-3}", "{2021-09-03}").replace("{A   Title }", "{A Title}")
    assert validate_paths([path], CONFIG, today=TODAY) == []


def test_fix_collection_reencodes_fixes_saves_and_validates_again(tmp_path: Path) -> None:
    text = entry(date="{2021-9-3}", title="{Caf\xe9   Menu}")
    path = tmp_path / "t.bib"
    path.write_bytes(text.encode("latin-1"))
    collection = load_collection([path])
    found = validate_files(list(collection.files), CONFIG, today=TODAY)
    assert {"B109", "F202", "F212"} <= set(codes(found))
    fixed = fix_collection(collection, found, CONFIG)
    assert list(fixed.recoded) == [str(path)]
    assert {(a.field, a.new) for a in fixed.applied} == {("date", "{2021-09-03}"),
                                                         ("title", "{Caf\xe9 Menu}")}
    assert path.read_bytes() == text.replace("2021-9-3", "2021-09-03").replace(
        "   ", " ").encode("utf-8")
    # what validation says of the files as saved (today is the real one here)
    assert fixed.findings == validate_paths([path], CONFIG)
    assert [bf.to_bytes() for bf in fixed.files] == [path.read_bytes()]


def test_fix_collection_with_nothing_to_fix_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "t.bib"
    path.write_text(GOOD, encoding="utf-8")
    collection = load_collection([path])
    found = validate_files(list(collection.files), CONFIG, today=TODAY)
    fixed = fix_collection(collection, found, CONFIG)
    assert (fixed.recoded, fixed.applied, fixed.findings) == ({}, [], found)
    assert path.read_text(encoding="utf-8") == GOOD


def test_fix_keeps_quotes_around_a_quoted_value(tmp_path: Path) -> None:
    text = entry(date='"2021-9-3"', urldate='"2022-1-2"')
    path = tmp_path / "t.bib"
    path.write_text(text, encoding="utf-8")
    files = list(load_collection([path]).files)
    apply_fixes(files, validate_files(files, CONFIG, today=TODAY))
    files[0].save()
    assert path.read_text(encoding="utf-8") == text.replace('"2021-9-3"', '"2021-09-03"').replace(
        '"2022-1-2"', '"2022-01-02"')


def test_json_shape(tmp_path: Path) -> None:
    found = run(tmp_path, entry(url=None))
    d = found[0].to_dict()
    assert set(d) >= {"code", "severity", "message", "file", "line", "column", "key"}
    json.dumps(d)


def test_report_line_leaves_out_unknown_location_parts() -> None:
    def line(file: str = "", line: int = 0, column: int = 0) -> str:
        return Finding("A509", Severity.INFO, "no credentials", file, line, column, key="k").format_text()

    assert line(file="a.bib", line=3, column=5) == "a.bib:3:5: A509 no credentials [k]"
    assert line(file="a.bib", line=3) == "a.bib:3: A509 no credentials [k]"
    assert line(file="a.bib") == "a.bib: A509 no credentials [k]"
    assert line() == "A509 no credentials [k]"


def test_fix_leaves_a_duplicated_key_alone(tmp_path: Path) -> None:
    # Only the second 'k' needs the fix; an edit by key would reach the first.
    text = entry(date="{2020-01-05}") + entry(date="{2021-9-3}", title="{Second}")
    path = tmp_path / "t.bib"
    path.write_text(text, encoding="utf-8")
    files = list(load_collection([path]).files)
    assert apply_fixes(files, validate_files(files, CONFIG, today=TODAY)) == []
    assert files[0].to_bytes() == text.encode("utf-8")


def test_unclosed_brace_is_located_at_the_value(tmp_path: Path) -> None:
    text = "@online{a,\n  title = {Open {brace},\n}\n\n" + GOOD
    found = [f for f in run(tmp_path, text) if f.code.startswith("B")]
    assert [(f.code, f.line, f.column, f.key) for f in found] == [("B102", 2, 11, "a")]
    assert "line 5" in found[0].message


@pytest.mark.parametrize(("select", "ignore"), [
    (("B",), ()), (("F2",), ()), (("t",), ()), (("D6",), ()), ((), ("F", "T")),
    (("F209", "B108"), ()), ((), ("B", "F", "T", "D")), (("B", "D"), ("D601",)),
])
def test_selection_runs_only_what_it_needs_and_reports_the_same(
        tmp_path: Path, select: tuple[str, ...], ignore: tuple[str, ...]) -> None:
    mixed = (GOOD + "@misc{dup, title = {A  b}, title = {C}, keywords = {nope}}\n"
             "@misc{Dup, title = {\\foo{x} & y}, year = {20x}}\n@misc{broken, title = {\n")
    (tmp_path / "m.bib").write_text(mixed, encoding="utf-8")
    files = list(load_collection([tmp_path / "m.bib"]).files)
    everything = validate_files(files, CONFIG, today=TODAY)
    assert {f.code[0] for f in everything} == {"B", "F", "T", "D"}
    chosen = validate_files(files, CONFIG, today=TODAY, select=select, ignore=ignore)
    assert chosen == select_findings(everything, select, ignore)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=" \t\u00a0\u2003\r\x0bab", max_size=12))
def test_stray_whitespace_is_reported_exactly_when_collapsing_changes_the_value(
        inner: str) -> None:
    bf = parse("@misc{k, title = {" + inner + "}}\n", "w.bib")
    codes = [f.code for f in validate_files([bf], CONFIG, today=TODAY, select=("F212",))]
    assert codes == (["F212"] if " ".join(inner.split()) != inner else [])


_URL_PART = st.text(st.sampled_from("aZ09-._:/?#@[]% \t\x00\u00e9\u00a0"), max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["http://", "HTTPS://", "https://", "ftp://", "http:", ""]),
       _URL_PART, st.sampled_from(["", ".org", ".example.com", "."]), _URL_PART)
def test_the_quick_url_test_agrees_with_parsing(scheme: str, host: str, tld: str,
                                                rest: str) -> None:
    url = scheme + host + tld + rest
    assert url_problem(url) == parsed_url_problem(url)
    plain = scheme.lower().startswith("http") and scheme.endswith("//")
    if plain and host.replace("-", "").isalnum() and host.isascii() and len(tld) > 1:
        assert url_problem(f"{scheme}{host}{tld}/a?b#c") is None


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(["http://", "HTTPS://", "https://", "ftp://", " https://"]),
       st.sampled_from(["", "www.", "WWW.", "m.", "amp.", "sub.", "a-b."]),
       st.sampled_from(["example", "Example", "x1", "cdn.ampproject", "-"]),
       st.sampled_from([".org", ".ORG", ".co.uk", "", ".org:8080", ".org."]),
       st.lists(st.sampled_from(["/", "/amp", "/a", ".amp", "/amp/", "//", "/%20", "/é",
                                 "?", "#", "?utm_source=x&a=1", " ", "\t", "@", "\\", ";"]),
                max_size=5))
def test_the_quick_url_normalisation_agrees_with_parsing(scheme: str, prefix: str, host: str,
                                                         tld: str, parts: list[str]) -> None:
    url = scheme + prefix + host + tld + "".join(parts)
    assert normalise_url(url) == parsed_normalise_url(url)
