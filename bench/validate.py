"""``bibvault validate`` against the peers' bare parse and the C ``bibtex`` binary.

    python bench/validate.py [--rounds 3] [FILE...]

Default files: the large corpora (/work/shared/corpora/large/*.bib). For each
file and round, each of these runs in a fresh child process, alternating:

- ``bibvault validate FILE`` — the whole command: parse, decode, every rule;
- ``validate-stage`` — the same work through the library (``validate_paths``), so
  that the CLI's own start-up (importing every command) shows as the difference;
- ``pybtex`` — ``pybtex.database.parse_file`` (parse only, no checks);
- ``bibtexparser`` — bibtexparser 2's ``parse_file`` (parse only; installed with
  ``pip install 'bibtexparser>=2'`` when missing, or left out);
- ``bibtex`` — the C binary over every entry with ``plain.bst`` (a full run that
  also formats the bibliography), when ``bibtex`` is on the PATH.

Every child runs in an empty directory, as ``bench/same_findings.py`` does: a
``bibvault.yaml`` found above the directory the script is started from would be
loaded by ``bibvault`` alone (and its topic vocabulary would add rules), so the
numbers would depend on where the script was started.

CPU is the child's user + system time (os.wait4) and memory its peak RSS; the table
gives medians and the paired ratios of bibvault to each peer. Run by hand; the
test suite times nothing.

Every child reads compiled bytecode, as an installed package does: the children
keep their ``.pyc`` files in a temporary folder (PYTHONPYCACHEPREFIX, also when
PYTHONDONTWRITEBYTECODE is set here), filled by one untimed run of each tool per
file. Otherwise an editable install compiles every bibvault module on every run
while the peers, installed by pip, load theirs compiled.
"""

from __future__ import annotations

import argparse
import glob
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

BIBVAULT = str(Path(sys.executable).with_name("bibvault"))


def _python(code: str, path: str) -> list[str]:
    return [sys.executable, "-c", code, path]


PYBTEX = ("import sys, pybtex.errors; from pybtex.database import parse_file\n"
          "with pybtex.errors.capture(): parse_file(sys.argv[1], bib_format='bibtex')")
BIBTEXPARSER = "import sys, bibtexparser; bibtexparser.parse_file(sys.argv[1])"
STAGE = "import sys; from bibvault.validate import validate_paths; validate_paths(sys.argv[1:])"


def run(cmd: list[str], cwd: str | None = None, env: dict[str, str] | None = None,
        ) -> tuple[float, float]:
    """(CPU seconds, peak MiB) of one child; exit codes 0 and 1 (findings) are fine."""
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1, 2):  # bibtex says 2 for warnings
        raise SystemExit(f"{' '.join(cmd)} failed with {proc.returncode}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _ratios(ours: list[tuple[float, float]], theirs: list[tuple[float, float]],
            ) -> tuple[float, float]:
    """Medians of the paired CPU and memory ratios, ours to theirs."""
    return (statistics.median(o[0] / t[0] for o, t in zip(ours, theirs, strict=True)),
            statistics.median(o[1] / t[1] for o, t in zip(ours, theirs, strict=True)))


def bibtex_job(path: str, tmp: str) -> list[str]:
    """A ``bibtex`` run over every entry of ``path`` with plain.bst, in ``tmp``."""
    shutil.copy(path, Path(tmp) / "refs.bib")
    (Path(tmp) / "job.aux").write_text("\\citation{*}\n\\bibdata{refs}\n\\bibstyle{plain}\n")
    return ["bibtex", "-terse", "job"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    files = [os.path.abspath(f) for f in args.files] or sorted(
        glob.glob("/work/shared/corpora/large/*.bib"))
    if importlib.util.find_spec("bibtexparser") is None:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "bibtexparser>=2"],
                       check=False)
    peers = ["pybtex"]
    if importlib.util.find_spec("bibtexparser") is not None:
        peers.append("bibtexparser")
    if shutil.which("bibtex"):
        peers.append("bibtex")
    pycache = tempfile.TemporaryDirectory(prefix="bibvault-bench-pyc-")
    empty = tempfile.TemporaryDirectory(prefix="bibvault-bench-cwd-")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = pycache.name
    print(f"{'file':28} {'tool':14} {'cpu s':>7} {'peak MiB':>9} {'bibvault/tool cpu':>18} "
          f"{'mem':>6} {'stage/tool cpu':>18} {'mem':>6}")
    for path in files:
        samples: dict[str, list[tuple[float, float]]] = {
            t: [] for t in ["bibvault", "validate-stage", *peers]}
        with tempfile.TemporaryDirectory(prefix="bibvault-bench-") as tmp:
            jobs = {
                "bibvault": ([BIBVAULT, "validate", path], empty.name),
                "validate-stage": (_python(STAGE, path), empty.name),
                "pybtex": (_python(PYBTEX, path), empty.name),
                "bibtexparser": (_python(BIBTEXPARSER, path), empty.name),
                "bibtex": (bibtex_job(path, tmp) if "bibtex" in peers else [], tmp),
            }
            for tool in samples:  # untimed: fills the bytecode cache
                run(*jobs[tool], env)
            for _ in range(args.rounds):
                for tool in samples:
                    cmd, cwd = jobs[tool]
                    samples[tool].append(run(cmd, cwd, env))
        for tool, vals in samples.items():
            cpu = statistics.median(v[0] for v in vals)
            mem = statistics.median(v[1] for v in vals)
            ratios = [_ratios(samples[ours], vals) for ours in ("bibvault", "validate-stage")]
            print(f"{Path(path).name[:28]:28} {tool:14} {cpu:>7.2f} {mem:>9.0f} "
                  + " ".join(f"{rc:>17.2f}x {rm:>5.2f}x" for rc, rm in ratios), flush=True)
    pycache.cleanup()
    empty.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
