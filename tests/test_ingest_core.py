"""The ingest core: keys, identities, duplicates, topics, the writer and ``ingest()``."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bibvault.bibfile import load, parse
from bibvault.config import ConfigError, Topic, load_config
from bibvault.fmt import format_file
from bibvault.identity import normalise_doi, normalise_url, video_id
from bibvault.ingest import Candidate, Creator, ingest, results_to_json
from bibvault.ingest.duplicates import find_duplicates
from bibvault.ingest.keys import make_key, organisation_short
from bibvault.ingest.topics import map_tags, suggest_topics
from bibvault.ingest.writer import entry_text, tex_title
from bibvault.records import records_from_file

TODAY = dt.date(2026, 12, 1)


def news(**over: object) -> Candidate:
    fields = {"title": "Taliban Struggles to Contain the NRF", "date": "2022-09-08",
              "journaltitle": "The Guardian", "entrysubtype": "newspaper",
              "url": "https://www.theguardian.com/world/2022/sep/08/taliban-nrf",
              "urldate": "2026-12-01"}
    fields.update(over.pop("fields", {}))  # type: ignore[call-overload]
    c = Candidate(source="https://www.theguardian.com/world/2022/sep/08/taliban-nrf",
                  entry_type="article", fields=fields,
                  creators={"author": [Creator("Mills", "Peter"), Creator("Doe", "Jane")]})
    for k, v in over.items():
        setattr(c, k, v)
    return c


# -- identity -------------------------------------------------------------------------

@pytest.mark.parametrize("a, b", [
    ("https://www.example.org/a/", "http://example.org/a"),
    ("https://example.org/a?utm_source=x&id=2&fbclid=9", "https://example.org/a?id=2"),
    ("https://example.org/a/amp", "https://example.org/a"),
    ("https://example.org/a.amp", "https://example.org/a"),
    ("https://amp.example.org/a?amp=1", "https://example.org/a"),
    ("https://example-org.cdn.ampproject.org/c/s/example.org/a", "https://example.org/a"),
    ("https://EXAMPLE.org/a#comments", "https://example.org/a"),
    ("https://example.org/a?b=2&a=1", "https://example.org/a?a=1&b=2"),
])
def test_canonical_urls_compare_equal(a: str, b: str) -> None:
    assert normalise_url(a) == normalise_url(b)


def test_canonical_url_keeps_what_names_another_page() -> None:
    assert normalise_url("https://example.org/a?id=2") != normalise_url("https://example.org/a?id=3")
    assert normalise_url("https://example.org/A") != normalise_url("https://example.org/a")


@pytest.mark.parametrize("text", [
    "10.1080/0163660X.2022.2090000", "doi:10.1080/0163660x.2022.2090000",
    "https://doi.org/10.1080/0163660X.2022.2090000",
    "https://www.tandfonline.com/doi/full/10.1080/0163660X.2022.2090000",
    "https://www.tandfonline.com/doi/abs/10.1080/0163660X.2022.2090000.",
])
def test_doi_forms(text: str) -> None:
    assert normalise_doi(text) == "10.1080/0163660x.2022.2090000"


def test_no_doi() -> None:
    assert normalise_doi("https://example.org/10/abc") is None


def test_video_ids() -> None:
    assert video_id("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=3") == "youtube:dQw4w9WgXcQ"
    assert video_id("https://youtu.be/dQw4w9WgXcQ") == "youtube:dQw4w9WgXcQ"
    assert video_id("https://www.youtube.com/embed/dQw4w9WgXcQ") == "youtube:dQw4w9WgXcQ"
    assert video_id("https://vimeo.com/123456789") == "vimeo:123456789"
    assert video_id("https://example.org/watch?v=dQw4w9WgXcQ") is None


# -- keys -----------------------------------------------------------------------------

def test_key_from_author_year_and_title_word() -> None:
    assert make_key(news(), set()) == "mills2022taliban"


def test_key_is_unique_case_insensitively() -> None:
    assert make_key(news(), {"mills2022taliban"}) == "mills2022talibana"
    assert make_key(news(), {"mills2022taliban", "mills2022talibana"}) == "mills2022talibanb"


def test_key_of_organisation_and_outlet() -> None:
    org = Candidate("x", "report", {"title": "The Afghan Resistance", "date": "2022"},
                    {"author": [Creator(literal="Institute for the Study of War")]})
    assert make_key(org, set()) == "isw2022afghan"
    outlet = Candidate("x", "article", {"title": "2 Years after", "date": "2023-08-29",
                                        "journaltitle": "Fox News"})
    assert make_key(outlet, set()) == "foxnews2023years"
    assert organisation_short("Hudson Institute (HI)") == "hi"


def test_key_transliterates_other_scripts() -> None:
    c = Candidate("x", "online", {"title": "مقاومت ملی", "date": "1401"},
                  {"author": [Creator("احمدی", "علی")]})
    key = make_key(c, set())
    assert key.isascii() and key.startswith("hmdy") and "1401" in key


# -- writer ---------------------------------------------------------------------------

def test_entry_text_is_canonical_and_reads_back() -> None:
    c = news(fields={"title": "NRF & U.S. aid: 50% of {it}", "note": "a_b #1 ~ ^ \\"})
    c.creators["author"].append(Creator(literal="Hudson Institute"))
    text = entry_text(c, "k", ["nrf"])
    bf = parse(text + "\n")
    assert format_file(bf) == text + "\n"
    rec = records_from_file(bf)[0]
    assert rec.fields["title"] == "NRF & U.S. aid: 50% of {it}"
    assert rec.fields["note"] == "a_b #1 ~ ^ \\"
    assert rec.fields["keywords"] == "nrf"
    assert [" ".join(p.last_names) for p in rec.names("author")] == ["Mills", "Doe", "{Hudson Institute}"]
    assert "{NRF}" in text and "{U.S.}" in text


def test_title_protection() -> None:
    assert tex_title("The iPhone and ISIS-K in COVID-19 times") == \
        "The {iPhone} and {ISIS-K} in {COVID-19} times"
    assert tex_title("A Normal Title") == "A Normal Title"


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60))
@example("_aA")
def test_any_text_survives_the_writer(text: str) -> None:
    c = Candidate("x", "online", {"title": text, "note": text})
    bf = parse(entry_text(c, "k") + "\n")
    assert not [f for f in bf.findings if f.severity.value == "error"]
    rec = records_from_file(bf)[0]
    expected = unicodedata.normalize("NFC", " ".join(text.split()))  # records are NFC
    assert rec.fields.get("note", "") == expected
    assert rec.fields.get("title", "") == expected


# -- duplicates and topics --------------------------------------------------------------

def _records(text: str):  # noqa: ANN202
    return records_from_file(parse(text, path="bib/news.bib"))


EXISTING = """@article{mills2022taliban,
  author = {Mills, Peter},
  title = {Taliban Struggles to Contain the {NRF}},
  journaltitle = {The Guardian},
  date = {2022-09-08},
  doi = {10.1234/ABC},
  url = {http://theguardian.com/world/2022/sep/08/taliban-nrf/?utm_source=tw},
}
"""


def test_exact_duplicates_by_url_and_doi() -> None:
    recs = _records(EXISTING)
    dups = find_duplicates(news(), recs)
    assert [(d.key, d.exact) for d in dups] == [("mills2022taliban", True)]
    assert "same URL" in dups[0].reason
    by_doi = news(fields={"url": "https://other.example/x", "doi": "10.1234/abc"})
    assert [d.reason.split(" (")[0] for d in find_duplicates(by_doi, recs)] == ["same DOI"]


def test_fuzzy_duplicate_needs_a_shared_creator_and_close_years() -> None:
    recs = _records(EXISTING)
    close = news(fields={"url": "https://b.example/x", "title": "Taliban struggles to contain NRF"})
    assert [(d.key, d.exact) for d in find_duplicates(close, recs)] == [("mills2022taliban", False)]
    other_author = news(fields={"url": "https://b.example/x"})
    other_author.creators = {"author": [Creator("Roe", "John")]}
    assert find_duplicates(other_author, recs) == []
    far = news(fields={"url": "https://b.example/x", "date": "2019"})
    assert find_duplicates(far, recs) == []


def test_tags_map_through_aliases_ids_and_labels() -> None:
    vocab = {"nrf": Topic("National Resistance Front"), "panjshir": Topic("Panjshir Valley")}
    topics, unmapped = map_tags(["Panjshir", "national resistance front", "NRF", "Misc"],
                                vocab, {"Panjshir": "panjshir"})
    assert topics == ["panjshir", "nrf"] and unmapped == ["Misc"]
    assert map_tags(["x"], vocab, {"x": "not-a-topic"}) == ([], ["x"])
    assert suggest_topics(news(), vocab) == ["nrf"]


# -- ingest() end to end ----------------------------------------------------------------

CONFIG = """records: [bib]
topics:
  nrf: {label: National Resistance Front}
  us-policy: {label: US and Western policy}
sections:
  - {id: reports, title: Reports, types: [report]}
  - {id: news, title: News, types: [article, online]}
ingest:
  topic_aliases: {Resistance: nrf}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "bibvault.yaml").write_text(CONFIG)
    (tmp_path / "bib").mkdir()
    existing = EXISTING.replace("{Mills, Peter}", "{Roe, Richard}")
    canonical = format_file(parse("% my news\n\n" + existing.replace("doi = {10.1234/ABC},\n", "")))
    (tmp_path / "bib" / "news.bib").write_text(canonical, newline="")
    return tmp_path


def test_ingest_appends_without_touching_other_bytes(project: Path) -> None:
    before = (project / "bib" / "news.bib").read_bytes()
    cand = news(fields={"url": "https://example.org/new", "title": "The Front Regroups"})
    cand.tags = ["Resistance", "Untagged thing"]
    [res] = ingest([cand], load_config(project / "bibvault.yaml"), topics=["us-policy"],
                   today=TODAY)
    after = (project / "bib" / "news.bib").read_bytes()
    assert after.startswith(before) and res.written and res.key == "mills2022front"
    bf = load(project / "bib" / "news.bib")
    assert format_file(bf) == bf.to_text()  # still in the canonical layout
    entry = bf.get("mills2022front")
    assert entry is not None and entry.line == res.line
    assert entry.value("keywords") == "us-policy, nrf"
    assert [f.code for f in res.findings if f.code.startswith("N")] == ["N803"]
    assert res.fields["title"] == "The Front Regroups" and res.fields["urldate"] == "2026-12-01"


def test_ingest_refuses_exact_duplicate_unless_forced(project: Path) -> None:
    cfg = load_config(project / "bibvault.yaml")
    before = (project / "bib" / "news.bib").read_bytes()
    [res] = ingest([news()], cfg, today=TODAY)
    assert not res.written and res.refused
    assert [f.code for f in res.findings if f.code.startswith("N")] == ["N801"]
    assert res.duplicates[0].exact
    assert (project / "bib" / "news.bib").read_bytes() == before
    [forced] = ingest([news()], cfg, force=True, today=TODAY)
    assert forced.written and forced.key == "mills2022talibana"


def test_ingest_catches_duplicates_within_the_batch(project: Path) -> None:
    a = news(fields={"url": "https://example.org/one?utm_medium=x", "title": "One"})
    b = news(fields={"url": "http://www.example.org/one/", "title": "One again"})
    ra, rb = ingest([a, b], load_config(project / "bibvault.yaml"), today=TODAY)
    assert ra.written and not rb.written and rb.duplicates[0].key == ra.key


def test_dry_run_writes_nothing_and_reports_json(project: Path) -> None:
    before = (project / "bib" / "news.bib").read_bytes()
    cand = news(fields={"url": "https://example.org/new", "title": "The Front Regroups"})
    results = ingest([cand], load_config(project / "bibvault.yaml"), dry_run=True, today=TODAY)
    assert (project / "bib" / "news.bib").read_bytes() == before
    assert not results[0].written and not results[0].refused
    [obj] = json.loads(results_to_json(results))
    assert obj["key"] == "mills2022front" and obj["fields"]["journaltitle"] == "The Guardian"
    assert obj["written"] is False and obj["entry_type"] == "article"


def test_ingest_into_an_empty_project_makes_the_section_file(tmp_path: Path) -> None:
    (tmp_path / "bibvault.yaml").write_text(CONFIG)
    rep = Candidate("x", "report", {"title": "A Report", "date": "2022", "institution": "ISW",
                                    "url": "https://example.org/r"},
                    {"author": [Creator("Roe", "Ann")]}, original_key="Roe:2022")
    [res] = ingest([rep], load_config(tmp_path / "bibvault.yaml"), today=TODAY)
    assert res.written and res.file == str((tmp_path / "bib" / "reports.bib").resolve())
    assert res.key == "roe2022a"  # "A Report" has no significant word: the first one serves
    entry = load(tmp_path / "bib" / "reports.bib").get(res.key)
    assert entry is not None and entry.value("ids") == "Roe:2022"


def test_invalid_record_is_refused(project: Path) -> None:
    bad = news(fields={"url": "javascript:alert(1)", "title": "X"})
    [res] = ingest([bad], load_config(project / "bibvault.yaml"), today=TODAY)
    assert not res.written and {"N804", "F207"} <= {f.code for f in res.findings}


def test_append_and_remove_entry_keep_every_other_byte() -> None:
    text = "% head\r\n\r\n@a{x,\r\n  t = {1},\r\n}\r\n"
    bf = parse(text)
    bf.append_entry("@b{y,\n  t = {2},\n}")
    assert bf.to_text() == text + "\r\n@b{y,\r\n  t = {2},\r\n}\r\n"
    bf.remove_entry("y")
    assert bf.to_text() == text
    with pytest.raises(ValueError):
        bf.append_entry("@b{y, t = {2}")
    with pytest.raises(KeyError):
        bf.remove_entry("nope")


def test_ingest_endpoints_come_from_config_and_environment(tmp_path: Path) -> None:
    cfg_file = tmp_path / "bibvault.yaml"
    cfg_file.write_text("ingest:\n  crossref_url: http://127.0.0.2:8080\n"
                        "  topic_aliases: {Panjshir: panjshir}\n")
    cfg = load_config(cfg_file, environ={"BIBVAULT_DATACITE_URL": "http://127.0.0.3:9"})
    assert cfg.ingest.crossref_url == "http://127.0.0.2:8080"
    assert cfg.ingest.datacite_url == "http://127.0.0.3:9"
    assert cfg.ingest.oembed_url == "https://www.youtube.com/oembed"
    assert cfg.ingest.topic_aliases == {"Panjshir": "panjshir"}


@pytest.mark.parametrize("text, env", [
    ("ingest:\n  crossref_url: api.crossref.org\n", {}),
    ("", {"BIBVAULT_OEMBED_URL": "file:///etc/passwd"}),
])
def test_ingest_endpoint_must_be_http(tmp_path: Path, text: str, env: dict[str, str]) -> None:
    cfg_file = tmp_path / "bibvault.yaml"
    cfg_file.write_text(text)
    with pytest.raises(ConfigError, match="crossref_url|BIBVAULT_OEMBED_URL"):
        load_config(cfg_file, environ=env)


def test_imported_key_joins_the_aliases_the_entry_had(tmp_path: Path) -> None:
    (tmp_path / "bibvault.yaml").write_text(CONFIG)
    rep = Candidate("x", "report", {"title": "Front Lines", "date": "2022", "institution": "ISW",
                                    "ids": "old1, old2"},
                    {"author": [Creator("Roe", "Ann")]}, original_key="Roe:2022")
    [res] = ingest([rep], load_config(tmp_path / "bibvault.yaml"), today=TODAY)
    entry = load(tmp_path / "bib" / "reports.bib").get(res.key or "")
    assert entry is not None and entry.value("ids") == "Roe:2022, old1, old2"


def test_key_skips_auxiliary_verbs() -> None:
    c = Candidate("x", "report", {"title": "US Has an Opportunity", "date": "2022"},
                  {"author": [Creator("Coffey", "Luke")]})
    assert make_key(c, set()) == "coffey2022opportunity"


def test_same_title_creators_and_year_is_exact_without_identifiers() -> None:
    recs = _records("@report{r, author = {Roe, Ann}, title = {Front Lines}, date = {2022}}\n")
    same = Candidate("x", "report", {"title": "Front lines", "date": "2022-05"},
                     {"author": [Creator("Roe", "Ann")]})
    assert [(d.key, d.exact) for d in find_duplicates(same, recs)] == [("r", True)]
    other_year = Candidate("x", "report", {"title": "Front lines", "date": "2023"},
                           {"author": [Creator("Roe", "Ann")]})
    assert [(d.key, d.exact) for d in find_duplicates(other_year, recs)] == [("r", False)]


def test_a_pdf_is_known_again_in_a_later_run_by_its_bytes(project: Path) -> None:
    cfg = load_config(project / "bibvault.yaml")
    digest = "ab" * 32
    first = Candidate("/tmp/a.pdf", "report", {"title": "Front Lines", "date": "2022",
                                               "institution": "ISW"},
                      {"author": [Creator("Roe", "Ann")]}, sha256=digest)
    [res] = ingest([first], cfg, today=TODAY)
    assert res.written and res.fields["sourcesha256"] == digest
    again = Candidate("/tmp/copy.pdf", "report", {"title": "Untitled scan"}, sha256=digest)
    [res2] = ingest([again], cfg, today=TODAY)
    assert not res2.written and res2.duplicates[0].reason.startswith("same file (SHA-256)")
