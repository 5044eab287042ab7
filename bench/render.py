"""Bibliography rendering speed: bibvault.csl against citeproc-js, side by side.

    python bench/render.py [--corpus acl,dblp | FILE ...] [--styles apa,ieee]
                           [--limit N] [--oracle DIR] [--no-oracle]

Default corpora: the ACL Anthology 2016–2021 and dblp 2019 files in
/work/shared/corpora/large/. Each corpus is parsed with bibvault (records,
else pybtex when bibvault.records is unavailable), mapped to CSL-JSON once,
then rendered as a whole bibliography in each style by bibvault.csl in this
process and by the reference processor (node render.js, set up with
../shared/oracle/setup.sh) on the same CSL-JSON.

Both sides do the same work: compile the style, register every item, sort,
disambiguate and render the whole bibliography as text. bibvault's time starts
after its modules are imported; citeproc-js's whole node run is timed, and a
run of the same style on an empty corpus (node start-up, loading citeproc,
compiling the style) is timed separately and subtracted for its entries/s.
The table also shows how many entries the two render identically.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bibvault.collection import load_collection
from bibvault.csl import Processor, load_style
from bibvault.csljson import records_to_csl

CORPORA = {
    "acl": Path("/work/shared/corpora/large/acl-anthology-2016-2021.bib"),
    "dblp": Path("/work/shared/corpora/large/dblp-2019.bib"),
}


def load_items(path: Path, limit: int | None) -> tuple[list[dict[str, Any]], float, str]:
    """(CSL-JSON items, seconds to parse and map, parser used) for one .bib file."""
    t0 = time.perf_counter()
    records = list(load_collection([path]).records)
    if limit:
        records = records[:limit]
    items = records_to_csl(records)
    return items, time.perf_counter() - t0, "bibvault.records"


def render_bibvault(items: list[dict[str, Any]], style: str) -> tuple[dict[str, str], float]:
    """bibvault.csl's bibliography (id → text) and the seconds it took."""
    load_style(style)  # imports and locale files outside the timing, as node's start-up
    t0 = time.perf_counter()
    proc = Processor(load_style(style), items, locale="en-US")
    entries = dict(proc.bibliography("text"))
    return entries, time.perf_counter() - t0


def render_reference(oracle: Path, corpus_json: Path, style: str) -> tuple[dict[str, str], float]:
    """citeproc-js's bibliography (id → text) and the wall-clock seconds of the node run."""
    t0 = time.perf_counter()
    proc = subprocess.run(["node", str(oracle / "render.js"), str(corpus_json), style, "text",
                           "--json", "--what", "bib"],
                          capture_output=True, text=True, check=True, timeout=3600)
    seconds = time.perf_counter() - t0
    rows = json.loads(proc.stdout)["bibliography"]
    return {r["id"]: r["entry"] for r in rows}, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--corpus", default="acl,dblp", help="named corpora: acl, dblp")
    parser.add_argument("--styles", default="apa,ieee")
    parser.add_argument("--limit", type=int, default=None, help="first N records of each")
    default_oracle = Path(os.environ.get("BIBVAULT_ORACLE",
                                         Path.home() / ".cache" / "bibvault-oracle"))
    parser.add_argument("--oracle", type=Path, default=default_oracle)
    parser.add_argument("--no-oracle", action="store_true")
    args = parser.parse_args()
    files = args.files or [CORPORA[name] for name in args.corpus.split(",")]
    use_oracle = not args.no_oracle and (args.oracle / "render.js").exists()
    if not use_oracle and not args.no_oracle:
        print(f"no reference processor in {args.oracle}; citeproc-js columns left empty",
              file=sys.stderr)
    header = (f"{'corpus':<34} {'style':<5} {'entries':>7} {'bibvault s':>10} {'e/s':>7} "
              f"{'citeproc-js s':>13} {'start-up s':>10} {'e/s':>7} {'identical':>9}")
    rows = []
    for path in files:
        items, load_s, parser_used = load_items(path, args.limit)
        print(f"{path.name}: {len(items)} items parsed and mapped in {load_s:.1f} s "
              f"({parser_used})", file=sys.stderr)
        with tempfile.TemporaryDirectory() as tmp:
            corpus_json = Path(tmp) / "items.json"
            corpus_json.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
            empty_json = Path(tmp) / "empty.json"
            empty_json.write_text("[]", encoding="utf-8")
            for style in args.styles.split(","):
                ours, our_s = render_bibvault(items, style)
                line = (f"{path.name:<34} {style:<5} {len(ours):>7} {our_s:>10.1f} "
                        f"{len(ours) / our_s:>7.0f}")
                if use_oracle:
                    ref, ref_s = render_reference(args.oracle, corpus_json, style)
                    _, start_s = render_reference(args.oracle, empty_json, style)
                    # Byte for byte: whitespace counts (citeproc-js writes U+202F before " :").
                    same = sum(1 for k, v in ref.items() if ours.get(k) == v)
                    net = max(ref_s - start_s, 1e-9)
                    line += (f" {ref_s:>13.1f} {start_s:>10.2f} {len(ref) / net:>7.0f} "
                             f"{100 * same / max(len(ref), 1):>8.1f}%")
                rows.append(line)
                print(line, file=sys.stderr)
    print(header)
    for line in rows:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
