"""bibfile: minimal-diff edits and atomic saves."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bibvault.bibfile import load, parse

ENTRY = """% before
@article{k,
  author = {A. Author},
  title  = {Title},
  year   = 2001
}

@misc{next, note = {n}}
"""


def test_set_existing_field_changes_only_the_value_bytes() -> None:
    bf = parse(ENTRY)
    bf.set_field("k", "year", "{2002}")
    assert bf.to_text() == ENTRY.replace("= 2001", "= {2002}")
    assert bf.get("k").value("year") == "2002"  # type: ignore[union-attr]
    # positions after the edit follow the new text
    nxt = bf.get("next")
    assert nxt is not None and bf.to_text()[nxt.start :].startswith("@misc{next")
    assert nxt.field("note").column == 13  # type: ignore[union-attr]


def test_add_field_copies_layout_without_trailing_comma() -> None:
    bf = parse(ENTRY)
    bf.set_field("k", "doi", "{10.1/x}")
    assert bf.to_text() == ENTRY.replace(
        "  year   = 2001\n}", "  year   = 2001,\n  doi    = {10.1/x}\n}"
    )


def test_add_field_keeps_trailing_comma_habit() -> None:
    src = "@book{b,\n    title = {T},\n    year = {1999},\n}\n"
    bf = parse(src)
    bf.set_field("b", "urldate", "{2021-09-03}")
    assert bf.to_text() == (
        "@book{b,\n    title = {T},\n    year = {1999},\n    urldate = {2021-09-03},\n}\n"
    )


def test_add_field_to_crlf_entry_with_parentheses() -> None:
    src = b"@misc(c,\r\n\ttitle\t=\t{C}\r\n)\r\n"
    bf = parse(src)
    bf.set_field("c", "url", "{https://example.org/}")
    assert (
        bf.to_bytes()
        == b"@misc(c,\r\n\ttitle\t=\t{C},\r\n\turl\t=\t{https://example.org/}\r\n)\r\n"
    )
    bf.set_field("c", "title", '"New (title)"')
    assert bf.get("c").value("title") == "New (title)"  # type: ignore[union-attr]


def test_add_field_comma_first_and_to_entry_without_fields() -> None:
    bf = parse("@A{x\n , a = {1}\n , b = {2}\n}\n@B{y}\n@C{z,\n}\n")
    bf.set_field("x", "c", "{3}")
    bf.set_field("y", "t", "{T}")
    bf.set_field("z", "t", "{T}")
    assert bf.to_text() == (
        "@A{x\n , a = {1}\n , b = {2}\n , c = {3}\n}\n@B{y,\n  t = {T}}\n@C{z,\n  t = {T}\n}\n"
    )
    assert [e.value("t") for e in bf.entries[1:]] == ["T", "T"]


def test_add_field_to_one_line_entries_in_crlf_file() -> None:
    # no line break in the entry: the file's CRLF is used; one-line entries stay one line
    bf = parse(b"% crlf file\r\n@misc{a}\r\n@misc{b, x = {1}}\r\n")
    bf.set_field("a", "t", "{T}")
    bf.set_field("b", "t", "{T}")
    assert bf.to_bytes() == (
        b"% crlf file\r\n@misc{a,\r\n  t = {T}}\r\n@misc{b, x = {1}, t = {T}}\r\n"
    )


def test_remove_field_removes_its_line() -> None:
    bf = parse(ENTRY)
    bf.remove_field("k", "title")
    assert bf.to_text() == ENTRY.replace("  title  = {Title},\n", "")


def test_remove_last_field_without_trailing_comma_keeps_that_habit() -> None:
    bf = parse(ENTRY)
    bf.remove_field("k", "year")
    assert bf.to_text() == ENTRY.replace(
        "  title  = {Title},\n  year   = 2001\n", "  title  = {Title}\n"
    )


def test_remove_fields_on_one_line() -> None:
    bf = parse("@misc{m, a = {1}, b = {2}, c = {3}}\n")
    bf.remove_field("m", "b")
    assert bf.to_text() == "@misc{m, a = {1}, c = {3}}\n"
    bf.remove_field("m", "c")
    assert bf.to_text() == "@misc{m, a = {1}}\n"
    bf.remove_field("m", "a")
    assert bf.to_text() == "@misc{m, }\n"
    assert bf.get("m").fields == []  # type: ignore[union-attr]


def test_remove_comma_first_field_and_multiline_value() -> None:
    bf = parse("@A{x\n , a = {1}\n , b = {two\n   lines}\n , c = {3}\n}\n")
    bf.remove_field("x", "b")
    assert bf.to_text() == "@A{x\n , a = {1}\n , c = {3}\n}\n"
    bf.remove_field("x", "a")
    assert bf.to_text() == "@A{x\n , c = {3}\n}\n"


def test_edits_keep_later_positions_and_findings_right() -> None:
    src = ENTRY + "@misc{dup, a = {1}, a = {2}}\n"
    bf = parse(src)
    for i in range(5):
        bf.set_field("k", f"f{i}", "{line\nbreak}")
    fresh = parse(bf.to_text())
    for mine, theirs in zip(bf.blocks, fresh.blocks, strict=True):
        assert (mine.start, mine.end, mine.line, mine.column) == (
            theirs.start,
            theirs.end,
            theirs.line,
            theirs.column,
        )
    assert bf.findings == fresh.findings
    bf.remove_field("dup", "a")
    assert [f.code for f in bf.findings] == []


def test_edit_keeps_non_utf8_bytes_and_their_findings() -> None:
    data = b"@book{k\xa6,\n  title = {\xa6ome},\n}\n"
    bf = parse(data)
    bf.set_field("k\udca6", "year", "{1999}")
    assert bf.to_bytes() == b"@book{k\xa6,\n  title = {\xa6ome},\n  year = {1999},\n}\n"
    assert [(f.code, f.line, f.column) for f in bf.findings] == [("B109", 1, 8), ("B109", 2, 12)]


def test_edit_errors() -> None:
    bf = parse(ENTRY)
    with pytest.raises(KeyError):
        bf.set_field("nope", "year", "{1}")
    with pytest.raises(KeyError):
        bf.remove_field("k", "nosuch")
    for bad in ["{unclosed", "two words", "", "{a}}", '"x', "{a} # "]:
        with pytest.raises(ValueError):
            bf.set_field("k", "year", bad)
    with pytest.raises(ValueError):
        bf.set_field("k", "bad name", "{1}")
    with pytest.raises(ValueError):
        bf.set_field("k", "note", "{x\n@misc{y,}\n}")
    assert bf.to_text() == ENTRY


# -- saving -------------------------------------------------------------------------------
def test_save_is_atomic_and_keeps_mode(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_bytes(ENTRY.encode())
    os.chmod(path, 0o640)
    bf = load(path)
    bf.set_field("k", "year", "{2002}")
    bf.save()
    assert path.read_text() == ENTRY.replace("= 2001", "= {2002}")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["refs.bib"]


def test_unencodable_text_fails_before_touching_the_file(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_bytes(ENTRY.encode())
    bf = load(path)
    bf.set_field("k", "note", "{\ud800}")  # a lone surrogate has no UTF-8 form
    with pytest.raises(UnicodeEncodeError):
        bf.save()
    assert path.read_bytes() == ENTRY.encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["refs.bib"]


def test_save_fails_in_missing_directory(tmp_path: Path) -> None:
    bf = parse(ENTRY)
    with pytest.raises(OSError):
        bf.save(tmp_path / "no" / "such" / "dir.bib")


def test_failed_replace_removes_the_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "refs.bib"
    target.mkdir()  # os.replace of a file onto a directory fails after the data is written
    (target / "inside.txt").write_text("keep")
    with pytest.raises(OSError):
        parse(ENTRY).save(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["refs.bib"]
    assert (target / "inside.txt").read_text() == "keep"


KILLED_SAVER = """
import sys
from bibvault.bibfile import load
bf = load(sys.argv[1])
print("ready", flush=True)
i = 0
while True:
    i += 1
    bf.set_field("k", "year", "{B}" if i % 2 else "{A}")
    bf.save()
"""


def test_killed_save_never_leaves_a_partial_file(tmp_path: Path) -> None:
    big_note = "{" + "x" * 4_000_000 + "}"
    version_a = ENTRY.replace("= 2001", "= {A}").replace("{n}", big_note).encode()
    version_b = version_a.replace(b"= {A}", b"= {B}")
    path = tmp_path / "big.bib"
    path.write_bytes(version_a)
    with subprocess.Popen(
        [sys.executable, "-c", KILLED_SAVER, str(path)], stdout=subprocess.PIPE, text=True
    ) as child:
        try:
            assert child.stdout is not None and child.stdout.readline() == "ready\n"
            seen: set[bytes] = set()
            deadline = time.monotonic() + 10
            while len(seen) < 2 and time.monotonic() < deadline:
                data = path.read_bytes()
                assert data in (version_a, version_b)
                seen.add(data)
                time.sleep(0.01)
            assert len(seen) == 2  # the child did replace the file while we read it
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
    assert path.read_bytes() in (version_a, version_b)


def test_save_to_new_path(tmp_path: Path) -> None:
    bf = parse(ENTRY.encode("utf-8"))
    with pytest.raises(ValueError):
        bf.save()  # parsed from a string: no path of its own
    bf.save(tmp_path / "new.bib")
    assert (tmp_path / "new.bib").read_bytes() == ENTRY.encode()


def test_save_through_a_symlink_replaces_the_target(tmp_path: Path) -> None:
    real = tmp_path / "real.bib"
    real.write_text(ENTRY)
    link = tmp_path / "link.bib"
    link.symlink_to(real)
    bf = load(link)
    bf.set_field("k", "year", "{1999}")
    bf.save()
    assert link.is_symlink()
    assert real.read_text() == ENTRY.replace("= 2001", "= {1999}")


def test_inherited_fields_follow_an_edit_of_the_parent() -> None:
    bf = parse("@inproceedings{child, crossref = {parent}, title = {C}}\n"
               "@proceedings{parent, title = {P}, publisher = {Old}}\n")
    child = bf.get("child")
    assert child is not None and bf.resolved_fields(child)["publisher"] == "Old"
    bf.set_field("parent", "publisher", "{New}")
    child = bf.get("child")
    assert child is not None and bf.resolved_fields(child)["publisher"] == "New"
    assert bf.resolved_fields(child)["booktitle"] == "P"
