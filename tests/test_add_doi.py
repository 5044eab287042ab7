"""DOIs through fake Crossref and DataCite endpoints: every field of every record."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from addsetup import DOI_PDF, TODAY, reader
from addweb import AddWeb, Route, running_addweb
from bibvault.ingest.add import SourceError, source_kind
from bibvault.ingest.candidate import Creator

DAY = TODAY.isoformat()


def work(doi: str, kind: str, **more: Any) -> dict[str, Any]:
    """A Crossref ``message`` as the REST API returns it (the fields bibvault reads, and noise)."""
    return {"DOI": doi, "type": kind, "prefix": doi.split("/")[0], "member": "9999",
            "publisher": "Example Press", "URL": f"https://doi.org/{doi}",
            "reference-count": 12, "is-referenced-by-count": 3, "score": 1,
            "indexed": {"date-parts": [[2026, 11, 30]]}, "created": {"date-parts": [[2020, 1, 1]]},
            **more}


CROSSREF = {
    "10.1234/jcs.2022.0013": work(
        "10.1234/jcs.2022.0013", "journal-article",
        title=["Resistance in the Hindu Kush"], subtitle=["The NRF after the fall of Panjshir"],
        author=[{"given": "Jane", "family": "Doe", "sequence": "first", "affiliation": []},
                {"given": "John", "family": "Roe", "sequence": "additional", "affiliation": []}],
        **{"container-title": ["Journal of Conflict Studies"], "volume": "12", "issue": "3",
           "page": "45-67", "issued": {"date-parts": [[2022, 9, 13]]},
           "published-print": {"date-parts": [[2022, 10]]}}),
    "10.5555/rr-a1234-1": work(
        "10.5555/RR-A1234-1", "report", publisher="RAND Corporation",
        title=["Afghanistan's Armed Opposition"],
        author=[{"given": "Seth G.", "family": "Jones", "sequence": "first"}],
        institution=[{"name": "RAND Corporation"}], issued={"date-parts": [[2023, 2, 7]]},
        resource={"primary": {"URL": "https://www.rand.org/pubs/research_reports/RRA1234-1.html"}}),
    "10.31235/osf.io/x7k2p": work(
        "10.31235/osf.io/x7k2p", "posted-content", subtype="preprint",
        title=["Mapping Anti-Taliban Armed Groups, 2021-2023"], publisher="Center for Open Science",
        author=[{"given": "Ahmad", "family": "Sultani", "sequence": "first"}],
        institution=[{"name": "SocArXiv"}], posted={"date-parts": [[2023, 5, 2]]},
        issued={"date-parts": [[2023, 5, 2]]},
        resource={"primary": {"URL": "https://osf.io/preprints/socarxiv/x7k2p"}}),
    "10.1234/jcs.2021.0007": work(
        "10.1234/jcs.2021.0007", "journal-article",
        title=["The <jats:italic>Taliban</jats:italic> and the H<jats:sub>2</jats:sub>O "
               "Question: Water &amp; Power in <jats:sc>Afghanistan</jats:sc>"],
        author=[{"given": "Farid", "family": "Ahmadi", "sequence": "first"}],
        **{"container-title": ["Journal of Conflict Studies"], "volume": "11",
           "issue": "1", "issued": {"date-parts": [[2021, 3, 1]]}}),
    "10.1234/icg.2022.326": work(
        "10.1234/icg.2022.326", "report", publisher="International Crisis Group",
        title=["Afghanistan's Security Challenges under the Taliban"],
        author=[{"name": "International Crisis Group", "sequence": "first", "affiliation": []}],
        issued={"date-parts": [[2022, 8, 12]]}),
    "10.1234/jcs.2021.0099": work(
        "10.1234/jcs.2021.0099", "journal-article", title=["Panjshir in Winter"],
        author=[{"given": "Jane", "family": "Doe", "sequence": "first"}],
        **{"container-title": ["Journal of Conflict Studies"], "issued": {"date-parts": [[2021]]},
           "published-online": {"date-parts": [[2021, 12]]}}),
}
DATACITE = {
    "10.48550/arxiv.2209.01234": {
        "doi": "10.48550/arxiv.2209.01234", "url": "https://arxiv.org/abs/2209.01234",
        "titles": [{"title": "Remote Sensing of Conflict in the Panjshir Valley"}],
        "creators": [{"name": "Noor, Laila", "nameType": "Personal", "givenName": "Laila",
                      "familyName": "Noor"},
                     {"name": "Conflict Observatory", "nameType": "Organizational"}],
        "publisher": "arXiv", "publicationYear": 2022,
        "dates": [{"date": "2022-09-02", "dateType": "Submitted"},
                  {"date": "2022-09", "dateType": "Issued"}],
        "types": {"resourceTypeGeneral": "Preprint", "resourceType": "Article"}},
}


@pytest.fixture(scope="module")
def web() -> Iterator[AddWeb]:
    for w in running_addweb():
        w.registry["crossref"].update(CROSSREF)
        w.registry["datacite"].update(DATACITE)
        yield w


def test_journal_article(web: AddWeb) -> None:
    c = reader(web).read("https://doi.org/10.1234/JCS.2022.0013")
    assert c.findings == []
    assert (c.entry_type, c.type_reason) == ("article", "Crossref type journal-article")
    assert c.fields == {
        "title": "Resistance in the Hindu Kush", "subtitle": "The NRF after the fall of Panjshir",
        "date": "2022-09-13", "doi": "10.1234/jcs.2022.0013",
        "journaltitle": "Journal of Conflict Studies", "volume": "12", "number": "3",
        "pages": "45-67"}
    assert c.creators == {"author": [Creator("Doe", "Jane"), Creator("Roe", "John")]}
    assert c.provenance["title"] == "crossref title"
    assert c.provenance["number"] == "crossref issue"


def test_report(web: AddWeb) -> None:
    c = reader(web).read("doi:10.5555/RR-A1234-1")
    assert c.findings == []
    assert (c.entry_type, c.type_reason) == ("report", "Crossref type report")
    assert c.fields == {
        "title": "Afghanistan's Armed Opposition", "date": "2023-02-07",
        "doi": "10.5555/RR-A1234-1", "institution": "RAND Corporation", "type": "Report",
        "url": "https://www.rand.org/pubs/research_reports/RRA1234-1.html", "urldate": DAY}
    assert c.creators == {"author": [Creator("Jones", "Seth G.")]}


def test_posted_preprint(web: AddWeb) -> None:
    c = reader(web).read("10.31235/osf.io/x7k2p")
    assert c.findings == []
    assert (c.entry_type, c.type_reason) == ("online", "Crossref type posted-content (preprint)")
    assert c.fields == {
        "title": "Mapping Anti-Taliban Armed Groups, 2021-2023", "date": "2023-05-02",
        "doi": "10.31235/osf.io/x7k2p", "organization": "SocArXiv", "pubstate": "prepublished",
        "url": "https://osf.io/preprints/socarxiv/x7k2p", "urldate": DAY}
    assert c.creators == {"author": [Creator("Sultani", "Ahmad")]}


def test_jats_markup_in_title(web: AddWeb) -> None:
    c = reader(web).read("https://www.example-journals.org/doi/full/10.1234/jcs.2021.0007")
    assert c.findings == []
    assert c.fields["title"] == "The Taliban and the H2O Question: Water & Power in Afghanistan"
    assert c.fields == {
        "title": "The Taliban and the H2O Question: Water & Power in Afghanistan",
        "date": "2021-03-01", "doi": "10.1234/jcs.2021.0007",
        "journaltitle": "Journal of Conflict Studies", "volume": "11", "number": "1"}


def test_organisation_author(web: AddWeb) -> None:
    c = reader(web).read("10.1234/icg.2022.326")
    assert c.findings == []
    assert c.entry_type == "report"
    assert c.creators == {"author": [Creator(literal="International Crisis Group")]}
    assert c.fields == {
        "title": "Afghanistan's Security Challenges under the Taliban", "date": "2022-08-12",
        "doi": "10.1234/icg.2022.326", "institution": "International Crisis Group",
        "type": "Report"}


def test_partial_date_stays_partial(web: AddWeb) -> None:
    c = reader(web).read("10.1234/jcs.2021.0099")
    assert c.fields["date"] == "2021"
    assert c.fields == {"title": "Panjshir in Winter", "date": "2021",
                        "doi": "10.1234/jcs.2021.0099",
                        "journaltitle": "Journal of Conflict Studies"}


def test_datacite_when_crossref_does_not_know_the_doi(web: AddWeb) -> None:
    c = reader(web).read("10.48550/arXiv.2209.01234")
    assert c.findings == []
    assert (c.entry_type, c.type_reason) == ("online", "DataCite resourceTypeGeneral Preprint")
    assert c.fields == {
        "title": "Remote Sensing of Conflict in the Panjshir Valley", "date": "2022-09",
        "doi": "10.48550/arxiv.2209.01234", "organization": "arXiv",
        "pubstate": "prepublished", "url": "https://arxiv.org/abs/2209.01234", "urldate": DAY}
    assert c.creators == {"author": [Creator("Noor", "Laila"),
                                     Creator(literal="Conflict Observatory")]}
    works = [h.path for h in web.farm.log.hits if "arxiv" in h.path.lower()]
    assert works == ["/works/10.48550/arxiv.2209.01234", "/dois/10.48550/arxiv.2209.01234"]


def test_doi_that_does_not_exist(web: AddWeb) -> None:
    c = reader(web).read("10.9999/no.such.doi")
    assert c.refused
    assert [f.code for f in c.findings] == ["N827"]
    assert c.findings[0].message == ("DOI 10.9999/no.such.doi does not exist (Crossref and "
                                     "DataCite do not know it)")


def test_pdf_with_a_doi_takes_the_registry_record(web: AddWeb) -> None:
    web.routes["/papers/hindu-kush.pdf"] = Route(DOI_PDF, ctype="application/pdf")
    c = reader(web).read(web.site + "/papers/hindu-kush.pdf")
    assert c.findings == []
    assert c.type_reason == "Crossref type journal-article; the DOI of the PDF (PDF first pages)"
    assert c.fields["doi"] == "10.1234/jcs.2022.0013"
    assert c.fields["pagetotal"] == "2"
    assert c.provenance["doi"] == "PDF first pages"
    assert c.sha256 is not None


@pytest.mark.parametrize("text, kind", [
    ("10.1234/abc", "doi"), ("doi:10.1234/abc", "doi"), ("https://doi.org/10.1234/abc", "doi"),
    ("https://dx.doi.org/10.1234/abc", "doi"),
    ("https://www.tandfonline.com/doi/full/10.1080/0963.2022.1", "doi"),
    ("https://example.org/story", "url"),
])
def test_source_kinds(text: str, kind: str) -> None:
    assert source_kind(text) == kind


@pytest.mark.parametrize("text", ["doi:nonsense", "not a thing", "/no/such/file.pdf"])
def test_unknown_sources_are_usage_errors(text: str) -> None:
    with pytest.raises(SourceError):
        source_kind(text)
