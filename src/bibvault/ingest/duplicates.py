"""Is this source already in the collection? Exact and fuzzy duplicate tiers.

Exact: the same DOI, the same canonical URL, the same video, the same PDF bytes,
or the same title with the same creators and year; such a source is refused (``--force`` adds it anyway). Fuzzy: the same or a very
similar title, with a creator in common (or none on one side) and years at most
one apart; that is a warning that names the record already there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from bibvault.identity import normalise_doi, normalise_title, normalise_url, video_id
from bibvault.ingest.candidate import Candidate
from bibvault.ingest.keys import ascii_word
from bibvault.records import Record

#: Title similarity (0–100, rapidfuzz's token-sort ratio) from which two titles may be one work.
TITLE_SIMILARITY = 90.0


@dataclass(frozen=True)
class Duplicate:
    """A record (or an earlier source of the same batch) that ``candidate`` may repeat."""

    key: str
    file: str
    line: int
    reason: str
    exact: bool


@dataclass
class _Known:
    key: str
    file: str
    line: int
    title: str
    creators: frozenset[str]
    year: int | None


@dataclass
class DuplicateIndex:
    """What is known, indexed for look-ups; built once per run, grown as records are added."""

    exact: dict[tuple[str, str], _Known] = field(default_factory=dict)
    known: list[_Known] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    by_title: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def of_records(cls, records: Iterable[Record]) -> DuplicateIndex:
        """An index of the records of a collection."""
        index = cls()
        for rec in records:
            creators = frozenset(
                w for role in ("author", "editor")
                for p in rec.people.get(role, ())
                if (w := ascii_word(" ".join(p.last_names) or " ".join(p.first_names)))
            )
            year = rec.date.year if rec.date is not None else None
            known = _Known(rec.key, rec.file, rec.line, rec.title, creators, year)
            ids = _identities(rec.fields.get("doi", ""), rec.fields.get("url", ""),
                              rec.fields.get("archivesha256"))
            index._add(known, ids)
        return index

    def add(self, candidate: Candidate, key: str, file: str, line: int) -> None:
        """Remember a candidate accepted in this run, so that the batch is checked too."""
        known = _Known(key, file, line, candidate.title, _candidate_creators(candidate),
                       candidate.year)
        self._add(known, _identities(candidate.fields.get("doi", ""),
                                     candidate.fields.get("url", ""), candidate.sha256))

    def _add(self, known: _Known, ids: list[tuple[str, str]]) -> None:
        for ident in ids:
            self.exact.setdefault(ident, known)
        if known.title:
            self.by_title.setdefault(normalise_title(known.title), []).append(len(self.known))
        self.known.append(known)
        self.titles.append(normalise_title(known.title))

    def find(self, candidate: Candidate) -> list[Duplicate]:
        """Every known record that ``candidate`` repeats, exact matches first."""
        out: list[Duplicate] = []
        seen: set[str] = set()
        what = {"doi": "same DOI", "url": "same URL", "video": "same video",
                "sha256": "same file (SHA-256)"}
        for ident in _identities(candidate.fields.get("doi", ""),
                                 candidate.fields.get("url", ""), candidate.sha256):
            hit = self.exact.get(ident)
            if hit is not None and hit.key not in seen:
                seen.add(hit.key)
                out.append(Duplicate(hit.key, hit.file, hit.line,
                                     f"{what[ident[0]]} ({ident[1]})", True))
        title = normalise_title(candidate.title)
        if not title:
            return out
        creators, year = _candidate_creators(candidate), candidate.year
        for i in self.by_title.get(title, []):
            # Without an identifier, the same title, creators and year are the same record
            # (a file imported twice); anything less is only a possible duplicate.
            k = self.known[i]
            if k.key not in seen and k.creators == creators and k.year == year:
                seen.add(k.key)
                out.append(Duplicate(k.key, k.file, k.line,
                                     "same title, creators and year", True))
        matches = [(i, 100.0) for i in self.by_title.get(title, [])]
        matches += [(i, score) for _, score, i in process.extract(
            title, self.titles, scorer=fuzz.token_sort_ratio, score_cutoff=TITLE_SIMILARITY,
            limit=20)]
        for i, score in matches:
            k = self.known[i]
            if k.key in seen or not _compatible(creators, k.creators, year, k.year):
                continue
            seen.add(k.key)
            how = "same title" if score >= 100 else f"similar title ({score:.0f}% alike)"
            out.append(Duplicate(k.key, k.file, k.line, how, False))
        return out


def _identities(doi: str, url: str, sha256: str | None) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if doi and (d := normalise_doi(doi)):
        out.append(("doi", d))
    if url:
        out.append(("url", normalise_url(url)))
        if (v := video_id(url)) is not None:
            out.append(("video", v))
        if (d := normalise_doi(url)) is not None and "doi" not in (k for k, _ in out):
            out.append(("doi", d))
    if sha256:
        out.append(("sha256", sha256.lower()))
    return out


def _candidate_creators(candidate: Candidate) -> frozenset[str]:
    return frozenset(
        w for role in ("author", "editor") for c in candidate.creators.get(role, [])
        if (w := ascii_word(c.family or c.literal or c.given))
    )


def _compatible(a: frozenset[str], b: frozenset[str], ya: int | None, yb: int | None) -> bool:
    if a and b and not a & b:
        return False
    return ya is None or yb is None or abs(ya - yb) <= 1


def find_duplicates(candidate: Candidate, records: Sequence[Record],
                    others: Sequence[tuple[str, Candidate]] = ()) -> list[Duplicate]:
    """The records (and ``(key, candidate)`` pairs of the same batch) ``candidate`` repeats."""
    index = DuplicateIndex.of_records(records)
    for key, other in others:
        index.add(other, key, other.source, 0)
    return index.find(candidate)
