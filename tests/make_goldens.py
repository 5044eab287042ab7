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
"""

from __future__ import annotations

import argparse
import json
import os
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--oracle", type=Path, default=default_oracle())
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--styles", default=",".join(STYLES))
    parser.add_argument("--check", action="store_true", help="report only; exit 1 if stale")
    args = parser.parse_args(argv)
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
