"""How often pybtex's .bst interpreter writes the same ``\\bibitem`` as the bibtex binary.

For the styles plain, unsrt, alpha and abbrv, on ``xampl.bib`` (BibTeX's own test file,
as it is) and on slices of the corpora (the first N records of each file, through
bibvault's BibTeX export, as ``bibvault format --style plain.bst`` runs them), both
write a ``.bbl``; an entry agrees when its key, label and text are the same, blanks
aside (the two wrap lines alike, but that is not what is compared). Run::

    python bench/bst_agreement.py [CORPUS_DIR] [--slice 300] [--show 5]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bibvault.collection import load_collection
from bibvault.export import export
from bibvault.export.bst import BibItem, find_bst, parse_bbl, run_bbl

STYLES = ("plain", "unsrt", "alpha", "abbrv")
SLICED = ("large/tugboat.bib", "large/acl-anthology-2016-2021.bib", "large/dblp-2019.bib",
          "large/cdl.bib", "biblatex-examples.bib")


def bibtex_bbl(bib_text: str, style: str, work: Path) -> str:
    """The .bbl the bibtex binary writes for every entry of ``bib_text``."""
    (work / "refs.bib").write_text(bib_text, encoding="utf-8")
    (work / "doc.aux").write_text(f"\\citation{{*}}\n\\bibdata{{refs}}\n\\bibstyle{{{style}}}\n",
                                  encoding="utf-8")
    subprocess.run(["bibtex", "-terse", "doc"], cwd=work, capture_output=True, check=False)
    return (work / "doc.bbl").read_text(encoding="utf-8", errors="replace")


def same(a: BibItem, b: BibItem) -> bool:
    """Whether two items agree (key, label, text; blanks aside)."""
    return (a.key, a.label, " ".join(a.tex.split())) == (b.key, b.label, " ".join(b.tex.split()))


def datasets(corpus: Path, size: int) -> list[tuple[str, str]]:
    """(name, BibTeX text) for xampl.bib and each corpus slice present."""
    out = []
    found = subprocess.run(["kpsewhich", "xampl.bib"], capture_output=True, text=True,
                           check=False).stdout.strip()
    xampl = Path(found) if found else corpus / "small" / "xampl.bib"
    if xampl.is_file():
        out.append(("xampl.bib", xampl.read_text(encoding="utf-8", errors="replace")))
    for rel in SLICED:
        path = corpus / rel
        if path.is_file():
            records = list(load_collection([path]).records)
            out.append((f"{path.name}[:{size}]", export(records[:size], "bibtex")))
    return out


def main() -> int:
    """Print the agreement per style and data set, and a few differing entries."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path,
                        default=Path(os.environ.get("BIBVAULT_CORPORA", "/work/shared/corpora")))
    parser.add_argument("--slice", type=int, default=300)
    parser.add_argument("--show", type=int, default=3, help="differing entries to print per run")
    args = parser.parse_args()
    total = agree = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in datasets(args.corpus, args.slice):
            for style in STYLES:
                ours = run_bbl(text, find_bst(f"{style}.bst")).items
                theirs = parse_bbl(bibtex_bbl(text, style, Path(tmp)))
                pairs = list(zip(ours, theirs, strict=False))
                k = sum(same(a, b) for a, b in pairs)
                n = max(len(ours), len(theirs))
                total, agree = total + n, agree + k
                print(f"{name:40} {style:6} {k:5}/{n:<5} {100 * k / max(n, 1):6.2f}%")
                for a, b in [p for p in pairs if not same(*p)][: args.show]:
                    print(f"    pybtex: [{a.label}] {a.key}: {' '.join(a.tex.split())}\n"
                          f"    bibtex: [{b.label}] {b.key}: {' '.join(b.tex.split())}")
    print(f"{'all':47} {agree:5}/{total:<5} {100 * agree / max(total, 1):6.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
