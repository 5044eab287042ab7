"""How ``add`` and ``import`` tell what became of each source: one report, text or JSON,
a summary on stderr, and the exit code."""

from __future__ import annotations

from collections.abc import Sequence

import click

from bibvault.cli.common import echo_data
from bibvault.exitcodes import ExitCode
from bibvault.findings import shown_path
from bibvault.ingest import IngestResult, results_to_json


def report_results(results: Sequence[IngestResult], fmt: str, *, dry_run: bool,
                   detailed: bool, suggest: bool = True) -> None:
    """Print one block per source (text) or the JSON list; a summary line on stderr.

    ``detailed`` prints each new record as it is (or would be) written and where
    each field came from, as ``add`` does for a few sources found on the web;
    ``import`` names the place in the imported file instead. ``suggest`` adds the topics a record could have (not when the
    topics were given).
    """
    if fmt == "json":
        echo_data(results_to_json(results))
    else:
        blocks = ["\n".join(result_lines(r, dry_run=dry_run, detailed=detailed,
                                         suggest=suggest)) for r in results]
        if blocks:
            echo_data("\n\n".join(blocks))
    added = sum(1 for r in results if not r.refused)
    verb = "would be added" if dry_run else "added"
    click.echo(f"{added} of {len(results)} source{'s' * (len(results) != 1)} {verb}, "
               f"{len(results) - added} refused", err=True)


def result_lines(r: IngestResult, *, dry_run: bool, detailed: bool,
                 suggest: bool = True) -> list[str]:
    """The text report of one source: what happened, the record, its type and why, where
    its fields came from, duplicates, findings and suggested topics."""
    where = shown_path(r.file) if r.file else ""
    if r.written:
        head = f"added {r.key} to {where}:{r.line}"
    elif r.refused:
        head = f"refused {r.source}"
    else:
        head = f"would add {r.key} to {where}" if dry_run else f"not added {r.source}"
    lines = [head if detailed or r.refused else f"{head}  [from {r.source}]"]
    if detailed and r.key and r.text:
        lines.append(r.text.rstrip())
    if r.key and r.type_reason:
        lines.append(f"  type: @{r.entry_type}, because {r.type_reason}")
    if detailed and r.key and r.provenance:
        lines.append("  from: " + "; ".join(f"{k} <- {v}" for k, v in r.provenance.items()))
    for d in r.duplicates:
        kind = "duplicate" if d.exact else "possible duplicate"
        loc = f"{shown_path(d.file)}:{d.line}" if d.line else shown_path(d.file)
        lines.append(f"  {kind}: {d.key} ({loc}), {d.reason}")
    lines += [f"  {f.severity.value}: {f.format_text()}" for f in r.findings]
    if suggest and r.suggested_topics and not r.refused:
        lines.append(f"  suggested topics: {', '.join(r.suggested_topics)} "
                     "(not written; give --topic)")
    return lines


#: Findings that mean the network failed, not the source: the command exits 2 for them.
NETWORK_CODES = frozenset({"N826"})


def exit_code(results: Sequence[IngestResult]) -> ExitCode:
    """2 when the network failed, 1 when a source was refused, else 0 (every source
    was, or in a dry run would be, added)."""
    if any(f.code in NETWORK_CODES for r in results for f in r.findings):
        return ExitCode.USAGE
    return ExitCode.FINDINGS if any(r.refused for r in results) else ExitCode.OK
