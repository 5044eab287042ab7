"""The content-drift test set (tests/data/drift/) through bibvault's comparison.

For each case (a page as cited and as it is now, labelled ``unchanged`` or
``changed``) prints the similarity, the verdict and whether it is right, then
the confusion matrix at the threshold. With ``--extractors`` it also compares
main-text extractors: for each, the lowest similarity of an unchanged pair, the
highest of a changed pair (the gap between them is the room a threshold has)
and the errors at the best threshold. Extractors that are not installed are
skipped (readability-lxml and jusText are optional here, not dependencies).

With ``--time`` it prints the CPU time a page costs: main-text extraction, the
MinHash sketch, and the whole fingerprint (medians of rounds over the test set).

Run: ``python bench/drift.py [--threshold 0.5] [--extractors] [--time]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import lxml.html

from bibvault.config import CheckConfig
from bibvault.links.drift import (
    Fingerprint,
    compare,
    fingerprint,
    main_text,
    shingles,
    sketch,
    words,
)

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "drift"
Extractor = Callable[[bytes], str]


def _cases() -> list[dict[str, str]]:
    return list(json.loads((DATA / "cases.json").read_text(encoding="utf-8")))


def _pages(case: dict[str, str]) -> tuple[bytes, bytes]:
    return (DATA / case["cited"]).read_bytes(), (DATA / case["live"]).read_bytes()


def confusion(threshold: float) -> dict[str, dict[str, int]]:
    """Rows: the expected label; columns: bibvault's verdict. Prints one line per case."""
    matrix = {e: {"unchanged": 0, "changed": 0, "unknown": 0} for e in ("unchanged", "changed")}
    for case in _cases():
        cited, live = _pages(case)
        drift = compare(fingerprint(cited), fingerprint(live), threshold)
        matrix[case["expect"]][drift.content.value] += 1
        mark = "ok   " if drift.content.value == case["expect"] else "WRONG"
        print(f"{mark} {case['name']:<24} expect {case['expect']:<9} got {drift.content.value:<9} "
              f"similarity {drift.similarity if drift.similarity is not None else '-'}")
    return matrix


def _visible(page: bytes) -> str:
    tree = lxml.html.fromstring(page)
    for bad in tree.xpath("//script|//style"):
        bad.drop_tree()
    return str(tree.text_content())


def _extractors() -> dict[str, Extractor]:
    out: dict[str, Extractor] = {"trafilatura": lambda p: main_text(p)[1],
                                 "whole page text": _visible}
    try:
        from readability import Document  # type: ignore[import-not-found]

        out["readability-lxml"] = lambda p: _visible(Document(p).summary().encode())
    except ImportError:
        pass
    try:
        import justext  # type: ignore[import-untyped]

        stop = justext.get_stoplist("English")
        out["jusText"] = lambda p: "\n".join(
            x.text for x in justext.justext(p, stop) if not x.is_boilerplate)
    except ImportError:
        pass
    return out


def _fp(text: str) -> Fingerprint:
    tokens = words(text)
    return Fingerprint("", sketch(shingles(tokens)), len(tokens))


def compare_extractors() -> None:
    """Per extractor: the similarity gap between the label groups and the best threshold's errors."""
    print(f"\n{'extractor':<18} {'min unchanged':>13} {'max changed':>11} {'gap':>6} "
          f"{'best errors':>11} {'ms/page':>8}")
    for name, extract in _extractors().items():
        scores: list[tuple[str, float]] = []
        started, pages = time.perf_counter(), 0
        for case in _cases():
            cited, live = _pages(case)
            drift = compare(_fp(extract(cited)), _fp(extract(live)), 0.0)
            pages += 2
            scores.append((case["expect"], drift.similarity or 0.0))
        ms = (time.perf_counter() - started) * 1000 / pages
        lo = min(s for e, s in scores if e == "unchanged")
        hi = max(s for e, s in scores if e == "changed")
        best = min(sum(1 for e, s in scores if (s >= t) != (e == "unchanged"))
                   for t in [i / 100 for i in range(101)])
        print(f"{name:<18} {lo:>13.3f} {hi:>11.3f} {lo - hi:>6.3f} {best:>11} {ms:>8.1f}")


def time_fingerprint(rounds: int = 7) -> None:
    """CPU milliseconds a page for each step of the fingerprint, over the test set's pages."""
    pages = [page for case in _cases() for page in _pages(case)]
    texts = [main_text(p)[1] for p in pages]
    steps: dict[str, Callable[[], object]] = {
        "main text": lambda: [main_text(p) for p in pages],
        "sketch": lambda: [sketch(shingles(words(t))) for t in texts],
        "fingerprint": lambda: [fingerprint(p) for p in pages],
    }
    print(f"\n{len(pages)} pages, mean {sum(map(len, pages)) // len(pages)} bytes")
    for name, step in steps.items():
        spent = []
        for _ in range(rounds):
            started = time.process_time()
            step()
            spent.append(time.process_time() - started)
        print(f"{name:<12} {sorted(spent)[rounds // 2] * 1000 / len(pages):6.2f} ms a page")


def main() -> None:
    """Print the per-case verdicts, the confusion matrix and, if asked, the extractor table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--threshold", type=float, default=CheckConfig().drift_threshold)
    parser.add_argument("--extractors", action="store_true")
    parser.add_argument("--time", action="store_true", help="CPU time of each step a page")
    args = parser.parse_args()
    matrix = confusion(args.threshold)
    print(f"\nthreshold {args.threshold}: rows expected, columns verdict")
    print(f"{'':<10} {'unchanged':>9} {'changed':>8} {'unknown':>8}")
    for expect, row in matrix.items():
        print(f"{expect:<10} {row['unchanged']:>9} {row['changed']:>8} {row['unknown']:>8}")
    right = matrix["unchanged"]["unchanged"] + matrix["changed"]["changed"]
    total = sum(sum(r.values()) for r in matrix.values())
    print(f"right {right}/{total}")
    if args.extractors:
        compare_extractors()
    if args.time:
        time_fingerprint()
    sys.exit(0 if right == total else 1)


if __name__ == "__main__":
    main()
