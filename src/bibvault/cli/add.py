"""``bibvault add``: web pages, DOIs, videos and PDFs as new records."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from bibvault.cli.common import check_topics, echo_data, echo_json, fail, finish, get_app, status
from bibvault.cli.ingest_report import exit_code
from bibvault.findings import shown_path
from bibvault.ingest import IngestResult
from bibvault.ingest.add import add as add_sources
from bibvault.net import session_for_check


def _sources(given: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for s in given:
        if s == "-":
            out.extend(line.strip() for line in sys.stdin if line.strip()
                       and not line.lstrip().startswith("#"))
        else:
            out.append(s)
    return out


def text_report(results: Sequence[IngestResult], dry_run: bool, suggest: bool = True) -> str:
    """The text report: each record, why its type, where its fields came from, problems."""
    out: list[str] = []
    for r in results:
        where = shown_path(r.file or "")
        if r.written:
            head = f"added {r.key} to {where}:{r.line}"
        elif r.refused:
            head = f"refused {r.source}"
        else:
            head = f"would add {r.key} to {where}" if dry_run else f"not added {r.source}"
        out.append(head)
        if r.key and r.text:
            out.append(r.text.rstrip())
            if r.type_reason:
                out.append(f"  type: @{r.entry_type}, because {r.type_reason}")
            if r.provenance:
                where = "; ".join(f"{k} <- {v}" for k, v in r.provenance.items())
                out.append(f"  from: {where}")
        for d in r.duplicates:
            kind = "duplicate" if d.exact else "possible duplicate"
            loc = f"{shown_path(d.file)}:{d.line}" if d.line else shown_path(d.file)
            out.append(f"  {kind}: {d.key} ({loc}), {d.reason}")
        out += [f"  {f.severity.value}: {f.format_text()}" for f in r.findings]
        if suggest and r.suggested_topics and not r.refused:
            out.append(f"  suggested topics: {', '.join(r.suggested_topics)} "
                       "(not written; give --topic)")
        out.append("")
    return "\n".join(out).rstrip("\n")


@click.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--topic", "topics", multiple=True, metavar="TOPIC",
              help="Give the new records this topic (repeatable; checked against the vocabulary).")
@click.option("--dry-run", is_flag=True, help="Show the records; write nothing.")
@click.option("--force", is_flag=True, help="Add even a duplicate or a record that does not validate.")
@click.option("--from-archive", is_flag=True,
              help="Read web pages from their closest Web Archive capture.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Report for people or programs.")
@click.pass_context
def add(ctx: click.Context, sources: tuple[str, ...], topics: tuple[str, ...], dry_run: bool,
        force: bool, from_archive: bool, fmt: str) -> None:
    """Add web pages, DOIs, videos and PDFs as records.

    SOURCES are web addresses, DOIs (10.…, doi:…, https://doi.org/…, or a
    publisher's address holding one), local PDF or HTML files, or '-' to read
    sources from standard input, one per line. Each record is checked for
    duplicates, written in the canonical layout to its target file and
    validated. Exit 0 when every source was added (or would be, with
    --dry-run), 1 when one was refused (a duplicate, a blocked or missing page,
    error findings), 2 on usage, configuration or network failure.
    """
    app = get_app(ctx)
    check_topics(app, topics)
    given = _sources(sources)
    if not given:
        raise fail("no sources given")
    config = app.config
    with status() as say:
        say(f"reading {len(given)} source{'s' * (len(given) != 1)}")
        results = add_sources(given, config, session_for_check(config.check),
                              topics=topics, dry_run=dry_run, force=force,
                              from_archive=from_archive)
    if fmt == "json":
        echo_json([r.to_dict() for r in results])
    else:
        echo_data(text_report(results, dry_run, suggest=not topics))
    finish(ctx, exit_code(results))
