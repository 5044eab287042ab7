"""A local web of servers for the link checker and archiver tests.

Every site listens on its own loopback address (127.0.0.2, 127.0.0.3, …), so
politeness is per host as it would be on the web. Servers log each request's
arrival time, so tests can check politeness from the servers' side. Nothing
here reaches beyond loopback.
"""

from __future__ import annotations

import datetime
import email.utils
import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

PDF_BYTES = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
             b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
HUGE_SIZE = 2 * 1024**3


def page(title: str, body: str = "") -> bytes:
    """A small HTML page."""
    return (f"<!doctype html><html><head><title>{title}</title></head>"
            f"<body><h1>{title}</h1>{body}</body></html>").encode()


@dataclass
class Hit:
    """One request as a server saw it."""

    at: float
    host: str
    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""
    client_port: int = 0


@dataclass
class Log:
    """Requests seen by all servers of a farm, thread-safe."""

    hits: list[Hit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    counters: dict[str, int] = field(default_factory=dict)
    active: dict[str, int] = field(default_factory=dict)
    max_active: dict[str, int] = field(default_factory=dict)

    def enter(self, host: str) -> None:
        with self.lock:
            self.active[host] = self.active.get(host, 0) + 1
            self.max_active[host] = max(self.max_active.get(host, 0), self.active[host])

    def leave(self, host: str) -> None:
        with self.lock:
            self.active[host] -= 1

    def add(self, hit: Hit) -> int:
        with self.lock:
            self.hits.append(hit)
            n = self.counters.get(hit.host + hit.path, 0) + 1
            self.counters[hit.host + hit.path] = n
            return n

    def for_host(self, host: str) -> list[Hit]:
        with self.lock:
            return [h for h in self.hits if h.host == host]

    def count(self, host: str | None = None, path: str | None = None) -> int:
        with self.lock:
            return sum(1 for h in self.hits if (host is None or h.host == host)
                       and (path is None or h.path == path))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr: tuple[str, int], handler: type, farm: Farm, state: Any) -> None:
        super().__init__(addr, handler)
        self.farm = farm
        self.state = state

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hang up on purpose (body caps, deadlines)


class Base(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    _entered: str | None = None  # the host whose in-flight count this request holds

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _hit(self) -> tuple[int, bytes]:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        n = self.server.farm.log.add(Hit(time.monotonic(), self.server.server_address[0],
                                         self.command, self.path, dict(self.headers), body,
                                         self.client_address[1]))
        return n, body

    def send(self, status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8",
             headers: dict[str, str] | None = None) -> None:
        self._leave()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _leave(self) -> None:
        """Count this request as done once its answer starts (not after its last byte):
        the client may have the answer and send its next request before this thread
        runs again, and the farm would then count one request too many in flight."""
        host = self._entered
        if host is not None:
            self._entered = None
            self.server.farm.log.leave(host)

    def redirect(self, status: int, location: str) -> None:
        self.send(status, b"", headers={"Location": location})

    def do_HEAD(self) -> None:
        self.route()

    def do_GET(self) -> None:
        self.route()

    def do_POST(self) -> None:
        self.route()

    def route(self) -> None:
        raise NotImplementedError


_Base = Base  # the name it had before other test webs subclassed it


class SiteHandler(Base):
    """Serves every case the link checker must tell apart, by path."""

    def route(self) -> None:
        host = self.server.server_address[0]
        self.server.farm.log.enter(host)
        self._entered = host
        try:
            self._route()
        finally:
            self._leave()

    def _route(self) -> None:
        n, _ = self._hit()
        delay = self.server.state.get("delay", 0.0)
        if delay:
            time.sleep(delay)
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        head = self.command == "HEAD"
        simple: dict[str, Callable[[], None]] = {
            "/": lambda: self.send(200, page("Home")),
            "/ok": lambda: self.send(200, page("A fine article")),
            "/ok.txt": lambda: self.send(200, b"plain text", "text/plain"),
            "/paper.pdf": lambda: self.send(200, PDF_BYTES, "application/pdf"),
            "/moved": lambda: self.redirect(301, "/ok"),
            "/chain301": lambda: self.redirect(301, "/chain301-b"),
            "/chain301-b": lambda: self.redirect(308, "/ok"),
            "/chain302": lambda: self.redirect(302, "/chain302-b"),
            "/chain302-b": lambda: self.redirect(307, "/ok"),
            "/mixed": lambda: self.redirect(301, "/mixed-new"),
            "/mixed-new": lambda: self.redirect(302, "/ok"),
            "/loop-a": lambda: self.redirect(302, "/loop-b"),
            "/loop-b": lambda: self.redirect(302, "/loop-a"),
            "/endless": lambda: self.redirect(302, f"/endless?n={int(query.get('n', ['0'])[0]) + 1}"),
            "/missing": lambda: self.send(404, page("Not Found")),
            "/gone": lambda: self.send(410, page("Gone")),
            "/soft-home": lambda: self.redirect(302, "/"),
            "/soft-path": lambda: self.redirect(302, "/errors/404.html"),
            "/errors/404.html": lambda: self.send(200, page("Oops")),
            "/soft-title": lambda: self.send(200, page("Page Not Found")),
            "/forbidden": lambda: self.send(403, page("Forbidden")),
            "/auth": lambda: self.send(401, page("Login")),
            "/nine": lambda: self.send(999, b"", "text/plain"),
            "/challenge": lambda: self.send(503, page("Just a moment..."),
                                            headers={"cf-mitigated": "challenge"}),
            "/limited": lambda: self.send(429, b"slow down", "text/plain",
                                          headers={"Retry-After": "1"}),
            "/limited-long": lambda: self.send(429, b"slow down", "text/plain",
                                               headers={"Retry-After": "3600"}),
            "/teapot": lambda: self.send(418, b"", "text/plain"),
            "/broken": lambda: self.send(500, b"", "text/plain"),
            "/to": lambda: self.redirect(302, query.get("u", ["/"])[0]),
        }
        pages = self.server.farm.pages
        if path in pages:
            body, ctype = pages[path]
            self.send(200, body, ctype)
        elif path in simple:
            simple[path]()
        elif path in ("/head-405", "/head-405.pdf"):
            if head:
                self.send(405, b"")
            elif path.endswith(".pdf"):
                self.send(200, PDF_BYTES, "application/pdf")
            else:
                self.send(200, page("GET only"))
        elif path == "/recovers":
            # HEAD always fails; the first two GETs get 503, the third succeeds.
            if head or self._gets(path) <= 2:
                self.send(503, b"", "text/plain")
            else:
                self.send(200, page("Back"))
        elif path == "/limited-once":
            if n == 1:
                self.send(429, b"", "text/plain", headers={"Retry-After": "0"})
            else:
                self.send(200, page("Thanks for waiting"))
        elif path == "/dribble":
            if head:
                self.send(405, b"")
            else:
                self._dribble()
        elif path == "/huge":
            self._huge()
        else:
            self.send(404, page("Not Found"))

    def _gets(self, path: str) -> int:
        host = self.server.server_address[0]
        return sum(1 for h in self.server.farm.log.for_host(host) if h.path == path and h.method == "GET")

    def _dribble(self) -> None:
        body = b" " * 400 + page("Slow")  # the title comes late, so only a deadline helps
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            for i in range(len(body)):
                self.wfile.write(body[i:i + 1])
                self.wfile.flush()
                time.sleep(0.02)
        except OSError:
            return

    def _huge(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(HUGE_SIZE))
        self.end_headers()
        if self.command == "HEAD":
            return
        chunk = b"<!-- padding -->" * 4096
        sent = 0
        try:
            self.wfile.write(b"<html><head><title>Big")  # no closing tag: the cap must stop us
            while sent < HUGE_SIZE:
                self.wfile.write(chunk)
                sent += len(chunk)
        except OSError:
            self.close_connection = True


@dataclass
class Capture:
    """One capture in the fake Web Archive.

    Its memento (``/web/<timestamp>/<url>``) is replayed with ``statuscode``,
    ``body`` (else a page titled ``title``), and Memento headers naming ``original``
    (default: the URL it is filed under) unless ``memento_headers`` is false. The raw
    form (``/web/<timestamp>id_/<url>``) gives ``body`` alone, or 404 without one.
    """

    timestamp: str
    statuscode: str = "200"
    mimetype: str = "text/html"
    body: bytes | None = None  # what /web/<timestamp>/<url> replays; None: not replayable
    title: str = "An archived page"
    original: str = ""
    memento_headers: bool = True


def http_date(timestamp: str) -> str:
    """``Wed, 01 Sep 2021 08:30:00 GMT`` for ``20210901083000``."""
    t = timestamp.ljust(14, "0")
    when = datetime.datetime(int(t[0:4]), int(t[4:6]), int(t[6:8]), int(t[8:10]), int(t[10:12]),
                             int(t[12:14]), tzinfo=datetime.UTC)
    return email.utils.format_datetime(when, usegmt=True)


@dataclass
class ArchiveState:
    """What the fake Web Archive knows and how it behaves, editable by tests."""

    captures: dict[str, list[Capture]] = field(default_factory=dict)
    # url → behaviour of /save: "ok", "pending:N", "error-200", "daily-limit", "http-500",
    # "echo" (an error whose message repeats the request headers)
    save_behaviour: dict[str, str] = field(default_factory=dict)
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    credentials: tuple[str, str] = ("test-access", "test-secret")
    now: str = "20261121120000"
    down: bool = False
    ignore_filter: bool = False  # a CDX server that lists captured errors whatever it is asked


class ArchiveHandler(Base):
    """Speaks enough of the CDX server API and Save Page Now 2 for the archiver."""

    def route(self) -> None:
        _, body = self._hit()
        st: ArchiveState = self.server.state["archive"]
        parts = urlsplit(self.path)
        if st.down:
            self.send(503, page("Service Unavailable"))
        elif parts.path.startswith("/timemap/link/"):
            self.send(404, b"", "text/plain")  # the archives behind it have nothing either
        elif parts.path.startswith("/web/"):
            self._memento(st)
        elif parts.path == "/cdx/search/cdx":
            self._cdx(st, parse_qs(parts.query))
        elif parts.path == "/save" and self.command == "POST":
            self._save(st, parse_qs(body.decode()))
        elif parts.path.startswith("/save/status/"):
            self._status(st, parts.path.rsplit("/", 1)[1])
        else:
            self.send(404, b"")

    def _json(self, obj: Any, status: int = 200) -> None:
        self.send(status, json.dumps(obj).encode(), "application/json")

    def _memento(self, st: ArchiveState) -> None:
        """Replay as the Wayback Machine does: the capture at the timestamp, else a
        redirect to the nearest one, else 404 without Memento headers."""
        m = re.match(r"/web/([0-9]{4,14})(id_)?/(.+)", self.path)
        captures = st.captures.get(m.group(3), []) if m else []
        if m is None or not captures:
            self.send(404, page("Wayback Machine has not archived that URL"))
            return
        stamp, raw, url = m.group(1), bool(m.group(2)), m.group(3)
        if raw:
            # The id_ form replays the captured bytes themselves; a capture made
            # without a body has none to give.
            found = [c for c in captures if c.timestamp == stamp and c.body is not None]
            if not found or found[0].body is None:
                self.send(404, b"")
            else:
                self.send(200, found[0].body, found[0].mimetype)
            return
        exact = [c for c in captures if c.timestamp == stamp]
        if not exact:
            near = min(captures, key=lambda c: abs(int(c.timestamp) - int(stamp.ljust(14, "0"))))
            self.redirect(302, f"/web/{near.timestamp}/{url}")
            return
        c = exact[0]
        base = f"http://{self.headers.get('Host', '')}"
        headers = {}
        if c.memento_headers:
            headers = {"Memento-Datetime": http_date(c.timestamp),
                       "Link": f'<{c.original or url}>; rel="original", '
                               f'<{base}/web/timemap/link/{url}>; rel="timemap"; '
                               'type="application/link-format"'}
        if c.body is not None:
            self.send(int(c.statuscode), c.body, c.mimetype, headers=headers)
        else:
            self.send(int(c.statuscode), page(c.title), headers=headers)

    def _cdx(self, st: ArchiveState, q: dict[str, list[str]]) -> None:
        url = q.get("url", [""])[0]
        rows = sorted(st.captures.get(url, []), key=lambda c: c.timestamp)
        for flt in q.get("filter", []) if not st.ignore_filter else []:
            negate = flt.startswith("!")
            name, _, pattern = flt.lstrip("!").partition(":")
            rx = re.compile(pattern)
            rows = [c for c in rows if bool(rx.fullmatch(getattr(c, name, ""))) != negate]
        lo = q.get("from", [""])[0].ljust(14, "0")
        hi = q.get("to", [""])[0].ljust(14, "9")
        rows = [c for c in rows if lo <= c.timestamp <= hi]
        limit = int(q.get("limit", ["0"])[0] or 0)
        if limit > 0:
            rows = rows[:limit]
        elif limit < 0:
            rows = rows[limit:]
        if q.get("output", [""])[0] != "json":
            self.send(200, "".join(f"{url} {c.timestamp}\n" for c in rows).encode(), "text/plain")
            return
        if not rows:
            self._json([])  # the real server answers an empty array when nothing matches
            return
        fields = ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]
        table: list[list[str]] = [fields]
        table += [[url, c.timestamp, url, c.mimetype, c.statuscode, "X", "1"] for c in rows]
        self._json(table)

    def _save(self, st: ArchiveState, form: dict[str, list[str]]) -> None:
        key, secret = st.credentials
        if self.headers.get("Authorization") != f"LOW {key}:{secret}":
            self._json({"status": "error", "status_ext": "error:unauthorized",
                        "message": "You need to be logged in to use Save Page Now."}, 401)
            return
        url = form.get("url", [""])[0]
        behaviour = st.save_behaviour.get(url, "ok")
        if behaviour == "daily-limit":
            self._json({"status": "error", "status_ext": "error:too-many-daily-captures",
                        "message": "You have reached the limit of daily captures."})
            return
        if behaviour == "http-500":
            self.send(500, b"oops", "text/plain")
            return
        if behaviour == "echo":
            # A misconfigured endpoint that repeats the request, headers and all.
            echoed = "; ".join(f"{k}: {v}" for k, v in self.headers.items())
            self._json({"status": "error", "status_ext": "error:bad-request",
                        "message": f"cannot parse request ({echoed})"}, 400)
            return
        job_id = f"spn2-{len(st.jobs) + 1:04d}"
        pending = int(behaviour.split(":")[1]) if behaviour.startswith("pending:") else 0
        st.jobs[job_id] = {"url": url, "pending": pending, "behaviour": behaviour}
        self._json({"url": url, "job_id": job_id})

    def _status(self, st: ArchiveState, job_id: str) -> None:
        job = st.jobs.get(job_id)
        if job is None:
            self._json({"status": "error", "status_ext": "error:not-found", "message": "no job"})
            return
        if job["pending"] > 0:
            job["pending"] -= 1
            self._json({"status": "pending", "job_id": job_id, "resources": []})
            return
        if job["behaviour"] == "error-200":
            self._json({"status": "error", "status_ext": "error:not-found", "job_id": job_id,
                        "message": "The server cannot find the requested resource."})
            return
        st.captures.setdefault(job["url"], []).append(Capture(st.now))
        self._json({"status": "success", "job_id": job_id, "timestamp": st.now,
                    "original_url": job["url"], "duration_sec": 1.0})


@dataclass
class Memento:
    """A memento in one of the archives behind the fake Memento aggregator."""

    archive: str
    timestamp: str
    statuscode: str = "200"
    title: str = "An archived page"


@dataclass
class AggregatorState:
    """What the fake aggregator's archives hold: original URL → mementos."""

    mementos: dict[str, list[Memento]] = field(default_factory=dict)


class AggregatorHandler(Base):
    """A Memento aggregator (``/timemap/link/<url>``, link-format TimeMaps) and, under
    ``/<archive>/<timestamp>/<url>``, the archives whose mementos it lists."""

    def route(self) -> None:
        self._hit()
        st: AggregatorState = self.server.state["aggregator"]
        base = f"http://{self.headers.get('Host', '')}"
        tm = re.match(r"/timemap/link/(.+)", self.path)
        if tm:
            found = st.mementos.get(tm.group(1), [])
            if not found:
                self.send(404, b"", "text/plain")
                return
            lines = [f'<{tm.group(1)}>; rel="original"']
            lines += [f'<{base}/{m.archive}/{m.timestamp}/{tm.group(1)}>; rel="memento"; '
                      f'datetime="{http_date(m.timestamp)}"' for m in found]
            self.send(200, (",\n".join(lines) + "\n").encode(), "application/link-format")
            return
        mm = re.match(r"/([a-z0-9-]+)/([0-9]{14})/(.+)", self.path)
        hit = [m for m in st.mementos.get(mm.group(3), []) if (m.archive, m.timestamp)
               == (mm.group(1), mm.group(2))] if mm else []
        if not mm or not hit:
            self.send(404, page("Not in this archive"))
            return
        self.send(int(hit[0].statuscode), page(hit[0].title), headers={
            "Memento-Datetime": http_date(hit[0].timestamp),
            "Link": f'<{mm.group(3)}>; rel="original"'})


class Farm:
    """Starts sites and a fake archive on loopback addresses; stop() shuts all down."""

    def __init__(self) -> None:
        self.log = Log()
        # path → (body, content type), served by every site with 200; tests edit it
        self.pages: dict[str, tuple[bytes, str]] = {}
        self._servers: list[_Server] = []
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self.archive_state = ArchiveState()
        self.aggregator_state = AggregatorState()
        self._stopping = threading.Event()

    def _start(self, ip: str, handler: type, state: dict[str, Any]) -> str:
        server = _Server((ip, 0), handler, self, state)
        t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        t.start()
        self._servers.append(server)
        self._threads.append(t)
        return f"http://{ip}:{server.server_address[1]}"

    def site(self, ip: str, delay: float = 0.0) -> str:
        """A site on ``ip``; returns its base URL (no trailing slash)."""
        return self._start(ip, SiteHandler, {"delay": delay})

    def archive(self, ip: str) -> str:
        """The fake Web Archive on ``ip``; returns its base URL."""
        return self._start(ip, ArchiveHandler, {"archive": self.archive_state})

    def aggregator(self, ip: str) -> str:
        """The fake Memento aggregator (and its archives) on ``ip``; returns its base URL."""
        return self._start(ip, AggregatorHandler, {"aggregator": self.aggregator_state})
    def serve(self, ip: str, handler: type, state: dict[str, Any]) -> str:
        """Another handler (a ``Base`` subclass) on ``ip`` with its own ``state``."""
        return self._start(ip, handler, state)

    def silent(self, ip: str) -> str:
        """A server that accepts connections (the kernel does) but never answers."""
        s = socket.socket()
        s.bind((ip, 0))
        s.listen(16)
        self._sockets.append(s)
        return f"http://{ip}:{s.getsockname()[1]}"

    def dribbler(self, ip: str, interval: float = 0.1, tls: bool = False) -> str:
        """A server that sends its status line and headers one byte per ``interval``,
        forever: every byte restarts a per-read timeout, so only a deadline ends it.
        With ``tls`` it dribbles the first record of a TLS handshake instead (an
        https:// address), which holds the client inside ``connect``."""
        s = socket.socket()
        s.bind((ip, 0))
        s.listen(16)
        s.settimeout(0.1)
        self._sockets.append(s)
        stop = self._stopping

        def feed(conn: socket.socket) -> None:
            head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Padding: "
            if tls:
                head = b"\x16\x03\x03\x40\x00"  # a 16 KB handshake record, never finished
            with conn:
                try:
                    conn.recv(65536)
                    for i in range(len(head)):
                        conn.sendall(head[i:i + 1])
                        time.sleep(interval)
                    while not stop.is_set():
                        conn.sendall(b"a")
                        time.sleep(interval)
                except OSError:
                    return

        def accept() -> None:
            while not stop.is_set():
                try:
                    conn, _ = s.accept()
                except TimeoutError:
                    continue
                except OSError:
                    return
                threading.Thread(target=feed, args=(conn,), daemon=True).start()

        t = threading.Thread(target=accept, daemon=True)
        t.start()
        self._threads.append(t)
        return f"{'https' if tls else 'http'}://{ip}:{s.getsockname()[1]}"

    def refused(self, ip: str) -> str:
        """An address where nothing listens."""
        s = socket.socket()
        s.bind((ip, 0))
        port = s.getsockname()[1]
        s.close()
        return f"http://{ip}:{port}"

    def stop(self) -> None:
        self._stopping.set()
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for s in self._sockets:
            s.close()
        for t in self._threads:
            t.join(timeout=1)


def running_farm() -> Iterator[Farm]:
    """A generator for pytest fixtures: yields a farm, stops it afterwards."""
    farm = Farm()
    try:
        yield farm
    finally:
        farm.stop()
