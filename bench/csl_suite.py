"""Run the CSL processor test suite outside pytest and print pass/fail counts.

Usage: python bench/csl_suite.py FIXTURES_DIR [--families] [--failures FILE] [--show NAME]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from bibvault.csl.processor import Resources
from bibvault.csl.suite import check_fixture


def main(argv: list[str] | None = None) -> int:
    """Run every fixture; print ``N passed, M failed``."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("fixtures", type=Path)
    ap.add_argument("--families", action="store_true", help="per-family counts")
    ap.add_argument("--failures", type=Path, help="write failing names, one per line")
    ap.add_argument("--show", action="append", default=[], help="print expected/actual for NAME")
    ap.add_argument("--only", default="", help="only fixtures whose name starts with this")
    args = ap.parse_args(argv)
    files = sorted(p for p in args.fixtures.glob("*.txt") if p.stem.startswith(args.only))
    resources = Resources()
    passed: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    failures: list[str] = []
    start = time.perf_counter()
    for p in files:
        ok, expected, actual = check_fixture(p, resources)
        family = p.stem.split("_")[0]
        (passed if ok else failed)[family] += 1
        if not ok:
            failures.append(p.stem)
        if p.stem in args.show:
            print(f"== {p.stem}\n-- expected\n{expected}\n-- actual\n{actual}\n")
    if args.families:
        for fam in sorted(set(passed) | set(failed), key=lambda f: -(passed[f] + failed[f])):
            print(f"{fam:14} {passed[fam]:4} passed {failed[fam]:4} failed")
    if args.failures:
        args.failures.write_text("".join(f"{n}\n" for n in failures))
    print(f"({time.perf_counter() - start:.1f}s)", file=sys.stderr)
    print(f"{sum(passed.values())} passed, {sum(failed.values())} failed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
