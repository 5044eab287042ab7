"""``bibvault add`` end to end through click: writing, duplicates, topics, JSON, exit codes."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from addsetup import served_web
from addweb import AddWeb
from bibvault.bibfile import load
from bibvault.cli import cli
from bibvault.records import records_from_file
from test_add_doi import CROSSREF

EXISTING = """% News about the resistance.

@article{karimi2021massoud,
  author       = {Karimi, Ali},
  title        = {Massoud Calls for Talks with {Taliban}},
  journaltitle = {Frontier Post},
  entrysubtype = {newspaper},
  date         = {2021-09-05},
  url          = {https://frontier.example/news/massoud-calls-for-talks},
  keywords     = {nrf},
}
"""


web = pytest.fixture(scope="module", name="web")(served_web)


@pytest.fixture()
def project(tmp_path: Path, web: AddWeb) -> Path:
    (tmp_path / "bib").mkdir()
    (tmp_path / "bib" / "news.bib").write_text(EXISTING.replace(
        "https://frontier.example", web.site), encoding="utf-8")
    (tmp_path / "bibvault.yaml").write_text(f"""records: [bib]
topics:
  nrf: {{label: National Resistance Front}}
  panjshir: {{label: Panjshir Valley}}
  us-policy: {{label: US and Western policy}}
sections:
  - {{id: reports, title: Reports, types: [report, misc]}}
  - {{id: news, title: News, types: [article, online]}}
  - {{id: videos, title: Videos, types: [video]}}
check: {{host_delay: 0, retries: 1, backoff: 0}}
ingest:
  crossref_url: {web.api}
  datacite_url: {web.api}
  oembed_url: {web.api}/oembed
""", encoding="utf-8")
    return tmp_path


def run(project: Path, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["--config", str(project / "bibvault.yaml"), "add", *args],
                              input=stdin, catch_exceptions=False)


def test_add_writes_a_news_article_in_canonical_layout(project: Path, web: AddWeb) -> None:
    before = (project / "bib" / "news.bib").read_bytes()
    url = web.site + "/world/2022/sep/08/taliban-nrf-clash-panjshir"
    res = run(project, url, "--topic", "nrf", "--topic", "panjshir")
    assert res.exit_code == 0, res.output
    text = (project / "bib" / "news.bib").read_text(encoding="utf-8")
    assert text.startswith(before.decode())  # every byte already there is kept
    today = dt.date.today().isoformat()
    assert text[len(before):] == f"""
@article{{mills2022taliban,
  author       = {{Mills, Peter and Rahimi, Sahar}},
  title        = {{Taliban \\& {{NRF}} fighters clash in Panjshir as resistance claims gains}},
  journaltitle = {{The Kabul Chronicle}},
  entrysubtype = {{newspaper}},
  date         = {{2022-09-08}},
  url          = {{{url}}},
  urldate      = {{{today}}},
  keywords     = {{nrf, panjshir}},
}}
"""
    assert "added mills2022taliban to " in res.output
    assert "type: @article, because json-ld NewsArticle: a news article" in res.output
    assert "title <- json-ld NewsArticle.headline" in res.output


def test_added_record_reads_back(project: Path, web: AddWeb) -> None:
    url = web.site + "/research/18235-us-has-an-opportunity"
    res = run(project, url, "--topic", "nrf")
    assert res.exit_code == 0, res.output
    # A report goes to the reports section's file of the records folder.
    bf = load(project / "bib" / "reports.bib")
    (rec,) = records_from_file(bf)
    assert rec.key == "coffey2022opportunity"  # the key is make_key's (the lead's core)
    assert rec.entry_type == "report"
    assert rec.fields["institution"] == "Hudson Institute"
    assert rec.fields["pagetotal"] == "11"
    assert rec.fields["title"] == ("US Has an Opportunity to Support the National Resistance "
                                   "Front of Afghanistan")
    assert rec.topics == ("nrf",)


def test_exact_duplicate_is_refused_naming_the_record(project: Path, web: AddWeb) -> None:
    before = (project / "bib" / "news.bib").read_bytes()
    res = run(project, web.site + "/news/massoud-calls-for-talks/amp")  # AMP of a record there
    assert res.exit_code == 1, res.output
    assert "duplicate: karimi2021massoud" in res.output
    assert "N801" in res.output
    assert (project / "bib" / "news.bib").read_bytes() == before
    forced = run(project, web.site + "/news/massoud-calls-for-talks/amp", "--force")
    assert forced.exit_code == 0, forced.output
    assert (project / "bib" / "news.bib").read_bytes() != before


def test_duplicates_within_one_run(project: Path, web: AddWeb) -> None:
    url = web.site + "/stories/isis-and-the-nrf"
    res = run(project, url, url + "?utm_source=newsletter", "--format", "json")
    assert res.exit_code == 1
    first, second = json.loads(res.stdout)
    assert first["written"] is True and second["written"] is False
    assert second["duplicates"][0]["key"] == first["key"]


def test_dry_run_writes_nothing_and_json_has_the_issue_shape(project: Path, web: AddWeb) -> None:
    before = sorted(p.name for p in (project / "bib").iterdir())
    res = run(project, web.site + "/watch", "--dry-run", "--format", "json")
    assert res.exit_code == 0, res.output
    (obj,) = json.loads(res.stdout)
    assert sorted(p.name for p in (project / "bib").iterdir()) == before
    assert {"source", "key", "entry_type", "fields", "provenance", "duplicates", "findings",
            "written"} <= set(obj)
    assert obj["written"] is False
    assert obj["key"] == "rooftopleadership2022deja"
    assert obj["entry_type"] == "video"
    assert obj["fields"]["duration"] == "PT90M"
    assert obj["fields"]["organization"] == "Rooftop Leadership"
    assert obj["provenance"]["date"] == "microdata VideoObject.uploadDate"


def test_refused_pages_exit_1_and_write_nothing(project: Path, web: AddWeb) -> None:
    res = run(project, web.site + "/challenge", web.site + "/old-story")
    assert res.exit_code == 1
    assert "refused " + web.site + "/challenge" in res.output
    assert "N822" in res.output and "N825" in res.output
    assert sorted(p.name for p in (project / "bib").iterdir()) == ["news.bib"]


def test_network_failure_exits_2(project: Path, web: AddWeb) -> None:
    res = run(project, web.farm.refused("127.0.0.24") + "/x")
    assert res.exit_code == 2
    assert "N826" in res.output


def test_unknown_topic_and_bad_source_are_usage_errors(project: Path, web: AddWeb) -> None:
    res = run(project, web.site + "/watch", "--topic", "nope")
    assert res.exit_code == 2
    assert "unknown topic nope" in res.output
    res = run(project, "neither a url nor a doi")
    assert res.exit_code == 2
    assert "is not a web address, a DOI or a file" in res.output


def test_sources_from_stdin_and_suggested_topics(project: Path, web: AddWeb) -> None:
    stdin = f"# reading list\n{web.site}/2023/03/14/what-the-nrf-wants/\n\n"
    res = run(project, "-", stdin=stdin)
    assert res.exit_code == 0, res.output
    assert "added doe2023national" in res.output
    assert "suggested topics: nrf" in res.output


def test_local_pdf_and_html_files(project: Path, web: AddWeb, tmp_path: Path) -> None:
    from addsetup import BARE_PDF

    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(BARE_PDF)
    res = run(project, str(pdf), "--dry-run", "--format", "json")
    assert res.exit_code == 0, res.output
    (obj,) = json.loads(res.stdout)
    assert obj["entry_type"] == "misc"
    assert obj["fields"]["title"] == "The Panjshir Resistance One Year On"
    assert obj["fields"]["pagetotal"] == "3"
    # The same bytes under another name in the same run are a duplicate.
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(BARE_PDF)
    again = run(project, str(pdf), str(copy))
    assert again.exit_code == 1 and "same file (SHA-256)" in again.output
    page = tmp_path / "saved.html"
    page.write_bytes((Path(__file__).parent / "data" / "web" / "og-only.html").read_bytes())
    res = run(project, str(page), "--dry-run", "--format", "json")
    assert res.exit_code == 0, res.output
    (obj,) = json.loads(res.stdout)
    assert obj["fields"]["title"] == "ISIS and the NRF: A Tale of Two Insurgencies"


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_report_matches_golden(project: Path, web: AddWeb, fmt: str) -> None:
    """The whole report of one run over every kind of source (addresses and today's date
    replaced by SITE and TODAY). Regenerate with ``UPDATE_GOLDEN=1``; read the diff."""
    web.registry["crossref"].update(CROSSREF)
    paths = ["/world/2022/sep/08/taliban-nrf-clash-panjshir", "/stories/isis-and-the-nrf",
             "/research/18235-us-has-an-opportunity", "/watch", "/fa/news/1401/panjshir",
             "/challenge", "/old-story", "/story/behind-wall"]
    res = run(project, *(web.site + p for p in paths), "10.1234/jcs.2022.0013", "--dry-run",
              "--format", fmt)
    assert res.exit_code == 1
    assert res.stderr.endswith("6 of 9 sources would be added, 3 refused\n")
    got = (res.stdout.replace(web.site, "SITE").replace(str(project), "PROJECT")
           .replace(dt.date.today().isoformat(), "TODAY"))
    golden = Path(__file__).parent / "golden" / "add" / f"dry-run.{'txt' if fmt == 'text' else 'json'}"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(got, encoding="utf-8")
    assert golden.is_file(), f"no golden file {golden}; run with UPDATE_GOLDEN=1"
    assert got == golden.read_text(encoding="utf-8")
