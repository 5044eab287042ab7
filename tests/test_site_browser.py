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
import dataclasses
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import pytest
import requests

from bibvault.build import BuildOptions, run_build
from bibvault.config import load_config
from bibvault.links.history import History
from bibvault.links.result import CheckResult, LinkStatus

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


DAY = 86400.0
ALIVE = "https://www.hudson.org/research/18235-us-has-an-opportunity-to-support-the-national-resistance-front-of-afghanistan"
FAILING = "https://thediplomat.com/2021/12/what-does-the-national-resistance-front-of-afghanistan-have-to-offer/"
DEAD = "https://www.npr.org/transcripts/1033966153"


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled list, built with a link history in which one link is alive, one
    failed once and one failed on three runs days apart."""
    config = load_config(REPO / "bibvault.yaml")
    db = tmp_path_factory.mktemp("history") / "links.sqlite"
    t0 = 1_764_000_000.0  # 2025-11-24
    with History(db) as h:
        h.add(CheckResult(ALIVE, LinkStatus.ALIVE, t0 + 9 * DAY, http_status=200))
        h.add(CheckResult(FAILING, LinkStatus.DEAD, t0 + 9 * DAY, http_status=404))
        for day in (0, 4, 8):
            h.add(CheckResult(DEAD, LinkStatus.DEAD, t0 + day * DAY, http_status=404))
        h.commit()
    config = dataclasses.replace(config, check=dataclasses.replace(config.check, database=str(db)))
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
    # The books section has no records yet: left out of the page and the contents.
    assert headings == [
        "Reports, Papers, and Resources about the Resistance",
        "News Reports About the Resistance",
        "Videos about the Resistance",
    ]
    assert b.run("return Array.from(document.querySelectorAll('.toc a'))"
                 ".map(a => a.getAttribute('href'));") == ["#reports", "#news", "#videos"]
    # The keeper's introduction and footer, from bibvault.yaml.
    assert "Panjshir Valley" in b.run("return document.getElementById('intro').textContent;")
    assert "report broken links" in b.run("return document.querySelector('footer').textContent;")
    all_keys = b.shown_keys()
    assert len(all_keys) == 16
    assert all_keys[:2] == ["coffey2022opportunity", "foxnews2023yearns"]
    assert all_keys[-1] == "rooftop2022dejavu"
    assert b.run("return document.querySelector('header .count').textContent;") == \
        "16 entries"
    assert b.run("return document.getElementById('status').textContent;") == ""
    b.screenshot("site-desktop.png")

    # Feed: linked from the head, and a valid Atom 1.0 document with the newest records.
    href = b.run("var l = document.querySelector('link[rel=alternate][type=\"application/atom+xml\"]');"
                 "return l && l.href;")
    assert href == page.with_name("feed.xml").as_uri()
    feed = feedparser.parse(page.with_name("feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10" and feed.feed.title == "The Resistance"
    assert 0 < len(feed.entries) <= 16
    assert {e.link.split("#", 1)[1] for e in feed.entries} <= set(all_keys)

    # COinS: one ContextObject per entry, for reference managers' connectors.
    coins = b.run("return Array.from(document.querySelectorAll('span.Z3988'))"
                  ".map(s => s.title);")
    assert len(coins) == len(all_keys) == 16
    assert all(c.startswith("ctx_ver=Z39.88-2004&") for c in coins)

    # Link-state marks from the history, and a legend that explains them.
    def marks(key: str) -> list[str]:
        return b.run("return Array.from(document.querySelectorAll("
                     "'li.entry[data-key=\"' + arguments[0] + '\"] .mark'))"
                     ".map(m => m.dataset.mark + ': ' + m.textContent);", key)
    assert marks("coffey2022opportunity") == ["alive: \u2713 link checked 2025-12-03"]
    assert marks("kohzad2021offer") == ["failing: \u26a0 link failing at the check of 2025-12-03"]
    assert marks("npr2021propaganda") == [
        "dead: \u2020 dead link (checked 2025-12-02); no archived copy"]
    assert marks("lobo2021front") == [], "a link never checked is unmarked"
    legend = b.run("return document.querySelector('.legend').textContent;")
    assert "dead" in legend and "failing" in legend and "checked" in legend

    # The cite control: BibTeX and RIS of the record, shown on demand, copyable.
    first = "li.entry[data-key=coffey2022opportunity]"
    assert b.run(f"return document.querySelector('{first} .cite-tools pre').checkVisibility();") \
        is False
    b.call("POST", f"/element/{b.find(first + ' .cite-tools summary')}/click", {})
    pres = b.run(f"return Array.from(document.querySelectorAll('{first} .cite-tools pre'))"
                 ".map(p => p.checkVisibility() ? p.textContent : null);")
    assert pres[0].startswith("@techreport{coffey2022opportunity,") or \
        pres[0].startswith("@") and "coffey2022opportunity" in pres[0]
    assert pres[1].startswith("TY  - RPRT") and pres[1].rstrip().endswith("ER  -")
    b.screenshot("site-cite.png")
    b.call("POST", f"/element/{b.find(first + ' .cite-format button')}/click", {})
    assert b.run("return window.getSelection().toString();").strip() == pres[0].strip()
    b.call("POST", f"/element/{b.find(first + ' .cite-tools summary')}/click", {})

    # Anchors: every entry and section has a stable id that the address can name.
    ids = b.run("return Array.from(document.querySelectorAll('li.entry')).map(e => e.id);")
    assert ids == all_keys
    b.call("POST", "/url", {"url": page.as_uri() + "#lobo2021front"})
    assert b.run("return document.querySelector(':target').id;") == "lobo2021front"
    assert b.run("var r = document.getElementById('lobo2021front').getBoundingClientRect();"
                 "return window.scrollY > 0 && r.top >= 0 && r.bottom <= innerHeight;") is True
    assert len(b.shown_keys()) == 16, "a plain anchor is not a filter"

    # The view in the address: a topic and search words restored from it.
    b.call("POST", "/url", {"url": page.as_uri() + "#topic=exile"})
    assert sorted(b.shown_keys()) == ["intercept2021fled", "odonnell2021mulls"]
    assert b.run("var s = document.getElementById('topic');"
                 "return s.options[s.selectedIndex].dataset.name;") == "exile"
    b.screenshot("site-topic-from-address.png")
    b.call("POST", "/url", {"url": page.as_uri() + "#topic=nrf&q=fox"})
    assert sorted(b.shown_keys()) == ["foxnews2023yearns", "lee2022significant"]
    assert b.run("return document.getElementById('search').value;") == "fox"
    # Choosing a topic writes it into the address; the back button returns to the last view.
    b.call("POST", f"/element/{b.find('#topic option[data-name=panjshir]')}/click", {})
    assert b.run("return location.hash;") == "#topic=panjshir&q=fox"
    b.call("POST", "/back", {})
    assert b.run("return location.hash;") == "#topic=nrf&q=fox"
    assert sorted(b.shown_keys()) == ["foxnews2023yearns", "lee2022significant"]
    # A search in the query string (?q=) works too.
    b.call("POST", "/url", {"url": page.as_uri() + "?q=donati"})
    assert b.shown_keys() == ["donati2022arrests"]
    b.call("POST", "/url", {"url": page.as_uri()})

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
    b.call("POST", "/url", {"url": page.as_uri() + "#kohzad2021offer"})
    b.call("POST", f"/element/{b.find('#kohzad2021offer .cite-tools summary')}/click", {})
    assert b.run("return document.documentElement.scrollWidth <= window.innerWidth;") is True
    b.screenshot("site-phone-entries.png")


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
