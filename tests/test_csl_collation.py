"""bibvault.csl.collation: the engine's primary sort keys against pyuca's own algorithm."""

from __future__ import annotations

import pytest
import pyuca
from hypothesis import given, settings
from hypothesis import strategies as st

from bibvault.csl.collation import Collator, UcaTable, load_table


@pytest.fixture(scope="module")
def table() -> UcaTable:
    found = load_table()
    assert found is not None
    return found


@pytest.fixture(scope="module")
def reference() -> pyuca.collator.BaseCollator:
    return pyuca.Collator()


def _pyuca_primary(uca: pyuca.collator.BaseCollator, text: str) -> tuple[int, ...]:
    full = uca.sort_key(text)
    return tuple(full[:full.index(0)] if 0 in full else full)


def test_each_character_weighs_as_in_pyucas_trie(table: UcaTable, reference: pyuca.collator.BaseCollator) -> None:
    # Every code point of the planes text uses (the rest take pyuca's implicit weights
    # through the same function): its primary weights and the characters that may
    # follow it in a contraction.
    root = reference.table.root
    for cp in [*range(0x30000), *range(0xE0000, 0xE0200)]:
        node = root.children.get(cp)
        elements = node.value if node is not None and node.value else reference.implicit_weight(cp)
        assert table.primary(cp) == tuple(e[0] for e in elements if e[0]), hex(cp)
        followers = set(node.children) if node is not None and node.children else None
        assert table.followers.get(cp) == followers, hex(cp)


# Letters, marks and the characters that start contractions (l·, Cyrillic и with a
# breve, Thai prevowels), Han ideographs and a few unassigned code points.
_ALPHABET = st.sampled_from(
    [chr(c) for c in range(0x20, 0x250)] + [chr(c) for c in range(0x300, 0x370)]
    + list("·\u0387абвгдеёжзийклмн\u0e40\u0e01\u0e02中文字한국ひらがなカナ\U00020000\U000e0001\u0378")
    + ["\ufffe", "\U0010fffd"])


@pytest.fixture(scope="module")
def collator() -> Collator:
    return Collator()


@settings(max_examples=1000, deadline=None)
@given(text=st.text(_ALPHABET, max_size=14))
def test_primary_keys_are_pyucas(collator: Collator, reference: pyuca.collator.BaseCollator, text: str) -> None:
    assert collator.weights(text) == _pyuca_primary(reference, text)


def test_keys_order_names_as_before() -> None:
    collator = Collator()
    names = ["Ľubomír", "Lubomir", "Llull", "L·lull", "Ørsted", "Orsted", "Иван", "Йосиф", "Zhang", "张"]
    keys = [collator.key(n) for n in names]
    uca = pyuca.Collator()
    spaced = [n + "|" for n in names]  # the collator ends every key with a word boundary
    assert sorted(range(len(names)), key=keys.__getitem__) == sorted(
        range(len(names)), key=lambda i: _pyuca_primary(uca, spaced[i]))
