"""``bibvault list``: the records, one per line, newest first."""

from __future__ import annotations

import click

from bibvault.cli.common import (
    check_topics,
    date_option,
    echo_data,
    echo_json,
    finish,
    get_app,
    load,
    status,
    warn_read_errors,
)
from bibvault.exitcodes import ExitCode
from bibvault.select import newest_first, select_records


@click.command("list")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--topic", "topics", multiple=True, help="Only records with this topic (repeatable).")
@click.option("--type", "types", multiple=True, help="Only records of this entry type (repeatable).")
@click.option("--since", callback=date_option, metavar="DATE",
              help="Only records dated on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--until", callback=date_option, metavar="DATE",
              help="Only records dated on or before DATE (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.pass_context
def list_(ctx: click.Context, paths: tuple[str, ...], topics: tuple[str, ...],
          types: tuple[str, ...], since: str | None, until: str | None, fmt: str) -> None:
    """List records newest first (undated last): date, key, type, title."""
    app = get_app(ctx)
    check_topics(app, topics)
    with status() as say:
        collection = load(app, paths, say)
        say(f"reading {collection.entry_count:,} entries")
        chosen = newest_first(select_records(collection.records, topics=topics, types=types,
                                             since=since, until=until))
    errors = collection.read_errors
    if fmt == "json":
        echo_json([
            {"key": r.key, "type": r.entry_type, "date": r.date.iso() if r.date else None,
             "title": r.title, "authors": [str(p) for p in r.names("author")],
             "topics": list(r.topics), "url": r.url, "file": r.file, "line": r.line}
            for r in chosen])
    else:
        for r in chosen:
            date = r.date.iso() if r.date else "----"
            echo_data(f"{date:<10}  {r.key}  @{r.entry_type}  {r.title}")
    warn_read_errors(errors)
    finish(ctx, ExitCode.FINDINGS if errors else ExitCode.OK)
