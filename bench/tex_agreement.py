"""How often bibvault's TeX reader gives the text biber gives, over whole corpora.

``biber --tool --output-encoding=UTF-8`` rewrites a .bib file with the LaTeX character
macros (accents, ``\\ss``, ``\\textendash``, …) decoded to UTF-8. Where biber decodes a
value fully (no backslash left in its output), its text is the reference for
:func:`bibvault.bibfile.tex.to_unicode` of the same value. biber leaves what TeX itself
turns into characters when typesetting: grouping braces, math shifts and the font's
ligatures (``--``, ``---``, `````, ``''``, ``~``); the reference applies those, the way
TeX prints them, before comparing (whitespace runs count as one space).

Name fields (biber rewrites name lists), dates, page ranges (biber rewrites "12-23" as
"12--23", biblatex's range model, not decoding) and verbatim fields (url, doi, …) are not
compared. Run::

    python bench/tex_agreement.py [CORPUS_DIR] [--cache DIR] [--show 20]
        [--write-sample tests/data/tex_biber_sample.json]

biber runs once per file; with ``--cache`` its outputs are kept and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from bibvault.bibfile import load, parse
from bibvault.bibfile.tex import to_unicode

#: biber's name for a field it renames on input
ALIASES = {"journal": "journaltitle", "address": "location", "school": "institution",
           "annote": "annotation", "archiveprefix": "eprinttype", "primaryclass": "eprintclass",
           "key": "sortkey"}
SKIPPED = frozenset({
    "author", "editor", "translator", "bookauthor", "editora", "editorb", "editorc",
    "annotator", "commentator", "introduction", "foreword", "afterword", "holder",
    "date", "year", "month", "day", "urldate", "origdate", "eventdate", "url", "doi",
    "eprint", "file", "pdf", "verba", "verbb", "verbc", "crossref", "xref", "xdata", "ids",
    "keywords", "options", "entryset", "related", "timestamp", "biburl", "bibsource",
    "urlstatus", "archiveurl", "archivedate", "archivesha256", "sortkey", "langid", "pages",
})
_LIGATURES = (("---", "—"), ("--", "–"), ("``", "“"), ("''", "”"), ("`", "‘"), ("~", "\u00a0"))


_MATH_SHIFT = re.compile(r"(?<!\\)\$")


def typeset(biber_value: str, tex: str) -> str:
    """biber's decoded text as TeX would print it: braces gone, ligatures made, and ``$``
    gone where the value (``tex``) shifts to math (biber also writes ``\\textdollar`` as
    ``$``, a dollar sign TeX prints)."""
    text = biber_value.replace("{", "").replace("}", "")
    if _MATH_SHIFT.search(tex):
        text = text.replace("$", "")
    for lig, char in _LIGATURES:
        text = text.replace(lig, char)
    return unicodedata.normalize("NFC", re.sub(r"[ \t\r\n]+", " ", text).strip())


def ours(tex: str) -> str:
    """bibvault's text for a value, as records hold it."""
    return re.sub(r"[ \t\r\n]+", " ", to_unicode(tex)).strip()


def run_biber(bib: Path, cache: Path) -> Path | None:
    """biber's tool-mode output for ``bib`` (cached), or None when biber fails."""
    out = cache / f"{bib.stem}.biber.bib"
    if not out.exists():
        done = subprocess.run(
            ["biber", "--tool", "--output-encoding=UTF-8", "--quiet",
             f"--output-file={out}", str(bib)],
            cwd=cache, capture_output=True, text=True, check=False)
        if not out.exists():  # biber reports syntax errors but writes what it read
            print(f"{bib.name}: biber failed: {done.stderr.strip()[:200]}", file=sys.stderr)
            return None
    return out


def pairs(bib: Path, reference: Path) -> Iterator[tuple[str, str, str, str]]:
    """(key, field, TeX value, biber's value) for every comparable field of ``bib``."""
    biber_entries: dict[str, dict[str, str]] = {}
    for entry in parse(reference.read_bytes(), path=str(reference)).entries:
        values = {f.name.lower(): entry.value(f.name) or "" for f in entry.fields}
        biber_entries.setdefault(entry.key, values)
    for entry in load(bib).entries:
        theirs = biber_entries.get(entry.key)
        if theirs is None:
            continue
        seen: set[str] = set()
        for f in entry.fields:
            name = f.name.lower()
            if name in SKIPPED or name in seen:
                continue
            seen.add(name)
            value = entry.value(f.name)
            alias = ALIASES.get(name, name)
            if alias != name and entry.field(alias) is not None:
                continue  # both spellings given: biber keeps the other one
            reference_value = theirs.get(alias)
            if value is None or reference_value is None:
                continue
            yield entry.key, name, value, reference_value


def main() -> int:
    """Compare over every .bib file below the corpus directory; print the agreement."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path,
                        default=Path(os.environ.get("BIBVAULT_CORPORA", "/work/shared/corpora")))
    parser.add_argument("--cache", type=Path, help="keep biber's outputs here and reuse them")
    parser.add_argument("--show", type=int, default=10, help="differing values to print")
    parser.add_argument("--write-sample", type=Path,
                        help="write a sample of (TeX, biber) pairs as JSON for the tests")
    parser.add_argument("--seed", type=int, default=10)
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    cache = args.cache or Path(tmp.name)
    cache.mkdir(parents=True, exist_ok=True)
    total = same = undecoded = 0
    differing: list[dict[str, str]] = []
    agreeing: list[dict[str, str]] = []
    for bib in sorted(args.corpus.rglob("*.bib")):
        reference = run_biber(bib, cache)
        if reference is None:
            continue
        n = k = left = 0
        for key, name, tex, theirs in pairs(bib, reference):
            if "\\" in theirs:
                left += 1  # biber did not decode it fully: no reference
                continue
            n += 1
            case = {"file": bib.name, "key": key, "field": name, "tex": tex, "biber": theirs,
                    "reference": typeset(theirs, tex)}
            if ours(tex) == case["reference"]:
                k += 1
                if "\\" in tex or "{" in tex:
                    agreeing.append(case)
            else:
                differing.append(case)
        total, same, undecoded = total + n, same + k, undecoded + left
        print(f"{bib.name:45} {k:7}/{n:<7} {100 * k / max(n, 1):6.2f}%   "
              f"(+{left} not fully decoded by biber)")
    print(f"{'all':45} {same:7}/{total:<7} {100 * same / max(total, 1):6.2f}%   "
          f"(+{undecoded} not fully decoded by biber)")
    for case in differing[: args.show]:
        print(f"\n{case['file']} {case['key']} {case['field']}\n  TeX:    {case['tex']!r}\n"
              f"  biber:  {case['reference']!r}\n  ours:   {ours(case['tex'])!r}")
    if args.write_sample:
        rng = random.Random(args.seed)
        sample = rng.sample(agreeing, min(60, len(agreeing)))
        sample += rng.sample(differing, min(30, len(differing)))
        sample.sort(key=lambda c: (c["file"], c["key"], c["field"]))
        args.write_sample.write_text(json.dumps(sample, ensure_ascii=False, indent=1) + "\n",
                                     encoding="utf-8")
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
