"""How ``add`` and ``import`` tell what became of each source: text or JSON, and the exit code."""

from __future__ import annotations

from collections.abc import Sequence

import click

from bibvault.cli.common import display_path, echo_data
from bibvault.exitcodes import ExitCode
from bibvault.ingest import IngestResult, results_to_json


def report_results(results: Sequence[IngestResult], fmt: str, *, dry_run: bool) -> None:
    """Print one block per source (text) or the JSON list; a summary line on stderr."""
    if fmt == "json":
        echo_data(results_to_json(results))
    else:
        for r in results:
            for line in result_lines(r, dry_run=dry_run):
                click.echo(line)
    added = sum(1 for r in results if not r.refused)
    verb = "would be added" if dry_run else "added"
    click.echo(f"{added} of {len(results)} source{'s' * (len(results) != 1)} {verb}, "
               f"{len(results) - added} refused", err=True)


def result_lines(r: IngestResult, *, dry_run: bool) -> list[str]:
    """The text report of one source: what happened, its type and why, its findings."""
    if r.refused:
        head = f"refused {r.source}"
    else:
        shown = display_path(r.file) if r.file else ""
        where = f"{shown}:{r.line}" if r.line else shown
        head = (f"{'would add' if dry_run else 'added'} {r.key} (@{r.entry_type}) to {where}"
                f"  [from {r.source}]")
    lines = [head]
    if r.type_reason:
        lines.append(f"    type: {r.type_reason}")
    if r.suggested_topics:
        lines.append(f"    suggested topics: {', '.join(r.suggested_topics)}")
    lines += [f"    {f.severity.value}: {f.code} {f.message}" for f in r.findings]
    return lines


#: Findings that mean the network failed, not the source: the command exits 2 for them.
NETWORK_CODES = frozenset({"N826"})


def exit_code(results: Sequence[IngestResult]) -> ExitCode:
    """2 when the network failed, 1 when a source was refused, else 0 (every source
    was, or in a dry run would be, added)."""
    if any(f.code in NETWORK_CODES for r in results for f in r.findings):
        return ExitCode.USAGE
    return ExitCode.FINDINGS if any(r.refused for r in results) else ExitCode.OK
