"""Bag names (issue 13): one bag per key, reversible, safe on every common file system,
and bags written under the old names still found."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from bibvault.archive import verify_all, write_bag
from bibvault.archive.bagit import (
    MAX_NAME,
    bag_identifier,
    bag_key,
    bag_name,
    find_bag,
    legacy_bag_name,
    migrate_bag,
)
from bibvault.archive.writeback import verify_records
from bibvault.bibfile import parse
from bibvault.records import records_from_file

WHEN = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)
SAFE = re.compile(r"[a-z0-9_+~-]+")
DEVICES = {"con", "prn", "aux", "nul"} | {f"{p}{n}" for p in ("com", "lpt") for n in range(10)}


def _safe(name: str) -> bool:
    return (bool(SAFE.fullmatch(name)) and len(name) <= MAX_NAME and not name.startswith(".")
            and name.split(".")[0] not in DEVICES)


def test_keys_that_shared_a_bag_get_distinct_bags() -> None:
    keys = ["x:1", "x/1", "x_1", "..", "\ufb01\u2603", "X_1", "x-1", "CON", "aux", "Aux", "."]
    names = [bag_name(k) for k in keys]
    assert len(set(names)) == len(keys)
    assert len({n.casefold() for n in names}) == len(keys)  # case-insensitive file systems
    assert all(_safe(n) for n in names), names
    assert [bag_key(n) for n in names] == keys


@given(st.text(min_size=1, max_size=60))
def test_bag_names_are_reversible_and_safe(key: str) -> None:
    name = bag_name(key)
    assert _safe(name)
    if "~" not in name:
        assert bag_key(name) == key


@given(st.text(min_size=1, max_size=60), st.text(min_size=1, max_size=60))
def test_distinct_keys_never_share_a_bag_name_even_ignoring_case(a: str, b: str) -> None:
    if a != b:
        assert bag_name(a).casefold() != bag_name(b).casefold()


def test_long_keys_are_shortened_without_collisions() -> None:
    a, b = "k" * 300 + "a", "k" * 300 + "b"
    assert bag_name(a) != bag_name(b)
    assert len(bag_name(a)) <= MAX_NAME and bag_key(bag_name(a)) is None


def test_colliding_keys_keep_their_own_local_copies(tmp_path: Path) -> None:
    keys = ["x:1", "x/1", "x_1", "..", "\ufb01\u2603"]
    for i, key in enumerate(keys):
        write_bag(tmp_path, key, f"http://a.test/{i}", f"copy {i}".encode(), "text/plain", WHEN)
    assert verify_all(tmp_path) == []
    assert not list(tmp_path.glob("*.replaced-*"))
    for i, key in enumerate(keys):
        bag = find_bag(tmp_path, key)
        assert bag_identifier(bag) == key
        assert (bag / "data" / "source.txt").read_bytes() == f"copy {i}".encode()
    bib = "".join(
        f"@online{{{k}, url = {{http://a.test/{i}}}, archivesha256 = "
        f"{{{hashlib.sha256(f'copy {i}'.encode()).hexdigest()}}}}}\n"
        for i, k in enumerate(keys))
    assert verify_records(records_from_file(parse(bib)), tmp_path) == []


def _legacy_bag(root: Path, key: str, payload: bytes) -> Path:
    """A bag as the old naming wrote it."""
    bag = write_bag(root / "scratch", key, "http://a.test/", payload, "text/plain", WHEN)
    old = root / legacy_bag_name(key)
    shutil.move(str(bag.path), old)
    return old


def test_bags_written_under_the_old_names_are_still_found(tmp_path: Path) -> None:
    old = _legacy_bag(tmp_path, "Smith:2021", b"old copy")
    assert old.name == "Smith_2021"
    assert find_bag(tmp_path, "Smith:2021") == old
    # a different key whose old name was the same does not take it for its own
    assert find_bag(tmp_path, "Smith/2021") == tmp_path / bag_name("Smith/2021")
    digest = hashlib.sha256(b"old copy").hexdigest()
    bib = f"@online{{Smith:2021, url = {{http://a.test/}}, archivesha256 = {{{digest}}}}}\n"
    assert verify_records(records_from_file(parse(bib)), tmp_path) == []


def test_a_new_copy_migrates_the_old_bag_and_keeps_its_payload(tmp_path: Path) -> None:
    _legacy_bag(tmp_path, "Smith:2021", b"old copy")
    bag = write_bag(tmp_path, "Smith:2021", "http://a.test/", b"new copy", "text/plain", WHEN)
    assert bag.path.name == bag_name("Smith:2021") == "_smith+3a2021"
    assert not (tmp_path / "Smith_2021").exists()
    kept = tmp_path / f"{bag.path.name}.replaced-20261121T120000"
    assert (kept / "data" / "source.txt").read_bytes() == b"old copy"


def test_an_old_bag_of_another_key_at_a_new_name_is_moved_to_its_own(tmp_path: Path) -> None:
    # The old name of "x:a1" is "x_a1", the new name of "xA1".
    _legacy_bag(tmp_path, "x:a1", b"theirs")
    assert bag_name("xA1") == "x_a1"
    migrate_bag(tmp_path, "xA1")
    assert bag_identifier(tmp_path / bag_name("x:a1")) == "x:a1"
    bag = write_bag(tmp_path, "xA1", "http://a.test/", b"mine", "text/plain", WHEN)
    assert (bag.path / "data" / "source.txt").read_bytes() == b"mine"
    assert (find_bag(tmp_path, "x:a1") / "data" / "source.txt").read_bytes() == b"theirs"
