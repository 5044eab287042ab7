"""Parse speed and peak memory of bibvault.bibfile against pybtex, bibtexparser 2 and bibtex.

    python bench/parse.py [--rounds N] [--only TOOL] [FILE...]

Default files: the large corpora (/work/shared/corpora/large/*.bib). Every
measurement runs in a fresh child process, so its peak RSS is its own; the
tools alternate within each round. For the Python parsers, seconds are the
CPU time of parsing only (imports, and our findings and round-trip check, are
outside the timed part); for the C ``bibtex`` binary they are the whole run's
CPU time over every entry with ``plain.bst`` (it also formats the
bibliography, so it is an upper bound for its parse). Peak RSS covers the
whole child. bibtexparser 2 is installed with pip when missing (or left out);
bibtex is left out when not on the PATH. Prints one line per measurement and a
summary table: best round per tool and file, and bibvault's ratio to each.
"""

from __future__ import annotations

import argparse
import glob
import importlib.util
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TOOLS = ("bibvault", "pybtex", "bibtexparser", "bibtex")


def _measure(tool: str, path: str) -> dict[str, object]:
    if tool == "bibvault":
        from bibvault.bibfile import load

        t0 = time.process_time()
        bf = load(path)
        seconds = time.process_time() - t0
        entries = len(bf.entries)
        assert bf.to_bytes() == Path(path).read_bytes()
    elif tool == "pybtex":
        import pybtex.errors
        from pybtex.database import parse_file

        t0 = time.process_time()
        with pybtex.errors.capture():
            bib = parse_file(path, bib_format="bibtex")
        seconds = time.process_time() - t0
        entries = len(bib.entries)
    else:
        import bibtexparser  # type: ignore[import-not-found,unused-ignore]

        t0 = time.process_time()
        library = bibtexparser.parse_file(path)
        seconds = time.process_time() - t0
        entries = len(library.entries)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"tool": tool, "file": path, "entries": entries, "seconds": round(seconds, 3),
            "peak_rss_mb": round(peak / 1024, 1)}


def _bibtex(path: str) -> dict[str, object]:
    """A ``bibtex`` run over every entry of ``path`` with plain.bst: CPU and peak RSS."""
    with tempfile.TemporaryDirectory(prefix="bibvault-parse-") as tmp:
        shutil.copy(path, Path(tmp) / "refs.bib")
        (Path(tmp) / "job.aux").write_text("\\citation{*}\n\\bibdata{refs}\n\\bibstyle{plain}\n")
        proc = subprocess.Popen(["bibtex", "-terse", "job"], cwd=tmp,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(proc.pid, 0)
        entries = (Path(tmp) / "job.bbl").read_text(errors="replace").count("\\bibitem")
    return {"tool": "bibtex", "file": path, "entries": entries,
            "seconds": round(usage.ru_utime + usage.ru_stime, 3),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1)}


def _available(tools: list[str]) -> list[str]:
    if "bibtexparser" in tools and importlib.util.find_spec("bibtexparser") is None:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "bibtexparser>=2"],
                       check=False)
        importlib.invalidate_caches()
    return [t for t in tools
            if (t != "bibtexparser" or importlib.util.find_spec("bibtexparser") is not None)
            and (t != "bibtex" or shutil.which("bibtex"))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--only", choices=TOOLS)
    parser.add_argument("--child", nargs=2, metavar=("TOOL", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_measure(*args.child)))
        return 0
    files = args.files or sorted(glob.glob("/work/shared/corpora/large/*.bib"))
    tools = _available([args.only] if args.only else list(TOOLS))
    best: dict[tuple[str, str], dict[str, object]] = {}
    for _ in range(args.rounds):
        for path in files:
            for tool in tools:
                if tool == "bibtex":
                    result = _bibtex(path)
                else:
                    out = subprocess.run([sys.executable, __file__, "--child", tool, path],
                                         capture_output=True, text=True, check=True).stdout
                    result = json.loads(out)
                print(json.dumps(result), flush=True)
                key = (tool, path)
                if key not in best or result["seconds"] < best[key]["seconds"]:  # type: ignore[operator]
                    best[key] = result
    print(f"\n{'file':32} {'tool':13} {'entries':>8} {'cpu s':>7} {'peak MB':>8} "
          f"{'bibvault/tool':>14}")
    for path in files:
        ours = best.get(("bibvault", path))
        for tool in tools:
            r = best[(tool, path)]
            ratio = (f"{ours['seconds'] / r['seconds']:>13.2f}x"  # type: ignore[operator]
                     if ours and r["seconds"] else f"{'':>14}")
            print(f"{Path(path).name[:32]:32} {tool:13} {r['entries']:>8} {r['seconds']:>7} "
                  f"{r['peak_rss_mb']:>8} {ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
