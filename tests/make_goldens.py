"""Regenerate the CSL goldens (tests/golden/csl/) from the reference processor.

The reference is citeproc-js, set up by ``../shared/oracle/setup.sh DIR``::

    python tests/make_goldens.py [--oracle DIR] [--styles apa,ieee] [--check]

For every style and format (text, html) two files are written:

- ``<style>.bib.<format>.json``: the bibliography, in the style's order, as a list
  of ``{"id", "entry"}``; items the style leaves out are absent.
- ``<style>.cite.<format>.json``: each item cited alone, after the whole corpus
  was registered (so year suffixes and added initials apply), as ``{"id", "entry"}``
  in corpus order.

The script reports which entries changed; read them before committing.
``--check`` writes nothing and exits 1 when a golden is out of date.

``--xfail`` does not run the reference: it renders the corpus with
bibvault.csl, compares it with the goldens as tests/test_csl_golden.py does,
and rewrites tests/csl_golden_xfail.txt: one line per differing case with the
known cause when the difference matches one (``KNOWN_CAUSES``), else the first
difference. Read the new lines; give them a real reason when you can.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "data" / "csl-corpus.json"
GOLDEN_DIR = HERE / "golden" / "csl"
STYLES = ("apa", "mla", "chicago-ad", "chicago-nb", "ieee", "harvard")
FORMATS = ("text", "html")


def default_oracle() -> Path:
    """Where setup.sh was told to install the reference processor."""
    env = os.environ.get("BIBVAULT_ORACLE")
    return Path(env) if env else Path.home() / ".cache" / "bibvault-oracle"


def run_oracle(oracle: Path, corpus: Path, style: str, fmt: str) -> dict[str, Any]:
    """The reference processor's JSON output for one style and format."""
    proc = subprocess.run(
        ["node", str(oracle / "render.js"), str(corpus), style, fmt, "--json"],
        capture_output=True, text=True, check=False, timeout=600,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"render.js {style} {fmt} failed: {proc.stderr.strip()}")
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def goldens_for(output: dict[str, Any]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(bibliography, citations) rows from one oracle run."""
    bib = [{"id": r["id"], "entry": r["entry"]} for r in output["bibliography"]]
    cites = [{"id": c["id"], "entry": c["text"]} for c in output["citations"]]
    for c in cites:
        if c["entry"].startswith("ERROR:"):
            raise RuntimeError(f"the reference failed on {c['id']}: {c['entry']}")
    return bib, cites


def describe_changes(path: Path, rows: list[dict[str, str]]) -> list[str]:
    """Human-readable differences between the file at ``path`` and ``rows``."""
    if not path.exists():
        return [f"{path.name}: new ({len(rows)} entries)"]
    old = {r["id"]: r["entry"] for r in json.loads(path.read_text(encoding="utf-8"))}
    new = {r["id"]: r["entry"] for r in rows}
    lines = []
    for key in sorted(old.keys() | new.keys()):
        if old.get(key) != new.get(key):
            lines.append(f"{path.name}: {key}\n  - {old.get(key)}\n  + {new.get(key)}")
    old_order = [r["id"] for r in json.loads(path.read_text(encoding="utf-8"))]
    if not lines and old_order != [r["id"] for r in rows]:
        lines.append(f"{path.name}: order changed")
    return lines


def dump(rows: list[dict[str, str]]) -> str:
    """The golden file text: one entry per line, stable, readable in a diff."""
    body = ",\n".join(json.dumps(r, ensure_ascii=False) for r in rows)
    return f"[\n{body}\n]\n"


# Differences already understood: (pattern over "reference «…» vs bibvault «…»", cause).
KNOWN_CAUSES: tuple[tuple[str, str], ...] = (
    (r"n\.d\.", "the no-date term (“n.d.”) is not rendered for an item without a date"),
    (r"«[^»]*(ACLED|NPR)[^»]*» vs bibvault «[^»]*(Acled|Npr)",
     "an all-capitals word (ACLED, NPR) is changed by text-case"),
    (r"\[\d+\] ", "text output has no space between the left-margin label and the entry"),
    (r"(vs bibvault «[^»]*2021[abc]|«\([AJM]\. Smith)",
     "givenname disambiguation (J. Smith / A. Smith) is not tried before year suffixes"),
    (r"2019[bc]", "year suffixes of same-author same-year items are assigned in another order"),
    (r" (Under|After|During|Through|Against) ",
     "title case capitalises a short preposition (under, after, during, through, against)"),
    (r"e1012–e?24", "page-range-format does not shorten a range with a letter prefix"),
    (r"[Nn]o\. 2021/7", "the “no.” label is missing before a non-numeric number (2021/7)"),
    (r"J\.-w\.", "a hyphenated romanised given name (Jae-won) is initialised as J.-w., not J."),
    (r"\. “[^»]*» vs bibvault «[^“»]*\. (<i>)?[A-Z]",
     "the title loses its quotes (italic in HTML) when the outlet takes the author's place"),
    (r"^sorted elsewhere: odonnell2021mulls$",
     "O’Donnell sorts elsewhere (the apostrophe in a family name)"),
    (r"k-Nearest[^»]*» vs bibvault «[^»]*K-Nearest",
     "title case capitalises the single letter in “k-Nearest”; the reference keeps it lower case"),
    (r"l’Afghanistan\u202f:", "the reference sets a narrow no-break space before a colon in a "
                              "French title"),
    (r"(«[^»]*Fišer, Darja|«Darja Fišer)[^»]*» vs bibvault «[^»]*D\. Fišer",
     "the editors of a book without authors are initialised where the reference writes them "
     "in full"),
    (r"«\(Fišer et al\.[^»]*» vs bibvault «\(D\. Fišer",
     "the editor standing in for the missing author gets an initial (D. Fišer) in the citation"),
    (r"«Rahimi, Farid, (Omid Karimi|Zahra Sadat), et al\.",
     "MLA: the reference names a second author before “et al.” to tell Rahimi’s 2019 papers "
     "apart (and then repeats the names instead of “———”)"),
    (r"[中毛].*<i>", "the reference does not italicise titles in CJK script"),
    (r"\[Online( Video)?\]\. Available", "the “[Online]” term before “Available:” is missing"),
    (r"““No Forgiveness", "quotation marks inside a quoted title are not flipped to single"),
)


def first_difference(expected: str, produced: str) -> str:
    """``reference «…» vs bibvault «…»`` around the first difference."""
    matcher = difflib.SequenceMatcher(None, expected, produced, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            return (f"reference «{expected[max(0, i1 - 15):i2 + 15]}» vs "
                    f"bibvault «{produced[max(0, j1 - 15):j2 + 15]}»")
    return "identical"


def xfail_lines(corpus: Path) -> list[str]:
    """``<test id>  # cause`` for every case where bibvault.csl differs from the goldens."""
    sys.path.insert(0, str(HERE))
    import test_csl_golden as g  # the comparison the tests make, not a copy of it
    from bibvault.csl import Processor, load_style

    items = json.loads(corpus.read_text(encoding="utf-8"))
    differences: dict[str, str] = {}
    for style in g.STYLES:
        proc = Processor(load_style(style), items, locale="en-US")
        for fmt in g.FORMATS:
            produced = {"bib": dict(proc.bibliography(fmt)),
                        "cite": {str(i["id"]): proc.cite([str(i["id"])], fmt) for i in items}}
            for kind in g.KINDS:
                for row in g.golden(style, kind, fmt):
                    got = produced[kind].get(row["id"], "")
                    if fmt == "text":
                        want, have = row["entry"], g.clean_text(got)
                    else:
                        want, have = g.normalise_html(row["entry"]), g.normalise_html(got)
                    if want != have:
                        differences[f"{style}-{kind}-{fmt}-{row['id']}"] = \
                            first_difference(want, have)
            if fmt == "text":
                order = [r["id"] for r in g.golden(style, "bib", "text")]
                ours = [k for k, v in produced["bib"].items() if v.strip()]
                if ours != order:
                    moved = [d[2:] for d in difflib.ndiff(order, ours) if d[0] == "-"]
                    differences[f"order-{style}"] = f"sorted elsewhere: {', '.join(moved)}"
    lines = []
    for test_id, diff in sorted(differences.items()):
        cause = next((c for pattern, c in KNOWN_CAUSES if re.search(pattern, diff)), diff)
        lines.append(f"{test_id}  # {cause}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--oracle", type=Path, default=default_oracle())
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--styles", default=",".join(STYLES))
    parser.add_argument("--check", action="store_true", help="report only; exit 1 if stale")
    parser.add_argument("--xfail", action="store_true",
                        help="rewrite the xfail list from bibvault.csl's current output")
    args = parser.parse_args(argv)
    if args.xfail:
        lines = xfail_lines(args.corpus)
        header = ("# Known differences between bibvault.csl and the reference processor "
                  "(citeproc-js).\n# <test id>  # cause of the first difference. Strict xfails: regenerate with "
                  "`python tests/make_goldens.py --xfail` when the engine changes.\n")
        (HERE / "csl_golden_xfail.txt").write_text(header + "".join(f"{x}\n" for x in lines),
                                                   encoding="utf-8")
        print(f"{len(lines)} known difference(s) written to csl_golden_xfail.txt")
        return 0
    if not (args.oracle / "render.js").exists():
        print(f"no reference processor in {args.oracle}: run ../shared/oracle/setup.sh "
              f"{args.oracle}", file=sys.stderr)
        return 2
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    changes: list[str] = []
    for style in args.styles.split(","):
        for fmt in FORMATS:
            bib, cites = goldens_for(run_oracle(args.oracle, args.corpus, style, fmt))
            for kind, rows in (("bib", bib), ("cite", cites)):
                path = GOLDEN_DIR / f"{style}.{kind}.{fmt}.json"
                changes.extend(describe_changes(path, rows))
                if not args.check:
                    path.write_text(dump(rows), encoding="utf-8")
    for line in changes:
        print(line)
    print(f"{len(changes)} change(s)" + (" (not written)" if args.check else ""))
    return 1 if args.check and changes else 0


if __name__ == "__main__":
    sys.exit(main())
