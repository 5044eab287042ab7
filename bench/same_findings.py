"""Do two versions of bibvault report the same findings? ``validate --format json``, file by file.

    python bench/same_findings.py --save DIR [FILE...]      # with the old version
    python bench/same_findings.py --against DIR [FILE...]   # with the new one

Default files: every corpus file (/work/shared/corpora/**/*.bib). Each file is
validated in a fresh child process run from an empty directory (so no project
configuration applies) by the ``bibvault`` that this interpreter imports; put
another source tree first with ``PYTHONPATH=/path/to/src`` to run an older one.
``--save`` writes one JSON report per file into DIR; ``--against`` compares
with them and prints the first differing finding of each file that differs
(exit 1 when any does). Findings, their order and their locations must match
exactly; a speed-up must not move a single column.
"""

from __future__ import annotations

import argparse
import glob
import json
import subprocess
import sys
import tempfile
from pathlib import Path

CORPORA = "/work/shared/corpora"
CLI = "import sys; from bibvault.cli import main; sys.argv[0] = 'bibvault'; main()"


def report(path: str) -> list[dict[str, object]]:
    """The JSON findings of ``bibvault validate --format json path``."""
    with tempfile.TemporaryDirectory(prefix="bibvault-same-") as tmp:
        proc = subprocess.run([sys.executable, "-c", CLI, "validate", "--format", "json",
                               str(Path(path).resolve())], cwd=tmp, capture_output=True,
                              text=True, check=False)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{path}: exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
    found: list[dict[str, object]] = json.loads(proc.stdout)
    return found


def _name(path: str) -> str:
    return Path(path).name + ".json"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--save", metavar="DIR")
    mode.add_argument("--against", metavar="DIR")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    files = args.files or sorted(glob.glob(f"{CORPORA}/**/*.bib", recursive=True))
    differing = 0
    for path in files:
        found = report(path)
        if args.save:
            Path(args.save).mkdir(parents=True, exist_ok=True)
            (Path(args.save) / _name(path)).write_text(json.dumps(found, indent=0),
                                                       encoding="utf-8")
            print(f"{path}: {len(found)} findings saved", flush=True)
            continue
        before = json.loads((Path(args.against) / _name(path)).read_text(encoding="utf-8"))
        if found == before:
            print(f"{path}: same {len(found)} findings", flush=True)
            continue
        differing += 1
        first = next((i for i, (a, b) in enumerate(zip(before, found, strict=False)) if a != b),
                     min(len(before), len(found)))
        print(f"{path}: DIFFERENT ({len(before)} before, {len(found)} now); first at #{first}:\n"
              f"  before: {before[first] if first < len(before) else None}\n"
              f"  now:    {found[first] if first < len(found) else None}", flush=True)
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
