"""The cost curve at 1k, 10k and 100k records: validate, build, rebuild, format.

    python bench/scale.py [--sizes 1000,10000,100000] [--timeout 900] [--jobs validate,...]

For each size a synthetic project is made in a temporary folder (never in the
repository) from the corpora in /work/shared/corpora/large: ACL, dblp, TUGboat
and CDL entries in proportion to the corpora's sizes, one .bib file per corpus.
Past the corpora's ~51k entries the same entries repeat with keys made unique by
a suffix (``-r1``, ``-r2``, ...). The configuration is bench/build.py's: three
styles × three formats and four exports.

Each job runs once, in a fresh child process, in this order:

- ``validate`` (every .bib in the project);
- ``build`` — ``bibvault build --force`` into an empty output folder;
- ``rebuild`` — the same command right after, nothing changed;
- ``format`` — ``bibvault format --style apa`` of every .bib file.

CPU is user + system of the child (os.wait4), peak memory its maxrss. The
project is written by another child: Linux carries a process's peak RSS across
exec, so the parent stays small for the children's peaks to be their own. A job
that runs past ``--timeout`` is killed and shown, marked ``>``, with the CPU and
peak memory it had used by then. Per job, the growth
from one size to the next is printed as a factor per 10× records: near 10 is
linear. One round only: at 100k a round takes long, and the growth factors are
what this is for.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build import CONFIG  # noqa: E402  (bench/build.py: the same default project)

HERE = Path(__file__).resolve().parents[1]
CORPORA = Path("/work/shared/corpora/large")
NAMES = ("acl-anthology-2016-2021.bib", "dblp-2019.bib", "tugboat.bib", "cdl.bib")
BIBVAULT = str(Path(sys.executable).with_name("bibvault"))
JOBS = ("validate", "build", "rebuild", "format")


def write_project_bibs(n: int, out: Path) -> int:
    """Write ``n`` entries, in the corpora's proportions, as one .bib per corpus.

    Returns the number of entries written. Keys seen before get a ``-rK`` suffix.
    """
    from bibvault.bibfile import load

    files = [load(CORPORA / name) for name in NAMES]
    total = sum(len(f.entries) for f in files)
    seen: set[str] = set()
    written = 0
    for i, (name, bf) in enumerate(zip(NAMES, files, strict=True)):
        # The last corpus takes the remainder, so the sizes add up to n exactly.
        want = n - written if i == len(files) - 1 else round(n * len(bf.entries) / total)
        strings = [b.raw for b in bf.blocks if b.kind == "string"]
        chunks: list[str] = []
        for j in range(want):
            entry = bf.entries[j % len(bf.entries)]
            key, rep = entry.key, j // len(bf.entries)
            if rep or key in seen:
                key = f"{entry.key}-r{rep}-{i}"
            seen.add(key)
            raw = entry.raw
            if key != entry.key and entry.key_end:
                start = entry.key_end - len(entry.key)
                raw = raw[:start] + key + raw[entry.key_end:]
            chunks.append(raw)
        (out / name).write_text("\n\n".join(strings + chunks) + "\n", encoding="utf-8")
        written += want
    return written


def make_project(root: Path, n: int) -> None:
    """A project of ``n`` records in ``root``, written by a child process."""
    (root / "bib").mkdir(parents=True)
    subprocess.run([sys.executable, __file__, "--write", str(n), str(root / "bib")], check=True)
    (root / "bibvault.yaml").write_text(CONFIG, encoding="utf-8")
    (root / "styles").mkdir()
    shutil.copy(HERE / "styles" / "site.csl", root / "styles" / "site.csl")


def run(cmd: list[str], cwd: Path, timeout: float) -> tuple[float, float, float, bool]:
    """(CPU s, peak MiB, wall s, finished) of one child; a child that runs past
    ``timeout`` is killed and reported with what it had used so far."""
    started = time.monotonic()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err,
                                start_new_session=True)
        # Polled with wait4 rather than Popen.wait: whoever reaps the child gets its
        # rusage, and Popen.wait would throw it away.
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > timeout:
                os.killpg(proc.pid, signal.SIGKILL)
                _, _, usage = os.wait4(proc.pid, 0)
                proc.returncode = -9
                return (usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
                        time.monotonic() - started, False)
            time.sleep(0.05)
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - started
        if code not in (0, 1):
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd)} failed ({code}): {err.read().decode()[-800:]}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, wall, True


def commands(root: Path) -> dict[str, list[str]]:
    """The command line of each job in the project at ``root``."""
    bibs = sorted(str(p) for p in (root / "bib").glob("*.bib"))
    build = [BIBVAULT, "build", "--force", "-o", "out"]
    return {"validate": [BIBVAULT, "validate", *bibs], "build": build, "rebuild": build,
            "format": [BIBVAULT, "format", "--style", "apa", *bibs]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--jobs", default=",".join(JOBS))
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per job")
    ap.add_argument("--write", nargs=2, metavar=("N", "DIR"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.write:
        write_project_bibs(int(args.write[0]), Path(args.write[1]))
        return 0
    jobs = [j for j in args.jobs.split(",") if j]
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[tuple[int, str], tuple[float, float, float, bool]] = {}
    print(f"{'records':>8} {'job':<9} {'cpu s':>9} {'wall s':>9} {'peak MiB':>9} "
          f"{'cpu x/10x':>10} {'mem x/10x':>10}", flush=True)
    for i, n in enumerate(sizes):
        with tempfile.TemporaryDirectory(prefix="bibvault-scale-") as tmp:
            root = Path(tmp)
            make_project(root, n)
            cmds = commands(root)
            for job in jobs:
                if job == "build":
                    shutil.rmtree(root / "out", ignore_errors=True)
                    shutil.rmtree(root / ".bibvault", ignore_errors=True)
                got = run(cmds[job], root, args.timeout)
                results[n, job] = got
                prev = results.get((sizes[i - 1], job)) if i else None
                # A killed job shows what it had used when killed, marked '>'.
                mark = "" if got[3] else ">"
                growth = ("", "")
                if prev is not None and got[3] and prev[3]:
                    # Per 10x records, so sizes not ten apart still read against 10.
                    span = math.log10(n / sizes[i - 1])
                    growth = (f"{(got[0] / prev[0]) ** (1 / span):.1f}",
                              f"{(got[1] / prev[1]) ** (1 / span):.1f}")
                print(f"{n:>8} {job:<9} {mark + f'{got[0]:.2f}':>9} {got[2]:>9.1f} "
                      f"{mark + f'{got[1]:.0f}':>9} {growth[0]:>10} {growth[1]:>10}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
