"""What a check run means for the records: findings, reports and ``urlstatus`` updates."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from bibvault.bibfile import BibFile
from bibvault.bibfile.editing import ambiguous_keys
from bibvault.findings import Finding, Fix
from bibvault.fmt import canonical_keys, relayout
from bibvault.links.checker import CheckRun, LinkOutcome, LinkTarget
from bibvault.links.drift import Content
from bibvault.links.result import LinkStatus, iso_utc
from bibvault.links.rules import RULES
from bibvault.rules import rules_by_code

#: The rule each failing status is reported under.
_CODES: Mapping[LinkStatus, str] = MappingProxyType({
    LinkStatus.DEAD: "L401",
    LinkStatus.SOFT_404: "L402",
    LinkStatus.REDIRECTED: "L403",
    LinkStatus.BLOCKED: "L404",
    LinkStatus.RATE_LIMITED: "L405",
    LinkStatus.TIMEOUT: "L406",
    LinkStatus.ERROR: "L407",
})
_RULES = rules_by_code(RULES)


def _finding(code: str, message: str, target: LinkTarget, fix: Fix | None = None) -> Finding:
    return Finding(code, _RULES[code].severity, message, file=target.file, line=target.line,
                   key=target.key, fix=fix)


def outcome_findings(outcome: LinkOutcome) -> list[Finding]:
    """The findings for one checked link (none for a live link)."""
    r, t = outcome.result, outcome.target
    out: list[Finding] = []
    if r.status in _CODES:
        fix = Fix(t.key, "url", "{" + r.new_url + "}", "use the new URL") if r.new_url else None
        out.append(_finding(_CODES[r.status], f"{r.status.value}: {r.url} ({r.detail})", t, fix))
    v = outcome.verdict
    if v is not None and v.state == "dead":
        out.append(_finding("L409", f"confirmed dead: {v.spaced} failed runs days apart since "
                                    f"{iso_utc(v.first_failure)[:10]}: {r.url}", t,
                            Fix(t.key, "urlstatus", "{dead}", "mark the link dead")))
    elif v is not None:
        out.append(_finding("L410", f"suspect: {v.failures} failed run(s), {v.spaced} of the "
                                    f"spaced runs needed to confirm: {r.url}", t))
    d = outcome.drift
    if d is not None and d.content is Content.CHANGED:
        out.append(_finding("L420", f"content changed since it was cited ({d.detail}): {r.url}",
                            t))
    return out


def run_findings(run: CheckRun) -> list[Finding]:
    """Every finding of a run, in target order."""
    return [f for o in run.outcomes for f in outcome_findings(o)]


def summary(run: CheckRun) -> str:
    """``N links: 3 alive, 1 dead, …; 1 suspect, 0 confirmed dead``."""
    parts = [f"{n} {status}" for status, n in run.counts.items() if n]
    suspect = sum(1 for o in run.outcomes if o.verdict and o.verdict.state == "suspect")
    confirmed = sum(1 for o in run.outcomes if o.confirmed_dead)
    cached = sum(1 for o in run.outcomes if o.result.cached)
    content = [f"{sum(1 for o in run.outcomes if o.drift and o.drift.content is c)} {c.value}"
               for c in Content]
    drift = f"; content {', '.join(content)}" if any(o.drift for o in run.outcomes) else ""
    return (f"{len(run.outcomes)} link{'s' * (len(run.outcomes) != 1)}: {', '.join(parts) or 'none'}"
            f"; {suspect} suspect, {confirmed} confirmed dead{drift}; {cached} from history, "
            f"{run.requests} request{'s' * (run.requests != 1)}")


def to_json(run: CheckRun) -> str:
    """One JSON object per record, as documented for ``check --format json``."""
    rows = []
    for o in run.outcomes:
        r = o.result
        rows.append({
            "key": o.target.key, "url": r.url, "status": r.status.value,
            "http_status": r.http_status, "final_url": r.final_url,
            "checked_at": iso_utc(r.checked_at), "detail": r.detail,
            "new_url": r.new_url, "cached": r.cached,
            "verdict": o.verdict.state if o.verdict else None,
            "content": o.drift.content.value if o.drift else None,
            "similarity": o.drift.similarity if o.drift else None,
        })
    return json.dumps(rows, indent=2, ensure_ascii=False)


def to_text(run: CheckRun) -> str:
    """One line per link that is not simply alive, then nothing else (the summary goes to stderr)."""
    lines = [f.format_text() for f in run_findings(run)]
    return "\n".join(lines)


def to_markdown(run: CheckRun) -> str:
    """A Markdown table of every link."""
    head = ["| key | status | HTTP | url | detail | content | similarity |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    rows = []
    for o in run.outcomes:
        r, d = o.result, o.drift
        status = r.status.value + (f" ({o.verdict.state})" if o.verdict else "")
        similarity = f"{d.similarity:.2f}" if d and d.similarity is not None else ""
        rows.append(f"| {_md(o.target.key)} | {status} | {r.http_status or ''} | {_md(r.url)} "
                    f"| {_md(r.detail)} | {d.content.value if d else ''} | {similarity} |")
    return "\n".join(head + rows + ["", summary(run)])


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


@dataclass(frozen=True)
class StatusChange:
    """A ``urlstatus`` edit: set to ``{dead}`` (``value``) or removed (``None``)."""

    file: str
    key: str
    value: str | None


def urlstatus_changes(run: CheckRun, files: Sequence[BibFile]) -> list[StatusChange]:
    """What to write: ``{dead}`` for confirmed dead links; removal for a link marked
    dead that works again. Entries already right are left alone."""
    by_path = {bf.path: bf for bf in files}
    ambiguous = {bf.path: ambiguous_keys(bf.entries) for bf in files}
    changes: list[StatusChange] = []
    for o in run.outcomes:
        bf = by_path.get(o.target.file)
        entry = bf.get(o.target.key) if bf else None
        if bf is None or entry is None or o.target.key.lower() in ambiguous[bf.path]:
            continue  # gone, or a duplicated key whose edit could land in the other entry
        current = (entry.value("urlstatus") or "").strip().lower()
        if o.confirmed_dead and current != "dead":
            changes.append(StatusChange(o.target.file, o.target.key, "{dead}"))
        elif o.result.status.is_success and current == "dead":
            changes.append(StatusChange(o.target.file, o.target.key, None))
    return changes


def apply_changes(changes: Iterable[StatusChange], files: Sequence[BibFile]) -> list[BibFile]:
    """Apply ``urlstatus`` changes in memory; return the files that changed (unsaved)."""
    by_path = {bf.path: bf for bf in files}
    canonical = {bf.path: canonical_keys(bf) for bf in files}
    edited: dict[str, set[str]] = {}
    for c in changes:
        bf = by_path[c.file]
        if c.value is None:
            bf.remove_field(c.key, "urlstatus")
        else:
            bf.set_field(c.key, "urlstatus", c.value)
        edited.setdefault(c.file, set()).add(c.key)
    # An entry in fmt's layout keeps it, so the edit passes `fmt --check`.
    return [relayout(by_path[path], keys & canonical[path]) for path, keys in edited.items()]
