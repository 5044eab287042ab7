"""Rules across records: duplicates (D6xx) and the topic vocabulary (T3xx)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bibvault.findings import Finding
from bibvault.records import Record
from bibvault.rules import finding

_TRACKING = re.compile(r"^(utm_|fbclid$|gclid$|mc_|ref$|ref_src$)")


def normalise_url(url: str) -> str:
    """A URL in a form where trivially different spellings of one address compare equal."""
    try:
        p = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    query = urlencode([(k, v) for k, v in parse_qsl(p.query, keep_blank_values=True)
                       if not _TRACKING.match(k)])
    host = (p.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    path = p.path.rstrip("/") or ""
    return urlunsplit(("", host, path, query, ""))


def normalise_title(title: str) -> str:
    """Title folded for comparison: accents, case, punctuation and spacing ignored."""
    text = unicodedata.normalize("NFKD", title)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def check_duplicates(records: Iterable[Record]) -> Iterator[Finding]:
    """Duplicate keys, and records that are the same work (URL, DOI, title and year)."""
    # (key, file, line) of the first record of each probe: not the records, so that
    # records can be checked one at a time and dropped.
    seen_keys: dict[str, tuple[str, str, int]] = {}
    by: dict[str, dict[str, tuple[str, str, int]]] = {"D602": {}, "D603": {}, "D604": {}}
    for rec in records:
        k = rec.key.casefold()
        if k in seen_keys:
            _, first_file, first_line = seen_keys[k]
            yield finding("D601", f"key {rec.key!r} is already used at {first_file}:{first_line}",
                          file=rec.file, line=rec.line, column=1, key=rec.key)
            continue
        here = (rec.key, rec.file, rec.line)
        seen_keys[k] = here
        probes = {
            "D602": normalise_url(rec.url) if rec.url else None,
            "D603": rec.fields.get("doi", "").strip().lower() or None,
            "D604": None,
        }
        if rec.title and rec.date and rec.date.year is not None:
            probes["D604"] = f"{normalise_title(rec.title)}|{rec.date.year}"
        what = {"D602": "URL", "D603": "DOI", "D604": "title and year"}
        for code, probe in probes.items():
            if not probe:
                continue
            other = by[code].get(probe)
            if other is not None:
                yield finding(code, f"same {what[code]} as {other[0]!r} ({other[1]}:{other[2]})",
                              file=rec.file, line=rec.line, column=1, key=rec.key)
            else:
                by[code][probe] = here


def check_topics(records: Iterable[Record], vocabulary: Mapping[str, object]) -> Iterator[Finding]:
    """Topics must come from the configured vocabulary (skipped when there is none)."""
    for rec in records:
        line, col = rec.location("keywords")
        topics = rec.topics
        if not topics:
            yield finding("T302", "no topics (keywords)", file=rec.file, line=rec.line, column=1,
                          key=rec.key)
            continue
        seen: set[str] = set()
        for t in topics:
            if t in seen:
                yield finding("T303", f"topic {t!r} is listed twice", file=rec.file, line=line,
                              column=col, key=rec.key)
            seen.add(t)
            if vocabulary and t not in vocabulary:
                close = [v for v in vocabulary if v.casefold() == t.casefold()]
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                yield finding("T301", f"topic {t!r} is not in the vocabulary{hint}", file=rec.file,
                              line=line, column=col, key=rec.key)
