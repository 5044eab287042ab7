"""Local copies in the web-archiving standard: a WARC file (ISO 28500) per source.

Each HTTP exchange of a download (every redirect hop, then the final answer)
becomes a ``request`` and a ``response`` record, linked by
``WARC-Concurrent-To``; warcio adds ``WARC-Payload-Digest`` and
``WARC-Block-Digest`` (SHA-1, base32, as the archives' CDX indexes expect).
The file is not gzipped: it sits inside a BagIt bag that already checksums it,
and uncompressed records let a digest check name the damaged record instead of
failing the whole decompression.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

WARC_NAME = "source.warc"
# The stored body is decoded, so headers about the transfer encoding would lie.
_TRANSFER_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Exchange:
    """One HTTP request and the response to it, as sent and received."""

    url: str
    method: str
    request_headers: tuple[tuple[str, str], ...]
    status: int
    reason: str
    version: str
    response_headers: tuple[tuple[str, str], ...]
    body: bytes


def exchanges_of(resp: requests.Response, body: bytes) -> list[Exchange]:
    """The exchanges behind a followed response: its redirect hops, then itself with ``body``."""
    out = []
    for r in [*resp.history, resp]:
        req = r.request
        raw_headers = getattr(r.raw, "headers", None)
        headers = list(raw_headers.items()) if raw_headers is not None else list(r.headers.items())
        version = {10: "HTTP/1.0", 11: "HTTP/1.1"}.get(getattr(r.raw, "version", 11), "HTTP/1.1")
        out.append(Exchange(
            url=r.url, method=req.method or "GET",
            request_headers=tuple((k, str(v)) for k, v in req.headers.items()),
            status=r.status_code, reason=r.reason or "", version=version,
            response_headers=tuple((str(k), str(v)) for k, v in headers),
            body=body if r is resp else (r.content or b""),
        ))
    return out


def warc_bytes(exchanges: Sequence[Exchange], when: dt.datetime) -> bytes:
    """A WARC/1.1 file with a request and a response record per exchange, dated ``when``."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False, warc_version="1.1")
    date = when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for ex in exchanges:
        parts = urlsplit(ex.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = [(k, v) for k, v in ex.response_headers if k.lower() not in _TRANSFER_HEADERS]
        headers.append(("Content-Length", str(len(ex.body))))
        response = writer.create_warc_record(
            ex.url, "response", payload=io.BytesIO(ex.body), length=len(ex.body),
            warc_headers_dict={"WARC-Date": date},
            http_headers=StatusAndHeaders(f"{ex.status} {ex.reason}".strip(), headers,
                                          protocol=ex.version))
        request_headers = [("Host", parts.netloc), *((k, v) for k, v in ex.request_headers
                                                      if k.lower() != "host")]
        request = writer.create_warc_record(
            ex.url, "request", payload=io.BytesIO(b""), length=0,
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To":
                               str(response.rec_headers.get_header("WARC-Record-ID"))},
            http_headers=StatusAndHeaders(f"{ex.method} {target} {ex.version}", request_headers,
                                          is_http_request=True))
        writer.write_record(response)
        writer.write_record(request)
    return out.getvalue()


def warc_problems(path: Path) -> list[str]:
    """What is wrong with a WARC file's records: digests that do not match their
    content, or a file that cannot be read as WARC. Empty when all is well."""
    problems: list[str] = []
    try:
        with path.open("rb") as fh:
            records = ArchiveIterator(fh, check_digests=True)
            for record in records:
                stream = record.content_stream()
                while stream.read(_CHUNK):
                    pass
                if record.digest_checker.passed is False:
                    where = (f"{record.rec_type} record at byte {records.get_record_offset()} "
                             f"({record.rec_headers.get_header('WARC-Target-URI')})")
                    problems.append(f"{where}: {'; '.join(_plain(record.digest_checker.problems))}")
    except (ArchiveLoadFailed, ValueError, OSError, EOFError) as exc:
        problems.append(f"not a readable WARC file: {exc}")
    return problems


def _plain(problems: Iterable[object]) -> list[str]:
    return [" ".join(str(p).split()) for p in problems]
