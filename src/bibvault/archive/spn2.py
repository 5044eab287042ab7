"""Requesting captures with Save Page Now 2.

``POST /save`` starts a job; ``GET /save/status/<job_id>`` is polled until the
job succeeds or fails. SPN2 reports many errors with HTTP 200 and a JSON body
whose ``status`` is ``"error"``, so the body is always read. Daily-limit errors
end the whole batch: every further request would fail the same way.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from bibvault.archive.credentials import Credentials
from bibvault.archive.wayback import Capture
from bibvault.config import ArchiveConfig
from bibvault.net import HostGate, host_of

Clock = Callable[[], float]
Sleep = Callable[[float], None]


@dataclass(frozen=True)
class SaveOutcome:
    """How one save request ended: a capture, or an error (``daily_limit`` stops the batch)."""

    capture: Capture | None = None
    error: str = ""
    daily_limit: bool = False


class SaveThrottle:
    """At most ``per_minute`` saves in any 60-second window."""

    def __init__(self, per_minute: int, clock: Clock, sleep: Sleep) -> None:
        self.per_minute = max(1, per_minute)
        self.clock = clock
        self.sleep = sleep
        self._recent: deque[float] = deque()

    def wait(self) -> None:
        """Block until one more save fits in the window, and count it."""
        now = self.clock()
        while self._recent and now - self._recent[0] >= 60.0:
            self._recent.popleft()
        if len(self._recent) >= self.per_minute:
            self.sleep(60.0 - (now - self._recent[0]))
            now = self.clock()
            self._recent.popleft()
        self._recent.append(now)


def is_daily_limit(body: dict[str, Any]) -> bool:
    """A capture quota for the day (account-wide or for this URL) is used up."""
    text = f"{body.get('status_ext', '')} {body.get('message', '')}".lower()
    return "daily" in text


class SaveClient:
    """Starts SPN2 jobs and waits for them, politely and within the configured limits."""

    def __init__(self, session: requests.Session, config: ArchiveConfig, credentials: Credentials,
                 gate: HostGate, *, clock: Clock = time.time, sleep: Sleep = time.sleep) -> None:
        self.session = session
        self.config = config
        self.credentials = credentials
        self.gate = gate
        self.clock = clock
        self.sleep = sleep
        self.throttle = SaveThrottle(config.saves_per_minute, clock, sleep)
        self.base = config.wayback_url.rstrip("/")
        self.saves = 0

    def _call(self, method: str, url: str, **kw: Any) -> tuple[int, dict[str, Any]]:
        headers = {"Accept": "application/json", "Authorization": self.credentials.header()}
        with self.gate.slot(host_of(url)):
            try:
                resp = self.session.request(method, url, headers=headers, **kw)
            except requests.RequestException as exc:
                return 0, {"status": "error", "message": f"request failed: {type(exc).__name__}"}
            try:
                body = resp.json()
            except ValueError:
                body = {}
        if not isinstance(body, dict):
            body = {}
        return resp.status_code, body

    def save(self, url: str) -> SaveOutcome:
        """Capture ``url`` now and wait for the result."""
        self.throttle.wait()
        self.saves += 1
        code, body = self._call("POST", f"{self.base}/save", data={"url": url})
        if body.get("status") == "error" or not body.get("job_id"):
            return self._failure(code, body)
        job = str(body["job_id"])
        deadline = self.clock() + self.config.poll_timeout
        while True:
            code, body = self._call("GET", f"{self.base}/save/status/{job}")
            status = body.get("status")
            if status == "success":
                ts = str(body.get("timestamp", ""))
                if len(ts) < 8 or not (ts.isascii() and ts.isdigit()):
                    return SaveOutcome(error="save succeeded without a usable timestamp")
                return SaveOutcome(Capture(ts, str(body.get("original_url") or url)))
            if status != "pending":
                return self._failure(code, body)
            if self.clock() >= deadline:
                return SaveOutcome(error=f"save still pending after {self.config.poll_timeout:g} s")
            self.sleep(self.config.poll_interval)

    def _failure(self, code: int, body: dict[str, Any]) -> SaveOutcome:
        reason = body.get("status_ext") or body.get("message") or ""
        message = str(body.get("message") or "")
        detail = f"{reason}: {message}" if message and message != reason else str(reason)
        if not detail:
            detail = f"HTTP {code}" if code else "no answer"
        elif code and code != 200:
            detail = f"HTTP {code}, {detail}"
        return SaveOutcome(error=self.credentials.redact(detail), daily_limit=is_daily_limit(body))
