"""The built page in a real browser: headless Chromium driven through chromedriver.

The test speaks the W3C WebDriver protocol over HTTP with ``requests`` (already a
dependency), so it needs no browser-automation package; it uses a handful of
endpoints. It builds the bundled reading list, opens the page from disk, checks
sections, entries, the topic filter, search and the style switcher, and saves
screenshots to ``tests/_artifacts/``. Without Chromium it is skipped, except in
CI (``CI=true``), where a missing browser is a failure.
"""

from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from bibvault.build import BuildOptions, run_build
from bibvault.config import load_config

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(__file__).resolve().parent / "_artifacts"
CHROME_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-dev-shm-usage", "--window-size=1200,1600"]
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


def _find_browser() -> tuple[str, str] | None:
    chrome = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (chrome, driver) if chrome and driver else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Browser:
    """A WebDriver session: just the calls this test needs."""

    def __init__(self, base: str, session: str, http: requests.Session) -> None:
        self.url = f"{base}/session/{session}"
        self.http = http

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        r = self.http.request(method, self.url + path, json=body, timeout=60)
        payload = r.json()
        if r.status_code != 200:
            raise AssertionError(f"WebDriver {method} {path}: {payload}")
        return payload["value"]

    def run(self, script: str, *args: Any) -> Any:
        return self.call("POST", "/execute/sync", {"script": script, "args": list(args)})

    def find(self, css: str) -> str:
        return self.call("POST", "/element", {"using": "css selector", "value": css})[ELEMENT]

    def shown_keys(self) -> list[str]:
        return self.run("return Array.from(document.querySelectorAll('li.entry'))"
                        ".filter(e => e.offsetParent !== null).map(e => e.dataset.key);")

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        path.write_bytes(base64.b64decode(self.call("GET", "/screenshot")))
        return path


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    found = _find_browser()
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium and chromedriver are required in CI (apt: chromium chromium-driver)")
        pytest.skip("headless Chromium not installed (apt-get install chromium chromium-driver)")
    chrome, driver = found
    port = _free_port()
    profile = tmp_path_factory.mktemp("chrome-profile")
    proc = subprocess.Popen([driver, f"--port={port}"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    http = requests.Session()
    http.trust_env = False  # never route the local driver through a proxy
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if http.get(f"{base}/status", timeout=2).json()["value"]["ready"]:
                    break
            except (requests.RequestException, ValueError, KeyError):
                pass
            if time.monotonic() > deadline:
                raise AssertionError("chromedriver did not become ready")
            time.sleep(0.2)
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": chrome, "args": [*CHROME_ARGS, f"--user-data-dir={profile}"]}}}}
        r = http.post(f"{base}/session", json=caps, timeout=60)
        assert r.status_code == 200, r.text
        session = r.json()["value"]["sessionId"]
        try:
            yield Browser(base, session, http)
        finally:
            http.delete(f"{base}/session/{session}", timeout=30)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        http.close()


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    config = load_config(REPO / "bibvault.yaml")
    out = tmp_path_factory.mktemp("site")
    result = run_build(config, BuildOptions(output=str(out), exports=()))
    assert not result.stopped, [f.format_text() for f in result.findings]
    return out / "index.html"


def test_page_in_chromium(browser: Browser, page: Path) -> None:
    browser.call("POST", "/url", {"url": page.as_uri()})
    b = browser
    assert b.run("return document.title;") == "The Resistance"
    # The script ran (the page's CSP allowed it): the controls are visible.
    assert b.run("return document.getElementById('controls').hidden;") is False
    # Nothing was fetched: not a font, not a script.
    assert b.run("return performance.getEntriesByType('resource').length;") == 0

    headings = b.run("return Array.from(document.querySelectorAll('main h2'))"
                     ".map(h => h.textContent);")
    assert headings == [
        "Reports, Papers, and Resources about the Resistance",
        "News Reports About the Resistance",
        "Videos about the Resistance",
        "Books about the Taliban Regime: 2021 to Present",
    ]
    all_keys = b.shown_keys()
    assert len(all_keys) == 16
    assert all_keys[:2] == ["coffey2022opportunity", "foxnews2023yearns"]
    assert all_keys[-1] == "rooftop2022dejavu"
    assert b.run("return document.querySelector('header .count').textContent;") == \
        "16 entries"
    assert b.run("return document.getElementById('status').textContent;") == ""
    b.screenshot("site-desktop.png")

    # Topic filter: "Government in exile" leaves the two exile records.
    b.call("POST", f"/element/{b.find('#topic option:nth-child(5)')}/click", {})
    label = b.run("var s = document.getElementById('topic');"
                  "return s.options[s.selectedIndex].textContent;")
    assert label.startswith("Government in exile")
    assert sorted(b.shown_keys()) == ["intercept2021fled", "odonnell2021mulls"]
    assert b.run("return document.getElementById('status').textContent;") == \
        "2 of 16 entries shown"
    assert b.run("return document.getElementById('videos').hidden;") is True
    b.screenshot("site-topic-filter.png")
    b.call("POST", f"/element/{b.find('#topic option:nth-child(1)')}/click", {})
    assert len(b.shown_keys()) == 16

    # Search: accents and case do not matter; words combine.
    search = b.find("#search")
    b.call("POST", f"/element/{search}/value", {"text": "taliban DONATI"})
    assert b.shown_keys() == ["donati2022arrests"]
    b.call("POST", f"/element/{search}/clear", {})
    b.call("POST", f"/element/{search}/value", {"text": "Panjshír"})
    assert sorted(b.shown_keys()) == ["lee2022significant", "lobo2021front",
                                      "npr2021propaganda", "reuters2021casualties"]
    b.call("POST", f"/element/{search}/clear", {})
    b.call("POST", f"/element/{search}/value", {"text": "no such words anywhere"})
    assert b.shown_keys() == []
    b.call("POST", f"/element/{search}/clear", {})
    assert len(b.shown_keys()) == 16

    # Style switcher: the second style replaces the first in every entry.
    visible_style = ("return Array.from(document.querySelectorAll('.cite'))"
                     ".filter(e => !e.hidden).map(e => e.dataset.style);")
    assert set(b.run(visible_style)) == {"site"}
    b.call("POST", f"/element/{b.find('#style option:nth-child(2)')}/click", {})
    assert set(b.run(visible_style)) == {"apa"}
    b.screenshot("site-style-apa.png")
    b.call("POST", f"/element/{b.find('#style option:nth-child(1)')}/click", {})

    # Print: no controls or tags, and each link's address is printed after it.
    b.call("POST", "/goog/cdp/execute",
           {"cmd": "Emulation.setEmulatedMedia", "params": {"media": "print"}})
    assert b.run("return getComputedStyle(document.getElementById('controls')).display;") \
        == "none"
    after = b.run("var a = document.querySelector('.cite a[href]');"
                  "return [a.href, getComputedStyle(a, '::after').content];")
    assert after[1] == f'" <{after[0]}>"'
    b.screenshot("site-print.png")
    b.call("POST", "/goog/cdp/execute",
           {"cmd": "Emulation.setEmulatedMedia", "params": {"media": ""}})

    # A phone-sized window: the page must not scroll sideways.
    b.call("POST", "/window/rect", {"width": 390, "height": 844})
    assert b.run("return document.documentElement.scrollWidth <= window.innerWidth;") is True
    b.screenshot("site-phone.png")


HOSTILE_BIB = r"""
@online{evil,
  title = {<img src=x onerror=window.pwned=1>},
  organization = {<script>window.pwned=2</script>},
  date = {2024-01-02},
  url = {javascript:window.pwned=3},
  annotation = {<svg onload="window.pwned=4"></svg>},
}
"""


def test_hostile_record_stays_text_in_chromium(browser: Browser, tmp_path: Path) -> None:
    (tmp_path / "bib").mkdir()
    (tmp_path / "bib" / "evil.bib").write_text(HOSTILE_BIB, encoding="utf-8")
    (tmp_path / "bibvault.yaml").write_text(
        "records: [bib]\nbuild: {styles: [site, apa], formats: [html], exports: []}\n",
        encoding="utf-8")
    result = run_build(load_config(tmp_path / "bibvault.yaml"), BuildOptions(force=True))
    assert not result.stopped
    browser.call("POST", "/url", {"url": (tmp_path / "site" / "index.html").as_uri()})
    b = browser
    assert b.run("return document.images.length + document.querySelectorAll('svg').length;") == 0
    assert b.run("return typeof window.pwned;") == "undefined"
    assert b.run("return document.querySelectorAll('a[href^=\"javascript\"]').length;") == 0
    text = b.run("return document.querySelector('li.entry').innerText;")
    assert "<img src=x onerror=window.pwned=1>" in text
    assert "<script>window.pwned=2</script>" in text
    assert '<svg onload="window.pwned=4"></svg>' in text
    b.call("POST", f"/element/{b.find('li.entry .cite')}/click", {})
    assert b.run("return typeof window.pwned;") == "undefined"
    b.screenshot("site-hostile.png")
