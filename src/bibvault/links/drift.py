"""Content drift: has a live page's main text changed since it was cited?

A page's *fingerprint* is its title and a MinHash sketch of its main text
(boilerplate, navigation, ads and comments left out by trafilatura). Two
sketches estimate the Jaccard similarity of the two texts' word 3-shingles;
below a threshold the page has changed. Everything here is a pure function.

Why MinHash rather than SimHash: the MinHash estimate *is* the Jaccard
similarity (0 for unrelated texts, 1 for equal ones) with a known error
(about 1/sqrt(k)), so the number reported to users means what it says and the
threshold is a share of shared phrases. A 64-bit SimHash of two unrelated
texts is still about half equal, which makes its 0..1 scale hard to read.

Why numpy: the sketch is 128 hash functions over every shingle (25,000
multiplications modulo a 61-bit prime for a 200-word page), 4 ms a page in
Python integers and 0.1 ms as arrays. The arithmetic is exact, so the values
are the very ones the pure-Python formula gives: sketches stored by earlier
versions stay comparable.
"""

from __future__ import annotations

import enum
import hashlib
import html
import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

#: Number of hash functions in a sketch; the estimate's standard error is about 1/sqrt(128).
SKETCH_SIZE = 128
SHINGLE = 3
#: Fewer words than this on either side and the comparison says nothing useful.
MIN_WORDS = 8

_PRIME = (1 << 61) - 1


def _coefficients() -> tuple[tuple[int, int], ...]:
    # Derived from fixed strings by a fixed hash, not from the random module (whose
    # algorithms may change between Python versions): stored sketches must stay
    # comparable across runs, versions and machines.
    def number(label: str) -> int:
        return int.from_bytes(hashlib.blake2b(label.encode(), digest_size=16).digest(), "big")

    return tuple((number(f"bibvault-minhash-a-{i}") % (_PRIME - 1) + 1,
                  number(f"bibvault-minhash-b-{i}") % _PRIME) for i in range(SKETCH_SIZE))


_COEFFS = _coefficients()
_WORD = re.compile(r"\w+", re.UNICODE)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)
#: Shingles hashed per block: bounds the arrays (block x 128 values) for a long text.
_BLOCK = 2048


class Content(enum.StrEnum):
    """Whether a live page still holds what was cited."""

    UNCHANGED = "unchanged"
    CHANGED = "changed"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """A page's title, the MinHash sketch of its main text, and its word count.

    ``sketch`` is empty when no main text could be extracted.
    """

    title: str
    sketch: tuple[int, ...]
    words: int

    def to_bytes(self) -> bytes:
        """The sketch packed for storage (8 bytes per value, big-endian)."""
        return struct.pack(f">{len(self.sketch)}Q", *self.sketch)

    @classmethod
    def from_stored(cls, title: str, blob: bytes, words: int) -> Fingerprint:
        """A fingerprint from :meth:`to_bytes` output and its stored title and word count."""
        n = len(blob) // 8
        return cls(title, struct.unpack(f">{n}Q", blob[: n * 8]), words)


@dataclass(frozen=True, slots=True)
class Drift:
    """The verdict of comparing a live page with its fingerprint from the time of citation."""

    content: Content
    similarity: float | None = None
    detail: str = ""


def main_text(page: bytes | str, url: str | None = None) -> tuple[str, str]:
    """The (title, main text) of an HTML page; ``("", "")`` when nothing can be extracted."""
    raw = page.encode("utf-8", "replace") if isinstance(page, str) else page
    if not raw.strip():
        return "", ""
    # Imported here, not at the top: it costs 0.4 s, which every command that
    # imports the link history (fmt, build) would pay without extracting a page.
    import trafilatura
    from trafilatura.metadata import extract_title
    title, text = "", ""
    try:
        tree = trafilatura.load_html(raw)
        if tree is not None:
            # Only the title of the metadata is used: asking for all of it would
            # also search the page for its date (half the extraction's time).
            title = extract_title(tree) or ""
            doc = trafilatura.bare_extraction(tree, url=url, include_comments=False,
                                              include_tables=True, with_metadata=False)
            text = (getattr(doc, "text", None) or "") if doc else ""
    except (ValueError, TypeError, AttributeError, LookupError):
        pass  # trafilatura gives up on some malformed input with these
    title = title or title_of(raw) or ""
    return " ".join(title.split()), text


def title_of(body: bytes) -> str | None:
    """The text of the first ``<title>`` in an HTML prefix, whitespace collapsed."""
    m = _TITLE.search(body)
    if not m:
        return None
    text = m.group(1).decode("utf-8", errors="replace")
    return " ".join(html.unescape(text).split())


def words(text: str) -> list[str]:
    """The lower-cased words of ``text``."""
    return [w.casefold() for w in _WORD.findall(text)]


def shingles(tokens: list[str], size: int = SHINGLE) -> set[str]:
    """The set of ``size``-word runs in ``tokens`` (the whole text if shorter)."""
    if len(tokens) < size:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i:i + size]) for i in range(len(tokens) - size + 1)}


def sketch(features: Iterable[str]) -> tuple[int, ...]:
    """The MinHash sketch of a set of strings: for each hash function
    ``(a * x + b) mod (2**61 - 1)`` over the strings' 64-bit hashes ``x``, the least value."""
    # Imported here, as trafilatura is: numpy's start (its thread pools included)
    # would weigh on every command that imports the link history without sketching.
    import numpy as np

    digests = b"".join(hashlib.blake2b(f.encode(), digest_size=8).digest() for f in set(features))
    if not digests:
        return ()
    bases = np.frombuffer(digests, dtype=">u8").astype(np.uint64)
    a = np.array([a for a, _ in _COEFFS], dtype=np.uint64)
    b = np.array([b for _, b in _COEFFS], dtype=np.uint64)
    least = np.full(len(_COEFFS), _PRIME, dtype=np.uint64)
    rows = min(len(bases), _BLOCK)
    work = [np.empty((rows, len(_COEFFS)), dtype=np.uint64) for _ in range(3)]
    for start in range(0, len(bases), _BLOCK):
        chunk = bases[start:start + _BLOCK]
        hashed = _hashes(chunk, a, b, [w[:len(chunk)] for w in work])
        np.minimum(least, hashed.min(axis=0), out=least)
    return tuple(int(v) for v in least)


def _hashes(x: np.ndarray, a: np.ndarray, b: np.ndarray, work: list[np.ndarray]) -> np.ndarray:
    """``(a * x + b) mod P`` for every ``x`` (rows) and every coefficient pair (columns),
    exactly, in 64-bit arithmetic, computed in ``work`` (three arrays of that shape,
    the first of which is returned).

    With ``x`` reduced below ``P = 2**61 - 1``, both factors split into 32-bit
    halves whose partial products fit 64 bits; since ``2**61`` is 1 modulo ``P``,
    each piece folds back below ``2**61`` by shifts and masks. Every step writes
    into ``work``: the arithmetic is a few passes over a small array, and
    allocating a new array for each step cost as much as the steps.
    """
    import numpy as np

    p = np.uint64(_PRIME)
    total, t, u = work
    a_hi, a_lo = a >> np.uint64(32), a & np.uint64(0xFFFFFFFF)
    x = (x % p)[:, None]
    x_hi, x_lo = x >> np.uint64(32), x & np.uint64(0xFFFFFFFF)
    np.multiply(a_hi, x_hi, out=total)                   # < 2**58, weight 2**64 = 8 (mod P)
    np.left_shift(total, np.uint64(3), out=total)
    np.multiply(a_hi, x_lo, out=t)                       # mid: < 2**62, weight 2**32
    np.multiply(a_lo, x_hi, out=u)
    np.add(t, u, out=t)
    np.right_shift(t, np.uint64(29), out=u)
    np.add(total, u, out=total)
    np.bitwise_and(t, np.uint64((1 << 29) - 1), out=t)
    np.left_shift(t, np.uint64(32), out=t)
    np.add(total, t, out=total)
    np.multiply(a_lo, x_lo, out=t)                       # lo: < 2**64
    np.bitwise_and(t, p, out=u)
    np.add(total, u, out=total)
    np.right_shift(t, np.uint64(61), out=u)
    np.add(total, u, out=total)
    np.add(total, b, out=total)                          # < 2**64: no wrap-around
    np.right_shift(total, np.uint64(61), out=u)
    np.bitwise_and(total, p, out=total)
    np.add(total, u, out=total)                          # < 2 * P
    # v - P wraps round to more than v when v < P: the smaller of the two is v mod P.
    np.subtract(total, p, out=u)
    np.minimum(total, u, out=total)
    return total


def page_digest(page: bytes) -> bytes:
    """What identifies a page's bytes: equal digests, equal fingerprints, so a page
    whose digest is stored need not be extracted again."""
    return hashlib.blake2b(page, digest_size=16).digest()


def fingerprint(page: bytes | str, url: str | None = None) -> Fingerprint:
    """The fingerprint of an HTML page."""
    title, text = main_text(page, url)
    tokens = words(text)
    return Fingerprint(title, sketch(shingles(tokens)), len(tokens))


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """The estimated Jaccard similarity of two fingerprints' texts, 0..1."""
    if not a.sketch or len(a.sketch) != len(b.sketch):
        return 0.0
    same = sum(1 for x, y in zip(a.sketch, b.sketch, strict=True) if x == y)
    return same / len(a.sketch)


def compare(cited: Fingerprint | None, live: Fingerprint | None, threshold: float) -> Drift:
    """``unchanged`` when the live text is at least ``threshold`` similar to the cited one.

    ``unknown`` when either side is missing or too short to judge: a page whose
    text could not be extracted (a script-only page) is not evidence of change.
    A cited page with text whose live version has none has changed.
    """
    if cited is None or live is None:
        return Drift(Content.UNKNOWN, None, "no fingerprint from the time of citation"
                     if cited is None else "no live text")
    if cited.words < MIN_WORDS:
        return Drift(Content.UNKNOWN, None, "too little text in the cited page to compare")
    if live.words < MIN_WORDS:
        return Drift(Content.CHANGED, 0.0, "the live page has almost no text")
    score = round(similarity(cited, live), 3)
    if score >= threshold:
        return Drift(Content.UNCHANGED, score, f"similarity {score:.2f}")
    return Drift(Content.CHANGED, score,
                 f"similarity {score:.2f} < {threshold:.2f}" + _titles(cited, live))


def _titles(cited: Fingerprint, live: Fingerprint) -> str:
    if cited.title and live.title and cited.title != live.title:
        return f"; title was {cited.title!r}, now {live.title!r}"
    return ""
