"""The site's extras: feed, dates added, link-state marks, COinS, cite control,
report link, and the keeper's intro and footer."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import unicodedata
from dataclasses import replace
from html import unescape
from pathlib import Path
from types import MappingProxyType
from urllib.parse import parse_qsl

import feedparser
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bibvault.added import dates_added, parse_log
from bibvault.build import BuildOptions, run_build
from bibvault.collection import load_collection
from bibvault.config import BuildConfig, Config, ConfigError, Section, load_config, parse_config
from bibvault.links.drift import compare, fingerprint
from bibvault.links.history import History
from bibvault.links.result import CheckResult, LinkStatus
from bibvault.records import Record
from bibvault.site import html_page, make_reading_list
from bibvault.site.coins import coins_kev
from bibvault.site.feed import atom_feed
from bibvault.site.linkstate import LinkState, link_states
from bibvault.site.markup import markdown_html
from bibvault.site.tools import report_href

DAY = 86400.0


def rec(key: str, **fields: str) -> Record:
    fields.setdefault("title", f"Title {key}")
    entry_type = fields.pop("entry_type", "article")
    return Record(key=key, entry_type=entry_type, source_type=entry_type, file="t.bib", line=1,
                  fields=MappingProxyType(fields), tex=MappingProxyType(dict(fields)))


def stub(records, fmt):
    return {r.key: f"<i>{r.title}</i>" if fmt == "html" else r.title for r in records}


CONFIG = Config(sections=(Section("news", "News", ("article", "online")),
                          Section("books", "Books", ("book",))),
                build=BuildConfig(title="List", report_url="https://bugs.example/new?title={key}"))


def page(records, config=CONFIG, states=None) -> str:
    return html_page(make_reading_list(records, config, {"s": stub}, formats=("html",),
                                       link_states=states), feed="feed.xml")


# -- the keeper's words -------------------------------------------------------

def test_markdown_keeps_text_and_safe_links_only():
    out = markdown_html("Hi *there* <script>alert(1)</script> [a](javascript:alert(2)) "
                        "[b](https://ok.example/) [c](mailto:me@example.org) ![i](https://x/y.png)")
    assert "<em>there</em>" in out
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert 'href="https://ok.example/"' in out and 'href="mailto:me@example.org"' in out
    assert "javascript" not in out.replace("[a](javascript:alert(2))", "")
    assert "<img" not in out
    assert markdown_html("  ") == ""


def test_intro_and_footer_on_the_page():
    config = dataclasses.replace(CONFIG, build=dataclasses.replace(
        CONFIG.build, intro="About **this** list.", footer="Write to <b>us</b>."))
    html = page([rec("a")], config)
    assert '<div id="intro" class="intro"><p>About <strong>this</strong> list.</p></div>' in html
    assert "Write to &lt;b&gt;us&lt;/b&gt;." in html


# -- report link --------------------------------------------------------------

def test_report_link_encodes_the_key_and_title():
    r = rec("a&b?c#d", title="Ünïcode & more")
    href = report_href("mailto:me@example.org?subject={key}&body={title}", r)
    assert href == ("mailto:me@example.org?subject=a%26b%3Fc%23d"
                    "&body=%C3%9Cn%C3%AFcode%20%26%20more")
    assert report_href("javascript:alert('{key}')", r) is None
    assert report_href("", r) is None
    assert 'href="https://bugs.example/new?title=a%26b%3Fc%23d"' in page([r])


def test_report_url_must_be_a_web_or_mail_address():
    with pytest.raises(ConfigError, match=r"<config>:1: build.report_url"):
        parse_config("build: {report_url: 'javascript:alert(1)'}")
    assert parse_config("build: {report_url: 'mailto:a@b.org'}").build.report_url == "mailto:a@b.org"


# -- COinS and the cite control ----------------------------------------------

def test_coins_is_utf8_form_encoded_and_one_per_entry(tmp_path: Path):
    bib = tmp_path / "k.bib"
    bib.write_text("@article{k, title = {Panjsh\\'{i}r \\& the North}, author = {Doe, Jane},"
                   " journaltitle = {Review}, date = {2021-09-03}, volume = {4},"
                   " pages = {10--12}, doi = {10.1/x}}\n", encoding="utf-8")
    (r,) = load_collection([bib]).records
    kev = coins_kev(r)
    assert "rft.atitle=Panjsh%C3%ADr+%26+the+North" in kev
    pairs = parse_qsl(kev)
    assert pairs[0] == ("ctx_ver", "Z39.88-2004")
    assert ("rft_val_fmt", "info:ofi/fmt:kev:mtx:journal") in pairs
    assert ("rft.jtitle", "Review") in pairs and ("rft.au", "Doe, Jane") in pairs
    assert ("rft.spage", "10") in pairs and ("rft.epage", "12") in pairs
    assert ("rft_id", "info:doi/10.1/x") in pairs and ("rft.date", "2021-09-03") in pairs
    html = page([rec("a"), rec("b", entry_type="book"), r])
    assert html.count('<span class="Z3988" title="') == 3 == html.count('<li class="entry"')


def test_cite_control_holds_bibtex_and_ris():
    html = unescape(page([rec("a", title="T <x>", date="2020")]))
    assert "<summary>cite</summary>" in html
    assert "@article{a," in html and "TY  - JOUR" in html
    assert 'data-filename="a.bib"' in html and 'data-filename="a.ris"' in html


@pytest.mark.parametrize("cite", ["embed", "light", "none"])
def test_build_cite_chooses_what_each_entry_carries(cite: str):
    config = replace(CONFIG, build=replace(CONFIG.build, cite=cite))
    records = [rec("a", title="T <x>", date="2020"), rec("b", entry_type="book")]
    rl = make_reading_list(records, config, {"s": stub, "t": stub}, formats=("html",))
    html = unescape(html_page(rl))
    styles = html.count('<div class="cite" data-style=')
    assert styles == (4 if cite == "embed" else 2)
    assert ('<select id="style">' in html) == (cite == "embed")
    assert ("@article{a," in html) == (cite != "none")
    assert ("TY  - JOUR" in html) == (cite == "embed")
    assert ("<summary>cite</summary>" in html) == (cite != "none")
    assert html.count('class="permalink" href="#a"') == 1  # the permalink stays
    assert html.count('<span class="Z3988"') == 2  # and the COinS
    said = {"embed": "gives each entry’s BibTeX and RIS.", "light": "gives each entry’s BibTeX.",
            "none": "lead to a copy in a web archive.</p>"}
    assert said[cite] in html and ("“cite”" in html) == (cite != "none")


def test_light_and_none_make_a_smaller_page():
    records = [rec(f"k{i}", title=f"Title {i}", date="2020", author="Doe, Jane")
               for i in range(20)]
    sizes = {}
    for cite in ("embed", "light", "none"):
        config = replace(CONFIG, build=replace(CONFIG.build, cite=cite))
        rl = make_reading_list(records, config, {"s": stub, "t": stub}, formats=("html",))
        sizes[cite] = len(html_page(rl))
    assert sizes["embed"] > sizes["light"] > sizes["none"]


# -- link states ----------------------------------------------------------------

def test_link_states_come_from_the_history_only(tmp_path: Path):
    db = tmp_path / "links.sqlite"
    records = [rec("ok", url="https://a.example/"), rec("bad", url="https://b.example/"),
               rec("gone", url="https://c.example/"), rec("never", url="https://d.example/"),
               rec("blocked", url="https://e.example/"), rec("nourl")]
    cfg = Config().check
    assert link_states(records, db, cfg) == {}
    assert not db.exists(), "building never creates the history"
    t0 = 1_700_000_000.0
    with History(db) as h:
        h.add(CheckResult("https://a.example/", LinkStatus.DEAD, t0))
        h.add(CheckResult("https://a.example/", LinkStatus.ALIVE, t0 + DAY))
        h.add(CheckResult("https://b.example/", LinkStatus.TIMEOUT, t0))
        h.add(CheckResult("https://e.example/", LinkStatus.BLOCKED, t0))
        for d in (0, 4, 8):
            h.add(CheckResult("https://c.example/", LinkStatus.DEAD, t0 + d * DAY))
        h.commit()
    got = link_states(records, db, cfg)
    assert got == {"ok": LinkState("2023-11-15", "alive"), "bad": LinkState("2023-11-14", "failing"),
                   "gone": LinkState("2023-11-22", "dead"),
                   "blocked": LinkState("2023-11-14", "unreachable")}
    html = page(records, states=got)
    assert html.count("data-mark=") == 4
    assert "\u2020</span> dead link (checked 2023-11-22); no archived copy" in html
    assert 'class="legend"' in html


def test_content_changed_links_the_archived_version_as_cited():
    archived = "https://web.archive.org/web/20240101000000/https://a.example/"
    r = rec("a", url="https://a.example/", archiveurl=archived)
    html = page([r], states={"a": LinkState("2024-05-01", "alive", content_changed=True)})
    assert f'<i><a href="{archived}"' in html
    assert 'class="original changed" rel="nofollow" href="https://a.example/"' in html
    assert 'data-mark="changed"' in html and "page changed since cited; archived copy linked" in html
    assert "\u2260" in html.split('class="legend"')[1]
    unknown = page([r], states={"a": LinkState("2024-05-01", "alive", content_changed=None)})
    assert 'data-mark="changed"' not in unknown and "\u2260" not in unknown
    assert page([r]).count('class="mark') == 0, "a link never checked is unmarked"


# -- feed and dates added -----------------------------------------------------

def _git(repo: Path, *args: str, when: str = "") -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    if when:
        env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    subprocess.run(["git", "-C", str(repo), *args], check=True, env=env, capture_output=True)


def _entry(key: str, year: str) -> str:
    return f"@online{{{key},\n  title = {{About {key}}},\n  date = {{{year}}},\n  url = {{https://x.example/{key}}},\n}}\n\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "bib").mkdir()
    (tmp_path / "bibvault.yaml").write_text(
        "records: [bib]\nsections: [{id: all, title: All, types: [online]}]\n"
        "build: {title: Feed test, styles: [site], formats: [html], exports: []}\n",
        encoding="utf-8")
    return tmp_path


def test_feed_orders_by_date_added_from_git(project: Path):
    bib = project / "bib" / "a.bib"
    _git(project, "init", "-q")
    bib.write_text(_entry("old2001", "2001"), encoding="utf-8")
    _git(project, "add", ".")
    _git(project, "commit", "-qm", "one", when="2024-03-01T10:00:00+00:00")
    bib.write_text(_entry("old2001", "2001") + _entry("new2020", "2020"), encoding="utf-8")
    _git(project, "commit", "-qam", "two", when="2024-01-05T10:00:00+00:00")
    # Editing a record later does not change when it was added.
    bib.write_text(_entry("old2001", "2002") + _entry("new2020", "2020")
                   + _entry("uncommitted", "1999"), encoding="utf-8")
    _git(project, "commit", "-qam", "three", when="2024-06-01T10:00:00+00:00")
    bib.write_text(bib.read_text(encoding="utf-8") + _entry("later", "1990"), encoding="utf-8")
    assert dates_added([bib], project) == {"old2001": "2024-03-01T10:00:00+00:00",
                                           "new2020": "2024-01-05T10:00:00+00:00",
                                           "uncommitted": "2024-06-01T10:00:00+00:00"}

    result = run_build(load_config(project / "bibvault.yaml"))
    assert not result.stopped
    feed = feedparser.parse((project / "site" / "feed.xml").read_bytes())
    assert not feed.bozo and feed.version == "atom10"
    assert [e.link.rsplit("#", 1)[1] for e in feed.entries] == [
        "uncommitted", "old2001", "new2020", "later"]
    assert feed.entries[-1].updated == "1990-01-01T00:00:00Z", "not committed: its own date"
    assert '<link rel="alternate" type="application/atom+xml" href="feed.xml"' in \
        (project / "site" / "index.html").read_text(encoding="utf-8")


def test_feed_without_git_uses_record_dates_and_site_url(project: Path, tmp_path: Path):
    assert dates_added([project / "bib"], tmp_path / "nowhere") == {}
    records = [rec("a", date="2020-02-03"), rec("b", date="2021"), rec("undated")]
    rl = make_reading_list(records, CONFIG, {"s": stub}, formats=("html",))
    xml = atom_feed(rl, {}, limit=1, site_url="https://list.example/x")
    feed = feedparser.parse(xml.encode())
    assert not feed.bozo
    assert [e.id for e in feed.entries] == ["https://list.example/x/index.html#b"]
    assert feed.feed.id == "https://list.example/x/feed.xml"


def test_no_feed_when_turned_off(project: Path):
    (project / "bib" / "a.bib").write_text(_entry("k", "2020"), encoding="utf-8")
    text = (project / "bibvault.yaml").read_text(encoding="utf-8")
    (project / "bibvault.yaml").write_text(text.replace("exports: []", "exports: [], feed: false"),
                                           encoding="utf-8")

    run_build(load_config(project / "bibvault.yaml"), BuildOptions())
    assert not (project / "site" / "feed.xml").exists()
    assert "atom+xml" not in (project / "site" / "index.html").read_text(encoding="utf-8")


@settings(deadline=None)  # correctness, not speed: no flake on a loaded machine
@given(st.text())
def test_parse_log_never_raises(text: str):
    assert isinstance(parse_log(text), dict)


_PIECES = st.sampled_from(["<script>x</script>", "<img src=x onerror=y>", "[a](javascript:x)",
                           "[b](JaVaScRiPt:x)", "<javascript:x>", "[c](data:text/html,x)",
                           "![i](https://x/y.png)", "[d](https://ok.example/)", "*e*", "`f`",
                           "<a href='https://x'>g</a>", "\n\n", " ", "&amp;", "[h](vbscript:x)",
                           "[j](//evil.example/)", "[k](mailto:a@b.org)", "<svg onload=z>"])


@settings(deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=12))
def test_intro_markup_never_carries_active_content(parts: list[str]):
    out = markdown_html("".join(parts))
    safe = {"p", "em", "strong", "code", "a", "br", "ul", "ol", "li", "blockquote", "pre", "hr",
            "h1", "h2", "h3", "h4", "h5", "h6"}
    for name, attrs in re.findall(r"<([A-Za-z0-9]+)([^>]*)>", out):
        assert name in safe, name
        assert set(re.findall(r"([\w-]+)=", attrs)) <= {"href", "start"}, attrs
    for href in re.findall(r'href="([^"]*)"', out):
        assert href.startswith(("https://", "http://", "mailto:")), href


def test_anchors_are_keys_once_each_and_avoid_page_ids():
    config = dataclasses.replace(CONFIG, build=dataclasses.replace(CONFIG.build, group_by="topic"))
    records = [rec("search", keywords="a"), rec("k:1", keywords="a, b")]
    rl = make_reading_list(records, config, {"s": stub}, formats=("html",), group_by="topic")
    html = html_page(rl)
    assert html.count('id="entry-search"') == 1 and 'href="#entry-search"' in html
    assert html.count('id="k:1"') == 1, "listed under two topics, one id"
    assert html.count('href="#k:1"') == 2, "both copies link to the one anchor"


# TeX's special characters and ligatures (-- `` '') are left out: a record's raw value is TeX.
@settings(deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"),
                                      blacklist_characters="{}\\$%~^_#&-`'"),
               min_size=1).filter(str.strip))
@example("<>")
@example("<b>")
@example("a <img src=x> b")
@example("\U0002f800")  # a compatibility ideograph: NFC maps it to U+4E3D
def test_coins_round_trips_any_title(title: str):
    r = rec("k", title=title, entry_type="book", date="2020")
    pairs = dict(parse_qsl(coins_kev(r)))
    expected = unicodedata.normalize("NFC", " ".join(title.split()))  # records are NFC
    assert pairs.get("rft.btitle", "") == expected
    assert "&" not in coins_kev(r).split("rft.btitle=")[1].split("&")[0]


def test_a_stored_drift_verdict_becomes_the_changed_mark(tmp_path: Path):
    """The history's content verdicts (``bibvault check`` with drift) reach the page."""
    data = Path(__file__).parent / "data" / "drift"
    case = next(c for c in json.loads((data / "cases.json").read_text(encoding="utf-8"))
                if c["name"] == "news-replaced")
    cited, live = (fingerprint((data / case[k]).read_bytes()) for k in ("cited", "live"))
    db = tmp_path / "links.sqlite"
    archived = "https://web.archive.org/web/20240101000000/https://a.example/"
    records = [rec("a", url="https://a.example/", archiveurl=archived),
               rec("b", url="https://b.example/")]
    with History(db) as h:
        for url in ("https://a.example/", "https://b.example/"):
            h.add(CheckResult(url, LinkStatus.ALIVE, 1_700_000_000.0))
        h.add_fingerprint("https://a.example/", live, 1_700_000_000.0,
                          drift=compare(cited, live, 0.5))
        h.add_fingerprint("https://b.example/", cited, 1_700_000_000.0,
                          drift=compare(cited, cited, 0.5))
        h.commit()
    states = link_states(records, db, Config().check)
    assert states["a"] == LinkState("2023-11-14", "alive", content_changed=True)
    assert states["b"].content_changed is None
    html = page(records, states=states)
    assert html.count('data-mark="changed"') == 1 and f'<i><a href="{archived}"' in html
