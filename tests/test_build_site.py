"""Building with the real CSL engine: hostile records, archived and dead links, options."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from bibvault.build import BuildOptions, run_build
from bibvault.cli import cli
from bibvault.config import load_config
from bibvault.site import Filters

CONFIG_TEXT = """\
records: [bib]
topics:
  web: {label: The web}
sections:
  - {id: news, title: News, types: [article, online]}
build:
  title: Hostile list
  styles: [site, apa]
  formats: [html, md, txt]
  exports: []
"""

BIB = r"""
@online{evil,
  title = {<img src=x onerror=alert(1)>},
  organization = {<script>alert(2)</script>},
  date = {2024-01-02},
  url = {javascript:alert(3)},
  keywords = {web},
  annotation = {<b onmouseover=alert(4)>hover</b> \& more},
}

@online{archived,
  author = {Doe, Jane},
  title = {Still Online},
  organization = {Example News},
  date = {2023-05-06},
  url = {https://news.example/still?a=1&b=2},
  archiveurl = {https://web.archive.org/web/20240101000000/https://news.example/still?a=1&b=2},
  archivedate = {2024-01-01},
  keywords = {web},
}

@online{gone,
  title = {Gone Away},
  organization = {Example News},
  date = {2022-03-04},
  url = {https://gone.example/story},
  urlstatus = {dead},
  archiveurl = {https://web.archive.org/web/20220305000000/https://gone.example/story},
  archivedate = {2022-03-05},
  keywords = {web},
}
"""


class Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[dict[str, str | None]] = []
        self.tags: list[str] = []
        self.text: list[str] = []
        self._in_a = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "a":
            self.anchors.append(dict(attrs) | {"text": ""})
            self._in_a = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._in_a = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_a:
            self.anchors[-1]["text"] = (self.anchors[-1]["text"] or "") + data


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    (root / "bib").mkdir()
    (root / "bib" / "list.bib").write_text(BIB, encoding="utf-8")
    (root / "bibvault.yaml").write_text(CONFIG_TEXT, encoding="utf-8")
    result = run_build(load_config(root / "bibvault.yaml"), BuildOptions(force=True))
    assert not result.stopped and result.entries == 3
    return root / "site"


def parsed(site: Path) -> Anchors:
    p = Anchors()
    p.feed((site / "index.html").read_text(encoding="utf-8"))
    return p


def test_record_markup_is_text_in_every_style(site: Path):
    page = parsed(site)
    assert not {"img", "b"} & set(page.tags)
    assert page.tags.count("script") == 1, "only the page's own script"
    text = "".join(page.text)
    # Once per style, and once in each of the cite control's BibTeX and RIS.
    assert text.count("<img src=x onerror=alert(1)>") == 4  # site, apa, BibTeX, RIS
    assert "<script>alert(2)</script>" in text
    assert "<b onmouseover=alert(4)>hover</b> & more" in text


def test_javascript_url_is_never_a_link(site: Path):
    hrefs = [a["href"] or "" for a in parsed(site).anchors]
    assert hrefs and not any("javascript" in h.lower() for h in hrefs)


def test_markdown_and_text_keep_markup_inert(site: Path):
    md = (site / "reading-list.site.md").read_text(encoding="utf-8")
    # Markdown passes raw HTML through; every "<" from a record must be escaped.
    assert set(re.findall(r"(?<!\\)<([A-Za-z/]+)", md)) == {"https"}
    assert r"\<img src=x onerror=alert\(1\)\>" in md
    assert "javascript:" not in md
    txt = (site / "reading-list.site.txt").read_text(encoding="utf-8")
    assert '"<img src=x onerror=alert(1)>", <script>alert(2)</script>' in txt


def test_archived_copy_and_dead_link(site: Path):
    anchors = [a for a in parsed(site).anchors if not (a["href"] or "#").startswith("#")]
    live = "https://news.example/still?a=1&b=2"
    live_copy = "https://web.archive.org/web/20240101000000/" + live
    dead = "https://gone.example/story"
    dead_copy = "https://web.archive.org/web/20220305000000/" + dead
    by_text = {}
    for a in anchors:
        by_text.setdefault(a["text"], []).append(a)
    # The title links to the source, with Robust Links data, in both styles.
    for a in by_text["Still Online"] + by_text["Gone Away"]:
        assert a["data-originalurl"] in (live, dead)
    assert {a["href"] for a in by_text["Still Online"]} == {live}
    assert all(a["data-versionurl"] == live_copy and a["data-versiondate"] == "2024-01-01"
               for a in by_text["Still Online"])
    (archived,) = [a for a in by_text["archived"] if a["data-originalurl"] == live]
    assert archived["href"] == live_copy and archived["data-versiondate"] == "2024-01-01"
    # The dead source: the copy becomes the main link; the original is offered as dead.
    assert {a["href"] for a in by_text["Gone Away"]} == {dead_copy}
    (original,) = by_text["original (dead)"]
    assert original["href"] == dead and original["data-versionurl"] == dead_copy


def test_text_lists_the_addresses(site: Path):
    txt = (site / "reading-list.site.txt").read_text(encoding="utf-8")
    assert ("    Source (dead): https://gone.example/story\n"
            "    Archived (2022-03-05): https://web.archive.org/web/20220305000000/"
            "https://gone.example/story\n") in txt


def test_cli_group_by_and_filters(site: Path):
    cfg = str(site.parent / "bibvault.yaml")
    runner = CliRunner()
    res = runner.invoke(cli, ["--config", cfg, "build", "--force", "-o", "-", "-f", "txt",
                              "--group-by", "year", "--since", "2023", "--type", "online"])
    assert res.exit_code == 0, res.stderr
    assert res.stdout.splitlines()[:6] == ["Hostile list", "============", "", "2024", "----", ""]
    assert "\n2023\n----\n" in res.stdout and "Gone Away" not in res.stdout
    res = runner.invoke(cli, ["--config", cfg, "build", "--force", "-o", "-", "-f", "md",
                              "--until", "2022-12-31", "--order", "oldest-first"])
    assert res.exit_code == 0, res.stderr
    assert "Gone Away" in res.stdout and "Still Online" not in res.stdout


def test_rebuild_of_the_bundled_list_is_a_fraction_of_the_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # Other work may edit bibvault's sources meanwhile; that rightly forces a rebuild.
    monkeypatch.setattr("bibvault.build.code_identity", lambda: "fixed")
    repo = Path(__file__).resolve().parents[1]
    config = load_config(repo / "bibvault.yaml")
    options = BuildOptions(output=str(tmp_path / "site"), exports=())
    first = run_build(config, options)
    files = sorted((tmp_path / "site").iterdir())
    before = [(p.read_bytes(), p.stat().st_mtime_ns) for p in files]
    second = run_build(config, options)
    assert second.cached and second.written == []
    assert [(p.read_bytes(), p.stat().st_mtime_ns) for p in files] == before
    assert second.seconds < first.seconds / 3, (first.seconds, second.seconds)


def test_exports_follow_the_selection(tmp_path: Path):
    repo = Path(__file__).resolve().parents[1]
    config = load_config(repo / "bibvault.yaml")
    out = tmp_path / "site"
    result = run_build(config, BuildOptions(output=str(out), formats=("txt",), styles=("site",),
                                            filters=Filters(topics=("exile",))))
    assert sorted(p.name for p in result.written) == [
        "reading-list.site.txt", "references.bib", "references.bibtex.bib", "references.json",
        "references.ris"]
    items = json.loads((out / "references.json").read_text(encoding="utf-8"))
    assert sorted(i["id"] for i in items) == ["intercept2021fled", "odonnell2021mulls"]
    bib = (out / "references.bib").read_text(encoding="utf-8")
    assert sorted(re.findall(r"^@\w+\{([^,]+),", bib, re.M)) == [
        "intercept2021fled", "odonnell2021mulls"]
    ris = (out / "references.ris").read_text(encoding="utf-8")
    assert ris.count("\nER  -") + ris.startswith("ER  -") == 2
