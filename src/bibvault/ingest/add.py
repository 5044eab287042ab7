"""``bibvault add``: a web address, a DOI, a PDF or an HTML file as a candidate record.

:func:`read_source` decides what a source is and reads it: a DOI (bare,
``doi:``, ``https://doi.org/…`` or inside a publisher's address) through
Crossref and DataCite; a web address through the link checker's polite fetcher
(redirects, retries, byte cap, deadline, per-host delay), refused when the site
served something other than the work; a PDF through its own metadata, or the
landing page's when the page links it with ``citation_pdf_url``. :func:`add`
reads every source and hands the candidates to :func:`bibvault.ingest.ingest`.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

import requests

from bibvault.archive.wayback import ArchiveError, closest_capture
from bibvault.config import Config
from bibvault.errors import StageError
from bibvault.findings import Finding, Severity
from bibvault.identity import normalise_doi, video_id
from bibvault.ingest import IngestResult, ingest
from bibvault.ingest.candidate import Candidate
from bibvault.ingest.doi import doi_candidate
from bibvault.ingest.pdf import is_pdf, read_pdf
from bibvault.ingest.rules_add import refusal
from bibvault.ingest.video import merge_oembed, video_from_oembed
from bibvault.ingest.web.charset import decode_html
from bibvault.ingest.web.page import read_page
from bibvault.ingest.web.record import candidate_from_page
from bibvault.ingest.web.refusals import content_refusal, http_refusal
from bibvault.links.classify import title_of
from bibvault.links.fetch import Fetched, Fetcher
from bibvault.net import HostGate

_DOI_HOSTS = frozenset({"doi.org", "dx.doi.org", "www.doi.org"})


class SourceError(StageError, ValueError):
    """A SOURCE argument that is neither an address, a DOI nor a readable file."""


def source_kind(source: str) -> str:
    """``url``, ``doi`` or ``file``; raises :class:`SourceError` for anything else."""
    text = source.strip()
    lowered = text.lower()
    if lowered.startswith(("http://", "https://")):
        host = (urlsplit(text).hostname or "").lower()
        if normalise_doi(text) is not None and (host in _DOI_HOSTS or "/doi/" in lowered):
            return "doi"
        return "url"
    if lowered.startswith("doi:") or (lowered.startswith("10.") and normalise_doi(text)):
        if normalise_doi(text) is None:
            raise SourceError(f"{source!r} is not a DOI")
        return "doi"
    if Path(text).is_file():
        return "file"
    raise SourceError(f"{source!r} is not a web address, a DOI or a file")


@dataclass
class Reader:
    """Reads sources with one fetcher, one configuration and one clock."""

    fetcher: Fetcher
    config: Config
    today: _dt.date
    from_archive: bool = False

    @classmethod
    def create(cls, session: requests.Session, config: Config, *, today: _dt.date,
               from_archive: bool = False, sleep: Callable[[float], None] = time.sleep) -> Reader:
        """A reader whose requests pass one politeness gate, as ``check``'s do."""
        gate = HostGate(config.check.per_host, config.check.host_delay, config.check.concurrency)
        return cls(Fetcher(session, config.check, gate, sleep=sleep), config, today, from_archive)

    def fetch(self, url: str) -> Fetched:
        """GET ``url`` whole, up to the download cap."""
        return self.fetcher.get(url, self.config.archive.max_download_bytes)

    def read(self, source: str) -> Candidate:
        """The candidate record of one source (refused ones carry an error finding)."""
        kind = source_kind(source)
        text = source.strip()
        if kind == "doi":
            doi = normalise_doi(text) or text
            return doi_candidate(doi, source, self.fetch, self.config.ingest, self.today)
        if kind == "file":
            data = Path(text).read_bytes()
            return self._from_bytes(source, "", data, "")
        if self.from_archive:
            return self._from_archive(source, text)
        return self._from_url(source, text)

    def _from_url(self, source: str, url: str) -> Candidate:
        reply = self.fetch(url)
        if reply.error is not None or reply.status is None:
            return _refused(source, "N826", f"could not fetch {url}: {reply.detail or reply.error}")
        refusal = http_refusal(source, url, reply.status, reply.headers, title_of(reply.body),
                               reply.chain)
        if refusal is not None:
            return Candidate(source, findings=[refusal])
        if reply.truncated:
            return _refused(source, "N826", f"{url} is larger than archive.max_download_bytes")
        return self._from_bytes(source, reply.final_url, reply.body,
                                reply.headers.get("content-type", ""))

    def _from_archive(self, source: str, url: str) -> Candidate:
        base = self.config.archive.wayback_url
        try:
            capture = closest_capture(self.fetcher.session, base, url, None, self.fetcher.gate)
        except ArchiveError as exc:
            return _refused(source, "N826", f"{exc}")
        if capture is None:
            return _refused(source, "N830", f"the Web Archive has no capture of {url}")
        raw = f"{base.rstrip('/')}/web/{capture.timestamp}id_/{capture.original}"
        cand = self._from_url(source, raw)
        if cand.refused:
            return cand
        fields = dict(cand.fields)
        if "url" not in cand.provenance or cand.provenance.get("url") == "fetched" \
                or fields.get("url", "").startswith(base.rstrip("/")):
            fields["url"] = url
            cand.provenance["url"] = "the address given"
        fields["archiveurl"] = capture.url(base)
        fields["archivedate"] = capture.date.isoformat()
        cand.provenance["archiveurl"] = cand.provenance["archivedate"] = "Web Archive CDX"
        return dataclasses.replace(cand, fields=fields)

    def _from_bytes(self, source: str, url: str, data: bytes, ctype: str) -> Candidate:
        if is_pdf(data) or "pdf" in ctype.lower():
            return self._from_pdf(source, url, data)
        if ctype and not any(t in ctype.lower() for t in ("html", "xml", "text/plain")):
            return _refused(source, "N828", f"{url or source} is {ctype.split(';')[0]}, "
                            "not an HTML page or a PDF")
        text, _ = decode_html(data, ctype)
        page = read_page(text, url or Path(source).resolve().as_uri())
        if not url:
            page.url = ""
        refusal = content_refusal(source, page)
        if refusal is not None:
            given = source.strip()
            if refusal.code == "N823" and video_id(given):
                # YouTube shows European visitors a consent page; oEmbed still answers.
                video = video_from_oembed(source, given, self._oembed(given), self.today)
                if video is not None:
                    return video
            return Candidate(source, findings=[refusal])
        cand, pdf_url = candidate_from_page(page, source, self.today)
        if cand.entry_type == "video" and video_id(cand.fields.get("url", "")):
            cand = merge_oembed(cand, self._oembed(cand.fields["url"]))
        if pdf_url and pdf_url.startswith(("http://", "https://")):
            cand = self._with_linked_pdf(cand, pdf_url)
        return _checked(cand)

    def _oembed(self, url: str) -> Fetched:
        return self.fetch(f"{self.config.ingest.oembed_url}?url={quote(url, safe='')}&format=json")

    def _with_linked_pdf(self, cand: Candidate, pdf_url: str) -> Candidate:
        """The landing page's record, with the page count and checksum of its PDF."""
        reply = self.fetch(pdf_url)
        if reply.error is not None or reply.status != 200 or not is_pdf(reply.body):
            cand.findings.append(Finding("N828", Severity.INFO, f"the linked PDF {pdf_url} "
                                         "could not be read; pagetotal is unknown", file=cand.source))
            return cand
        info = read_pdf(reply.body)
        if info.pagetotal:
            cand.fields["pagetotal"] = str(info.pagetotal)
            cand.provenance["pagetotal"] = "citation_pdf_url (page count)"
            if cand.entry_type == "report":
                cand.fields.setdefault("howpublished", "PDF")
                cand.provenance.setdefault("howpublished", "citation_pdf_url")
        cand.sha256 = info.sha256
        return cand

    def _from_pdf(self, source: str, url: str, data: bytes) -> Candidate:
        info = read_pdf(data)
        if info.error:
            return _refused(source, "N828", f"{url or source}: {info.error}")
        if info.doi is not None:
            cand = doi_candidate(info.doi[0], source, self.fetch, self.config.ingest, self.today)
            if not cand.refused:
                cand.type_reason += f"; the DOI of the PDF ({info.doi[1]})"
                cand.provenance["doi"] = info.doi[1]
                if info.pagetotal:
                    cand.fields.setdefault("pagetotal", str(info.pagetotal))
                    cand.provenance.setdefault("pagetotal", "PDF page count")
                cand.sha256 = info.sha256
                return cand
        etype = "online" if url else "misc"
        cand = Candidate(source, entry_type=etype, sha256=info.sha256,
                         type_reason="a PDF without a DOI or a landing page")
        for name, pair in (("title", info.title), ("date", info.date)):
            if pair:
                cand.fields[name], cand.provenance[name] = pair
        if info.authors:
            cand.creators["author"], cand.provenance["author"] = info.authors
        if info.pagetotal:
            cand.fields["pagetotal"], cand.provenance["pagetotal"] = str(info.pagetotal), "PDF page count"
        cand.fields["howpublished"], cand.provenance["howpublished"] = "PDF", "the file's format"
        if url:
            host = (urlsplit(url).hostname or "").removeprefix("www.")
            cand.fields["organization"], cand.provenance["organization"] = host, "host"
            cand.fields["url"], cand.provenance["url"] = url, "fetched"
            cand.fields["urldate"], cand.provenance["urldate"] = self.today.isoformat(), \
                "the day it was read"
        return _checked(cand)


def _refused(source: str, code: str, message: str) -> Candidate:
    return Candidate(source, findings=[refusal(code, message, source)])


def _checked(cand: Candidate) -> Candidate:
    """The candidate, refused when nothing in the source gave it a title."""
    if not cand.fields.get("title"):
        cand.findings.append(refusal("N829", "no title found: nothing to cite", cand.source))
    return cand


def add(sources: Sequence[str], config: Config, session: requests.Session, *,
        topics: Sequence[str] = (), dry_run: bool = False, force: bool = False,
        from_archive: bool = False, today: _dt.date | None = None,
        sleep: Callable[[float], None] = time.sleep) -> list[IngestResult]:
    """Read every source and bring the records in (see :func:`bibvault.ingest.ingest`).

    Raises :class:`SourceError` for a source that is no address, DOI or file,
    before anything is fetched, and OSError when a file cannot be read.
    """
    for s in sources:
        source_kind(s)
    day = today or _dt.date.today()
    reader = Reader.create(session, config, today=day, from_archive=from_archive, sleep=sleep)
    candidates = [reader.read(s) for s in sources]
    return ingest(candidates, config, topics=topics, dry_run=dry_run, force=force, today=day)
