"""The pages and registry records the ``add`` tests serve, and a reader over them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import requests

from addweb import AddWeb, Route, make_pdf, page_bytes, running_addweb
from bibvault.config import ArchiveConfig, CheckConfig, Config, IngestConfig
from bibvault.ingest.add import Reader
from bibvault.net import make_session

TODAY = dt.date(2026, 12, 1)
VIDEO_URL = "https://www.youtube.com/watch?v=Zq3aXk9R2tE"

MEMO_PDF = make_pdf(["Policy Memo", "Luke Coffey"], 11,
                    {"/Title": "Microsoft Word - NRF memo final.docx", "/Author": "lcoffey",
                     "/CreationDate": "D:20220912180000-04'00'"})
BARE_PDF = make_pdf(["The Panjshir Resistance One Year On", "Working paper"], 3,
                    {"/Title": "The Panjshir Resistance One Year On",
                     "/Author": "Jane Doe; John Roe",
                     "/CreationDate": "D:20220908233000-04'00'"})
DOI_PDF = make_pdf(["Resistance in the Hindu Kush", "https://doi.org/10.1234/jcs.2022.0013"], 2)


def install(web: AddWeb) -> None:
    """Serve every page and registry record the tests use."""
    base = web.site
    html = "text/html; charset=utf-8"
    r = web.routes
    r["/world/2022/sep/08/taliban-nrf-clash-panjshir"] = Route(page_bytes("news-jsonld.html", base))
    r["/2023/03/14/what-the-nrf-wants/"] = Route(page_bytes("yoast-graph.html", base))
    r["/stories/isis-and-the-nrf"] = Route(page_bytes("og-only.html", base))
    r["/research/18235-us-has-an-opportunity"] = Route(page_bytes("report.html", base))
    r["/files/coffey-nrf-memo.pdf"] = Route(MEMO_PDF, ctype="application/pdf")
    r["/papers/panjshir-one-year.pdf"] = Route(BARE_PDF, ctype="application/pdf")
    r["/papers/hindu-kush.pdf"] = Route(DOI_PDF, ctype="application/pdf")
    r["/news/massoud-calls-for-talks/amp"] = Route(page_bytes("amp.html", base))
    r["/watch"] = Route(page_bytes("video.html", base))
    r["/fa/news/1401/panjshir"] = Route(page_bytes("cp1256.html", base), ctype="text/html")
    r["/consent"] = Route(page_bytes("consent.html", base), ctype=html)
    r["/story/behind-wall"] = Route(b"/consent?continue=story", status=302)
    r["/challenge"] = Route(page_bytes("challenge.html", base), status=403, ctype=html,
                            headers={"Server": "cloudflare"})
    r["/challenge-503"] = Route(page_bytes("challenge.html", base), status=503, ctype=html)
    r["/old-story"] = Route(page_bytes("soft404.html", base), ctype=html)
    r["/premium/story"] = Route(b"/account/login?next=/premium/story", status=302)
    r["/account/login"] = Route(page_bytes("login.html", base), ctype=html)
    r["/gone"] = Route(b"<html><head><title>Gone</title></head></html>", status=410)
    r["/data.zip"] = Route(b"PK\x03\x04", ctype="application/zip")
    web.registry["oembed"][VIDEO_URL] = {
        "title": "Deja Vu All Over Again: Interview with Ahmad Massoud, Congressman Mike Waltz "
                 "and Legend", "author_name": "Rooftop Leadership",
        "author_url": "https://www.youtube.com/@RooftopLeadership", "type": "video",
        "provider_name": "YouTube", "provider_url": "https://www.youtube.com/", "version": "1.0"}


def served_web() -> Iterator[AddWeb]:
    """A running :mod:`addweb` farm with every page installed (for a module fixture)."""
    for w in running_addweb():
        install(w)
        yield w


def config(web: AddWeb) -> Config:
    """A configuration whose endpoints are the farm's, with no politeness delays."""
    return Config(check=CheckConfig(host_delay=0.0, retries=1, backoff=0.0, connect_timeout=2,
                                    read_timeout=5, request_deadline=10),
                  archive=ArchiveConfig(wayback_url=web.archive),
                  ingest=IngestConfig(crossref_url=web.api, datacite_url=web.api,
                                      oembed_url=web.api + "/oembed"))


def reader(web: AddWeb, session: requests.Session | None = None, **kw: object) -> Reader:
    """A reader over the farm with the test's clock."""
    return Reader.create(session or make_session(), config(web), today=TODAY,
                         sleep=lambda s: None, **kw)  # type: ignore[arg-type]
