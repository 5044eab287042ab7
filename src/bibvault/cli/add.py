"""``bibvault add``: web pages, DOIs, videos and PDFs as new records."""

from __future__ import annotations

import sys

import click

from bibvault.cli.common import check_topics, fail, finish, get_app, status
from bibvault.cli.ingest_report import exit_code, report_results
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
    session = session_for_check(config.check)
    try:
        with status() as say:
            say(f"reading {len(given)} source{'s' * (len(given) != 1)}")
            results = add_sources(given, config, session, topics=topics, dry_run=dry_run,
                                  force=force, from_archive=from_archive)
    finally:
        session.close()
    report_results(results, fmt, dry_run=dry_run, detailed=True, suggest=not topics)
    finish(ctx, exit_code(results))
