"""Runner for the CSL processor test-suite fixture format (shared by tests and bench)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bibvault.csl.cluster import Cluster as _Cluster
from bibvault.csl.cluster import assign_positions
from bibvault.csl.output import render
from bibvault.csl.processor import Processor, Resources
from bibvault.csl.state import Cite
from bibvault.csl.style import parse_style

_SECTION = re.compile(r">>=+\s*([A-Z-]+)\s*=+>>\n?(.*?)\n?<<=+\s*\1\s*=+<<", re.S)


@dataclass
class Fixture:
    """One fixture file: its sections, JSON sections decoded."""

    name: str
    sections: dict[str, str] = field(default_factory=dict)

    @property
    def mode(self) -> str:
        """citation or bibliography."""
        return self.sections.get("MODE", "").strip()

    @property
    def expected(self) -> str:
        """The RESULT section."""
        return self.sections.get("RESULT", "")

    def json(self, name: str) -> Any:
        """A JSON section, or None when absent (items without an id get their position)."""
        text = self.sections.get(name)
        data = json.loads(text) if text and text.strip() else None
        if name == "INPUT" and isinstance(data, list):
            for n, item in enumerate(data):
                if isinstance(item, dict) and "id" not in item:
                    item["id"] = str(n + 1)
        return data


def parse_fixture(path: str | Path) -> Fixture:
    """Read a fixture file."""
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    return Fixture(p.stem, {m.group(1): m.group(2) for m in _SECTION.finditer(text)})


def _bib_html(proc: Processor) -> str:
    quotes = proc.locale.quotes
    lines = ['<div class="csl-bib-body">']
    for e in proc.bibliography_entries():
        body = render(e.content, "html", quotes)
        if body.startswith('<div class="csl-block">'):
            end = body.index("</div>") + len("</div>")
            lines.append(f'  <div class="csl-entry">\n\n    {body[:end]}\n\n    {body[end:]}\n  </div>')
        elif body.lstrip().startswith('<div class="csl-left-margin">'):
            lead, trail = body[:len(body) - len(body.lstrip())], body[len(body.rstrip()):]
            lines.append(f'  <div class="csl-entry">{lead}\n    {body.strip()}\n{trail}  </div>')
        elif "<div" in body:
            lines.append(f'  <div class="csl-entry">{body}\n  </div>')
        else:
            lines.append(f'  <div class="csl-entry">{body}</div>')
    lines.append("</div>")
    return "\n".join(lines)


def _cites(items: list[dict[str, Any]]) -> list[Cite]:
    return [Cite.from_json(c) for c in items]


def _document(fx: Fixture) -> tuple[list[_Cluster], list[list[_Cluster]]]:
    """Final cluster order, plus the document state after each step (CITATIONS)."""
    steps: list[list[_Cluster]] = []
    doc: list[_Cluster] = []
    if fx.json("CITATIONS") is not None:
        for entry in fx.json("CITATIONS"):
            citation, pre, post = entry[0], entry[1], entry[2]
            cid = citation.get("citationID", f"C{len(doc)}")
            note = int(citation.get("properties", {}).get("noteIndex", 0) or 0)
            new = _Cluster(cid, note, _cites(citation.get("citationItems", [])))
            order = [p[0] for p in pre] + [cid] + [p[0] for p in post]
            known = {c.id: c for c in doc}
            notes = {p[0]: p[1] for p in pre + post}
            known[cid] = new
            doc = []
            for oid in order:
                if oid in known:
                    cl = known[oid]
                    if oid in notes:
                        cl.note = int(notes[oid] or 0)
                    doc.append(cl)
            steps.append([_Cluster(c.id, c.note, [Cite(**x.__dict__) for x in c.cites]) for c in doc])
        return doc, steps
    if fx.json("CITATION-ITEMS") is not None:
        doc = [_Cluster(f"C{i}", i + 1, _cites(cl)) for i, cl in enumerate(fx.json("CITATION-ITEMS"))]
        return doc, [doc]
    items = fx.json("INPUT") or []
    ids = dict.fromkeys(str(it.get("id")) for it in items)  # an id given twice is cited once
    doc = [_Cluster("C0", 1, [Cite(id=i) for i in ids])]
    return doc, [doc]


def _render_doc(fx: Fixture, doc: list[_Cluster],
                resources: Resources) -> tuple[Processor, list[str], list[str]]:
    style = parse_style(fx.sections.get("CSL", ""))
    items = fx.json("INPUT") or []
    # With explicit citations only the cited items are registered.
    cited = [c.id for cl in doc for c in cl.cites]
    implicit = fx.json("CITATIONS") is None and fx.json("CITATION-ITEMS") is None
    if fx.mode == "bibliography" and not fx.json("CITATIONS") and not fx.json("CITATION-ITEMS"):
        cited = [str(i.get("id")) for i in items]
    # Fixtures with CITATIONS are processed as citeproc-js's processCitationCluster does.
    proc = Processor(style, items, None, resources=resources, cited=cited,
                     rewalk=fx.json("CITATIONS") is not None)
    if implicit and fx.mode == "citation":
        # The reference runner builds the one citation of such a fixture from its
        # registry after registering every input, that is in the bibliography's order.
        rank = {item_id: n for n, item_id in enumerate(proc.bibliography_order())}
        doc[0].cites.sort(key=lambda c: rank.get(c.id, len(rank)))
    cit = style.citation
    distance = cit.near_note_distance if cit is not None else 5
    assign_positions(doc, distance)
    quotes = proc.locale.quotes
    outputs = [render(proc.cluster(cl.cites), "html", quotes) for cl in doc]
    # A citation reads differently when its numbers change only in a style that prints them.
    numbers = proc.citation_numbers() if style.cites_by_number else {}
    # Nor when its note moves, unless the style prints note numbers.
    notes = "first-reference-note-number" in fx.sections.get("CSL", "")
    # And, in a note style with a disambiguate condition, when an item comes to be
    # cited more than once (citeproc-js then re-runs its cites' disambiguation).
    cited_twice = {c.id: sum(x.id == c.id for d in doc for x in d.cites) > 1
                   for cl in doc for c in cl.cites} if proc.rewalk else {}
    signatures = [
        out + repr([cl.note if notes else 0] + [(numbers.get(c.id), proc.disamb[c.id], cited_twice.get(c.id))
                                                for c in cl.cites if c.id in proc.disamb])
        for cl, out in zip(doc, outputs, strict=True)
    ]
    return proc, outputs, signatures


def run_fixture(fx: Fixture, resources: Resources | None = None) -> str:
    """The processor's output for a fixture, in the suite's HTML conventions."""
    resources = resources or Resources()
    doc, steps = _document(fx)
    proc, outputs, signatures = _render_doc(fx, doc, resources)
    if fx.mode == "bibliography":
        return _bib_html(proc)
    if fx.json("CITATIONS") is not None:
        before: dict[str, str] = {}
        if len(steps) > 1:
            _, _, prev_sig = _render_doc(fx, steps[-2], resources)
            before = {cl.id: sig for cl, sig in zip(steps[-2], prev_sig, strict=True)}
        last_id = steps[-1] and fx.json("CITATIONS")[-1][0].get("citationID")
        lines = []
        for i, (cl, out, sig) in enumerate(zip(doc, outputs, signatures, strict=True)):
            mark = ">>" if cl.id == last_id or before.get(cl.id) != sig else ".."
            lines.append(f"{mark}[{i}] {out}")
        return "\n".join(lines)
    return "\n".join(outputs)


def check_fixture(path: str | Path, resources: Resources | None = None) -> tuple[bool, str, str]:
    """(passed, expected, actual) for one fixture file."""
    fx = parse_fixture(path)
    try:
        actual = run_fixture(fx, resources)
    except Exception as exc:  # a crash is a failure with its message shown
        actual = f"!! {type(exc).__name__}: {exc}"
    expected = fx.expected.strip()
    return actual.strip() == expected, expected, actual.strip()
