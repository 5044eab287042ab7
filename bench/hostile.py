"""Time and peak memory of bibvault commands on hostile inputs (issue 13).

    python bench/hostile.py [--scale F] [--only NAME ...] [--keep DIR]

Each case generates its input in a temporary directory (never in the
repository), runs one ``bibvault`` command in a fresh child process and
prints its seconds (wall clock and CPU) and peak RSS. Cases:

- ``million``: ``validate`` on N tiny entries (1,000,000 at scale 1, 25 MB), and
  on a quarter and a half of them;
- ``archive-one``: ``archive --key ONE --dry-run`` on a 16 MB file of
  ordinary entries: one record's work plus one parse;
- ``big-value``: ``build`` with one 50 MB value (scale 1) and with half of it;
- ``authors``: ``build`` with 200,000 authors in one field (scale 1) and half.

Each doubling of size (``million``, and the last two cases) gives a growth
ratio: about 2 for linear growth, about 4 for quadratic. With ``HOSTILE_CALLS=1`` each command runs under
cProfile and the ratio of Python function calls is printed too: on a machine
shared with other jobs it shows the growth that the seconds blur. ``--scale``
shrinks every size (0.1 for a quick look).
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

CONFIG = "records:\n  - refs.bib\nbuild:\n  output: site\n  formats: [html, md]\n"


def tiny_entries(n: int) -> bytes:
    """``n`` entries of about 25 bytes each."""
    return b"".join(b"@misc{e%07d,title={T}}\n" % i for i in range(n))


def ordinary_entries(target_bytes: int) -> bytes:
    """Realistic entries (about 400 bytes each) up to ``target_bytes``; the first key is ``one``."""
    parts, size, i = [], 0, 0
    while size < target_bytes:
        key = b"one" if i == 0 else b"k%07d" % i
        entry = (b"@article{%s,\n  author = {Doe, Jane and Roe, Richard and M\xc3\xbcller, Hans},\n"
                 b"  title = {A study of things number %d},\n  journal = {Journal of Studies},\n"
                 b"  year = {2020},\n  volume = {12},\n  pages = {1--20},\n"
                 b"  url = {https://example.org/paper/%d},\n  keywords = {x},\n}\n\n" % (key, i, i))
        parts.append(entry)
        size += len(entry)
        i += 1
    return b"".join(parts)


def big_value(nbytes: int) -> bytes:
    """One entry whose abstract is ``nbytes`` of words."""
    words = (b"lorem ipsum dolor sit amet ") * (nbytes // 27 + 1)
    return (b"@article{big,\n  author = {Doe, Jane},\n  title = {Big},\n  year = {2020},\n"
            b"  keywords = {x},\n  abstract = {" + words[:nbytes] + b"},\n}\n")


def many_authors(n: int) -> bytes:
    """One entry with ``n`` authors."""
    names = b" and ".join(b"Author%d, First%d" % (i, i) for i in range(n))
    return (b"@article{many,\n  author = {" + names + b"},\n  title = {Many},\n"
            b"  year = {2020},\n  keywords = {x},\n}\n")


def run(workdir: Path, data: bytes, args: list[str]) -> dict[str, object]:
    """Write ``data`` as refs.bib, run ``bibvault ARGS`` there; seconds and peak RSS (MB)."""
    (workdir / "refs.bib").write_bytes(data)
    (workdir / "bibvault.yaml").write_text(CONFIG, encoding="utf-8")
    out = subprocess.run([sys.executable, __file__, "--child", str(workdir), *args],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def child(workdir: str, args: list[str]) -> None:
    """Run one command as a grandchild so that its peak RSS is measured alone."""
    t0 = time.perf_counter()
    # A closed port on loopback: ``archive`` finds no capture without leaving the machine.
    env = {**os.environ, "BIBVAULT_WAYBACK_URL": "http://127.0.0.1:9"}
    code = "from bibvault.cli import main; main()"
    profile = Path(workdir) / "calls.prof"
    if os.environ.get("HOSTILE_CALLS"):
        # Python function calls: a measure of work that a loaded machine does not blur.
        code = (f"import cProfile, sys; sys.argv[0] = 'bibvault'; "
                f"cProfile.run({code!r}, {str(profile)!r})")
    proc = subprocess.run([sys.executable, "-c", code, *args],
                          cwd=workdir, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = usage.ru_maxrss / 1024
    tail = (proc.stderr.strip().splitlines() or [""])[-1][:120]
    calls = None
    if profile.exists():
        calls = sum(v[1] for v in pstats.Stats(str(profile)).stats.values())  # type: ignore[attr-defined]
    print(json.dumps({"exit": proc.returncode, "seconds": round(seconds, 1),
                      "cpu": round(usage.ru_utime + usage.ru_stime, 1),
                      "peak_mb": round(peak), "stderr": tail, "calls": calls}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--child", nargs=argparse.REMAINDER)
    opts = parser.parse_args()
    if opts.child:
        child(opts.child[0], opts.child[1:])
        return 0
    s = opts.scale
    cases: dict[str, list[tuple[str, Callable[[], bytes], list[str]]]] = {
        "million": [(f"{int(1e6 * s * f):,} tiny entries",
                     (lambda f=f: tiny_entries(int(1e6 * s * f))), ["validate"])
                    for f in (0.25, 0.5, 1.0)],
        "archive-one": [(f"{16 * s:g} MB, archive --key one",
                         lambda: ordinary_entries(int(16e6 * s)),
                         ["archive", "--key", "one", "--dry-run"])],
        "big-value": [(f"{50 * s * f:g} MB value", (lambda f=f: big_value(int(50e6 * s * f))),
                       ["build", "--force"]) for f in (0.5, 1.0)],
        "authors": [(f"{int(2e5 * s * f):,} authors", (lambda f=f: many_authors(int(2e5 * s * f))),
                     ["build", "--force"]) for f in (0.5, 1.0)],
    }
    for name, runs in cases.items():
        if opts.only and name not in opts.only:
            continue
        seconds, calls, peaks = [], [], []
        for label, make, args in runs:
            with tempfile.TemporaryDirectory(prefix="bibvault-hostile-") as tmp:
                r = run(Path(tmp), make(), args)
            seconds.append(float(r["cpu"]))  # type: ignore[arg-type]
            calls.append(r["calls"])
            peaks.append(float(r["peak_mb"]))  # type: ignore[arg-type]
            counted = f"  {r['calls']:,} calls" if r["calls"] else ""
            print(f"{name:12} {label:32} exit {r['exit']}  {r['seconds']:>7} s "
                  f"({r['cpu']} s CPU)  "
                  f"{r['peak_mb']:>6} MB{counted}  {r['stderr']}", flush=True)
        for i in range(1, len(seconds)):
            if not seconds[i - 1]:
                continue
            growth = (f"growth for twice the size: x{seconds[i] / seconds[i - 1]:.2f} in CPU "
                      f"time, x{peaks[i] / peaks[i - 1]:.2f} in peak memory")
            if calls[i - 1] and calls[i]:
                growth += f", x{calls[i] / calls[i - 1]:.2f} in function calls"  # type: ignore[operator]
            print(f"{name:12} {growth}", flush=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
