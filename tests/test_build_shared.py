"""The build does each piece of work once: one rendering per style for every output
format, one CSL-JSON item per record, export texts shared by the files and the page.

Each shared path is compared with the path that does the work separately (the
engine's own per-format bibliography, the exporters), on the bundled reading
list and on hand-written records.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bibvault.collection import load_collection
from bibvault.config import load_config
from bibvault.csl import Processor
from bibvault.csljson import ItemCache, record_to_csl
from bibvault.export import apply_profile, to_biblatex, to_bibtex, to_csl_json, to_ris
from bibvault.export.texts import ExportTexts
from bibvault.fsutil import atomic_write_chunks
from bibvault.site import csl_formatter
from bibvault.site.styled import CompactTexts, format_entries
from bibvault.spool import Spool
from test_export import REALISTIC_BIB

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("text", "html", "md")


@pytest.fixture(scope="module")
def bundled():
    config = load_config(ROOT / "bibvault.yaml")
    return list(load_collection(config.record_files(), config.encoding).records)


@pytest.fixture(scope="module")
def realistic(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("shared") / "r.bib"
    path.write_text(REALISTIC_BIB, encoding="utf-8")
    return list(load_collection([path]).records)


@pytest.mark.parametrize("style", ["site", "apa", "chicago-author-date"])
def test_one_rendering_gives_every_format_as_separate_runs_do(bundled, style: str):
    formatter = csl_formatter(style, search_dirs=[ROOT / "styles"])
    shared = format_entries({style: formatter}, bundled, FORMATS)
    for fmt in FORMATS:
        alone = csl_formatter(style, search_dirs=[ROOT / "styles"])(bundled, fmt)
        assert alone, fmt
        assert {k: v[style][fmt] for k, v in shared.items()} == alone


def test_each_entry_is_rendered_once_per_style_and_each_item_made_once(
        bundled, monkeypatch: pytest.MonkeyPatch):
    rendered: list[str] = []
    made: list[str] = []
    real_render = Processor.render_entry

    def counting_render(self: Processor, item_id: str, *, links: bool = False):
        rendered.append(item_id)
        return real_render(self, item_id, links=links)

    monkeypatch.setattr(Processor, "render_entry", counting_render)

    def counting_item(record):
        made.append(record.key)
        return record_to_csl(record)

    monkeypatch.setattr("bibvault.csljson.record_to_csl", counting_item)
    styles = {s: csl_formatter(s, search_dirs=[ROOT / "styles"]) for s in ("site", "apa")}
    format_entries(styles, bundled, FORMATS, ItemCache())
    keys = {r.key for r in bundled}
    assert sorted(rendered) == sorted([r.key for r in bundled] * 2)
    assert sorted(made) == sorted(r.key for r in bundled) and len(keys) == len(bundled)


def test_spooled_entries_and_items_are_those_held_in_memory(bundled):
    styles = {s: csl_formatter(s, search_dirs=[ROOT / "styles"]) for s in ("site", "apa")}
    held = format_entries(styles, bundled, FORMATS, ItemCache())
    spool = Spool()
    items = ItemCache(spool)
    spooled = format_entries(styles, bundled, FORMATS, items, spool)
    assert spooled.keys() == held.keys()
    for key, per_style in held.items():
        assert {s: dict(t) for s, t in spooled[key].items()} == {s: dict(t) for s, t in per_style.items()}
        assert isinstance(spooled[key]["apa"], CompactTexts) and spooled[key]["apa"].get("latex") is None
    assert [items.item(r) for r in bundled] == [record_to_csl(r) for r in bundled]
    spool.close()


@pytest.mark.parametrize("spooled", [False, True])
@pytest.mark.parametrize("which", ["bundled", "realistic"])
def test_export_files_from_shared_texts_match_the_exporters(which: str, spooled: bool, request):
    records = request.getfixturevalue(which)
    texts = ExportTexts("paper", spool=Spool() if spooled else None)
    texts.prepare(records, ("biblatex", "bibtex", "csl-json", "ris"))
    papers = apply_profile(records, "paper")
    assert texts.file(records, "biblatex") == to_biblatex(papers)
    assert texts.file(records, "bibtex") == to_bibtex(papers)
    assert texts.file(records, "csl-json") == to_csl_json(papers)
    assert texts.file(records, "ris") == to_ris(papers)
    assert texts.file([], "csl-json") == to_csl_json([]) == "[]\n"
    assert texts.file([], "ris") == to_ris([]) == ""


def test_export_texts_refuse_unknown_formats_and_profiles(realistic):
    with pytest.raises(ValueError, match="unknown export profile"):
        ExportTexts("poster")
    with pytest.raises(ValueError, match="unknown export format 'docx'"):
        ExportTexts().text(realistic[0], "docx")


@pytest.mark.parametrize("count", [0, 1, 3])
@pytest.mark.parametrize("fmt", ["biblatex", "bibtex", "csl-json", "ris"])
def test_export_files_in_pieces_are_the_whole_files(realistic, fmt: str, count: int):
    texts = ExportTexts("paper")
    chosen = realistic[:count]
    assert "".join(texts.file_chunks(chosen, fmt)) == texts.file(chosen, fmt)
    texts.forget(fmt)
    assert "".join(texts.file_chunks(chosen, fmt)) == texts.file(chosen, fmt)


def test_a_file_written_in_pieces_is_left_alone_when_its_bytes_are_the_same(tmp_path: Path):
    target = tmp_path / "out" / "page.html"
    assert atomic_write_chunks(target, [b"<p>", b"one", b"</p>\n"], make_dirs=True)
    assert target.read_bytes() == b"<p>one</p>\n"
    before = target.stat().st_mtime_ns
    os.utime(target, ns=(before - 10**9, before - 10**9))
    stamp = target.stat().st_mtime_ns
    assert not atomic_write_chunks(target, iter([b"<p>one", b"</p>\n"]))
    assert target.stat().st_mtime_ns == stamp
    # Same length, other bytes; then another length.
    assert atomic_write_chunks(target, [b"<p>two</p>\n"])
    assert target.read_bytes() == b"<p>two</p>\n"
    assert atomic_write_chunks(target, [])
    assert target.read_bytes() == b""
    assert [p.name for p in target.parent.iterdir()] == ["page.html"]  # no temporary left


def test_a_failing_piece_leaves_the_old_file_and_no_temporary(tmp_path: Path):
    target = tmp_path / "list.txt"
    target.write_bytes(b"old\n")

    def pieces():
        yield b"new"
        raise RuntimeError("renderer failed")

    with pytest.raises(RuntimeError):
        atomic_write_chunks(target, pieces())
    assert target.read_bytes() == b"old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["list.txt"]


def test_compact_texts_give_back_every_text_as_it_was():
    texts = {"text": "“Quoted” – dash", "html": "<i>x</i> \udcff lone", "md": ""}
    kept = CompactTexts(texts)
    assert dict(kept) == texts and len(kept) == 3 and list(kept) == ["text", "html", "md"]
    assert kept.get("latex") is None and kept.get("md") == ""


@given(st.lists(st.lists(st.text(st.characters(blacklist_categories=("Cs",)) | st.sampled_from(["\udcff", "\ud800"])),
                         min_size=1, max_size=4), max_size=12),
       st.randoms(use_true_random=False), st.sampled_from([1 << 20, 1, 7, 64]))
def test_a_spool_gives_back_every_text_in_any_order(groups: list[list[str]], rng, flush_at: int):
    # A small flush_at sends the texts to the file as they come (some straight away,
    # some after a few more): reads then come from the file, from memory, or both.
    spool = Spool(flush_at)
    handles = [spool.put(*texts) for texts in groups]
    order = [(g, i) for g, texts in enumerate(groups) for i in range(len(texts))]
    rng.shuffle(order)
    for g, i in order:
        assert spool.get(handles[g], i) == groups[g][i]
        # Storing more between reads leaves what was stored alone.
        extra = spool.put("x" * i)
        assert spool.get(extra) == "x" * i
        raw = bytes(range(i, 256, 7))
        assert spool.get_bytes(spool.put_bytes(raw, b"\xff" * i), 0) == raw
    spool.close()
    assert spool.get(spool.put("again")) == "again"
    spool.close()
