"""A loopback web for ``bibvault add``: pages modelled on real sites, and fake
Crossref, DataCite and oEmbed endpoints. Built on :mod:`webfarm`'s servers.

Pages live in ``tests/data/web``; ``{BASE}`` in a page is replaced by the
site's base URL when it is served, so canonical links point back into the farm.
"""

from __future__ import annotations

import io
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from pypdf import PdfWriter

from webfarm import ArchiveHandler, Base, Capture, Farm

DATA = Path(__file__).parent / "data" / "web"


@dataclass
class Route:
    """What one path answers."""

    body: bytes
    status: int = 200
    ctype: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    first: Route | None = None  # answered to the first request only (a 429, a 503)
    hits: int = 0


class PagesHandler(Base):
    """Serves ``state["routes"]`` by path (query included when a route names one)."""

    def route(self) -> None:
        self._hit()
        routes: dict[str, Route] = self.server.state["routes"]
        r = routes.get(self.path) or routes.get(urlsplit(self.path).path)
        if r is None:
            self.send(404, b"<html><head><title>404 Not Found</title></head></html>")
            return
        r.hits += 1
        if r.first is not None and r.hits == 1:
            r = r.first
        if r.status in (301, 302, 303, 307, 308):
            self.send(r.status, b"", headers={"Location": r.body.decode(), **r.headers})
            return
        self.send(r.status, r.body, r.ctype, r.headers)


class ApiHandler(Base):
    """Crossref ``/works/{doi}``, DataCite ``/dois/{doi}`` and oEmbed ``/oembed``."""

    def route(self) -> None:
        self._hit()
        st = self.server.state
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        if path.startswith("/works/"):
            found = st["crossref"].get(path[len("/works/"):].lower())
            body = {"status": "ok", "message-type": "work", "message": found}
        elif path.startswith("/dois/"):
            found = st["datacite"].get(path[len("/dois/"):].lower())
            body = {"data": {"id": path[6:], "type": "dois", "attributes": found}}
        elif path == "/oembed":
            found = st["oembed"].get(parse_qs(parts.query).get("url", [""])[0])
            body = found
        else:
            found = body = None
        if found is None:
            self.send(404, b"Resource not found.", "text/plain")
            return
        self.send(200, json.dumps(body).encode(), "application/json")


class ReplayHandler(ArchiveHandler):
    """The fake Web Archive of :mod:`webfarm`, also replaying captures (``/web/TSid_/URL``)."""

    def route(self) -> None:
        if not self.path.startswith("/web/"):
            super().route()
            return
        self._hit()
        stamp, _, original = self.path[len("/web/"):].partition("/")
        body = self.server.state["replays"].get((stamp.removesuffix("id_"), original))
        if body is None:
            self.send(404, b"<html><head><title>Wayback Machine</title></head></html>")
        else:
            self.send(200, body)


def page_bytes(name: str, base: str) -> bytes:
    """A fixture page with ``{BASE}`` replaced (pages in other encodings: bytes replaced)."""
    return (DATA / name).read_bytes().replace(b"{BASE}", base.encode())


def _text_page_pdf(lines: list[str], pages: int) -> bytes:
    """A small valid PDF whose first page shows ``lines`` (so text extraction finds them)."""
    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    text = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({esc(ln)}) '" for ln in lines) + " ET"
    stream = zlib.compress(text.encode("latin-1"))
    objs = [b"<</Type/Catalog/Pages 2 0 R>>",
            b"<</Type/Pages/Kids[" + b" ".join(f"{4 + i} 0 R".encode() for i in range(pages))
            + f"]/Count {pages}>>".encode(),
            b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>"]
    content_num = 4 + pages
    for i in range(pages):
        contents = f"/Contents {content_num} 0 R" if i == 0 else ""
        objs.append(f"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Resources<</Font<</F1 3 0 R>>>>"
                    f"{contents}>>".encode())
    objs.append(b"<</Length " + str(len(stream)).encode() + b"/Filter/FlateDecode>>stream\n"
                + stream + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, obj in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(f"{n} 0 obj\n".encode() + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    out.write(b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets))
    out.write(f"trailer<</Size {len(objs) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def make_pdf(lines: list[str], pages: int, info: dict[str, str] | None = None) -> bytes:
    """A PDF of ``pages`` pages with ``lines`` of text on the first and an info dictionary."""
    writer = PdfWriter(clone_from=io.BytesIO(_text_page_pdf(lines, pages)))
    if info:
        writer.add_metadata(info)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


@dataclass
class AddWeb:
    """The running farm: ``site`` serves pages, ``api`` the registries; ``routes`` editable."""

    farm: Farm
    site: str
    api: str
    routes: dict[str, Route]
    registry: dict[str, dict[str, Any]]
    archive: str = ""
    replays: dict[tuple[str, str], bytes] = field(default_factory=dict)

    def capture(self, url: str, timestamp: str, body: bytes) -> None:
        """Put a capture of ``url`` with this ``body`` into the fake archive."""
        self.farm.archive_state.captures.setdefault(url, []).append(Capture(timestamp))
        self.replays[(timestamp, url)] = body


def running_addweb() -> Iterator[AddWeb]:
    """Yields a farm: a site on 127.0.0.21, the registries on .22, the Web Archive on .25."""
    farm = Farm()
    routes: dict[str, Route] = {}
    registry: dict[str, dict[str, Any]] = {"crossref": {}, "datacite": {}, "oembed": {}}
    try:
        site = farm.serve("127.0.0.21", PagesHandler, {"routes": routes})
        api = farm.serve("127.0.0.22", ApiHandler, registry)
        replays: dict[tuple[str, str], bytes] = {}
        archive = farm.serve("127.0.0.25", ReplayHandler,
                             {"archive": farm.archive_state, "replays": replays})
        yield AddWeb(farm, site, api, routes, registry, archive, replays)
    finally:
        farm.stop()
