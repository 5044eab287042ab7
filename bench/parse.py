"""Parse speed and peak memory of bibvault.bibfile against pybtex's parser.

    python bench/parse.py [--rounds N] [--only bibvault|pybtex] FILE...

Default files: the large corpora (/work/shared/corpora/large/*.bib). Every
measurement runs in a fresh child process, so its peak RSS is its own; the
tools alternate within each round. Seconds cover parsing only (imports, and
our findings and round-trip check, are outside the timed part); peak RSS
covers the whole child. Prints one line per measurement and a
summary table (best round per tool and file).
"""

from __future__ import annotations

import argparse
import glob
import json
import resource
import subprocess
import sys
import time


def _measure(tool: str, path: str) -> dict[str, object]:
    if tool == "bibvault":
        from bibvault.bibfile import load

        t0 = time.perf_counter()
        bf = load(path)
        seconds = time.perf_counter() - t0
        entries = len(bf.entries)
        findings = len(bf.findings)
        assert bf.to_bytes() == open(path, "rb").read()
    else:
        import pybtex.errors
        from pybtex.database import parse_file

        t0 = time.perf_counter()
        with pybtex.errors.capture() as errors:
            bib = parse_file(path, bib_format="bibtex")
        seconds = time.perf_counter() - t0
        entries = len(bib.entries)
        findings = len(errors)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "tool": tool,
        "file": path,
        "entries": entries,
        "findings": findings,
        "seconds": round(seconds, 3),
        "entries_per_s": round(entries / seconds) if seconds else None,
        "peak_rss_mb": round(peak / 1024, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--only", choices=["bibvault", "pybtex"])
    parser.add_argument("--child", nargs=2, metavar=("TOOL", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_measure(*args.child)))
        return 0
    files = args.files or sorted(glob.glob("/work/shared/corpora/large/*.bib"))
    tools = [args.only] if args.only else ["bibvault", "pybtex"]
    best: dict[tuple[str, str], dict[str, object]] = {}
    for _ in range(args.rounds):
        for path in files:
            for tool in tools:
                out = subprocess.run(
                    [sys.executable, __file__, "--child", tool, path],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
                result = json.loads(out)
                print(json.dumps(result), flush=True)
                key = (tool, path)
                if key not in best or result["seconds"] < best[key]["seconds"]:  # type: ignore[operator]
                    best[key] = result
    print(
        f"\n{'file':32} {'tool':9} {'entries':>8} {'seconds':>8} {'entries/s':>10} {'peak MB':>8}"
    )
    for (tool, path), r in sorted(best.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        name = path.rsplit("/", 1)[-1]
        print(
            f"{name:32} {tool:9} {r['entries']:>8} {r['seconds']:>8} "
            f"{r['entries_per_s']:>10} {r['peak_rss_mb']:>8}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
