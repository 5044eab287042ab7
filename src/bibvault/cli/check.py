"""``bibvault check``, ``bibvault archive`` and ``bibvault verify``."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

import click

from bibvault.archive import find_credentials
from bibvault.archive.run import archive_collection, verify_collection
from bibvault.cli.common import (
    AppContext,
    check_topics,
    echo_data,
    echo_json,
    fail,
    finish,
    get_app,
    load,
    status,
    warn_read_errors,
)
from bibvault.collection import Collection
from bibvault.exitcodes import ExitCode
from bibvault.links.run import check_collection
from bibvault.net import session_for_check
from bibvault.records import Record
from bibvault.reporting import CI_FORMATS, ci_report
from bibvault.select import select_records

_KEY = click.option("--key", "keys", multiple=True, metavar="KEY",
                    help="Only the record with this key (repeatable).")
_TOPIC = click.option("--topic", "topics", multiple=True, metavar="TOPIC",
                      help="Only records with this topic (repeatable).")


def _chosen(app: AppContext, paths: tuple[str, ...], keys: tuple[str, ...],
            topics: tuple[str, ...]) -> tuple[Collection, list[Record]]:
    check_topics(app, topics)
    collection = load(app, paths)
    records = collection.records_with_keys(keys)
    missing = sorted(set(keys) - {r.key for r in records})
    if missing:
        raise fail(f"no record with key {', '.join(missing)}")
    return collection, select_records(records, topics=topics, keys=keys)


@contextlib.contextmanager
def _progress(total: int) -> Iterator[Any]:
    """A progress bar on a terminal; nothing otherwise."""
    if not sys.stderr.isatty() or total == 0:
        yield None
        return
    with click.progressbar(length=total, label="checking", file=sys.stderr) as bar:
        yield bar


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@_KEY
@_TOPIC
@click.option("--refresh", is_flag=True, help="Ignore remembered results; check every link now.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown", *CI_FORMATS]),
              default="text",
              show_default=True, help="Report for people (text, markdown) or programs (json).")
@click.option("--write/--no-write", default=True, show_default=True,
              help="Mark confirmed-dead links urlstatus = {dead} (and unmark revived ones).")
@click.pass_context
def check(ctx: click.Context, paths: tuple[str, ...], keys: tuple[str, ...],
          topics: tuple[str, ...], refresh: bool, fmt: str, write: bool) -> None:
    """Check the url of every record, politely, and remember the results.

    A link is marked dead in its file only after failing on several runs days
    apart (check.dead_after_runs / check.dead_after_days); until then it is
    "suspect". When no server can be reached, nor the canary (check.canary_url,
    by default the Web Archive), the run stops with "no network" and records
    nothing. Exit 0 when no link is dead, 1 when one is (or when entries
    could not be read for syntax errors), 2 on a usage, configuration or I/O
    failure.
    """
    app = get_app(ctx)
    collection, records = _chosen(app, paths, keys, topics)
    session = session_for_check(app.config.check)
    try:
        with _progress(len({r.url for r in records if r.url})) as bar:
            report = check_collection(
                collection, records, session, app.config, refresh=refresh, write=write,
                progress=(lambda done, total, r: bar.update(1)) if bar else None)
    finally:
        session.close()
    if fmt == "json":
        echo_data(report.to_json())
    elif fmt == "markdown":
        click.echo(report.to_markdown())
    elif fmt in CI_FORMATS:
        click.echo(ci_report(fmt, report.findings))
    else:
        text = report.to_text()
        if text:
            click.echo(text)
        for c in report.changes:
            verb = "marked" if write else "would mark"
            state = "dead" if c.value else "no longer dead"
            click.echo(f"{c.file}: [{c.key}] {verb} {state}", err=True)
        click.echo(report.summary(), err=True)
    warn_read_errors(list(report.read_errors))
    finish(ctx, ExitCode.FINDINGS if report.failed else ExitCode.OK)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@_KEY
@_TOPIC
@click.option("--local", is_flag=True,
              help="Also keep a local copy of each source as a BagIt bag (archive.local_dir).")
@click.option("--dry-run", is_flag=True,
              help="Look up only: request no capture, download nothing, change no file.")
@click.option("--diff", "show_diff", is_flag=True, help="Print the changes as a unified diff.")
@click.option("--refresh", is_flag=True,
              help="Look again for records that already have archive fields.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.pass_context
def archive(ctx: click.Context, paths: tuple[str, ...], keys: tuple[str, ...],
            topics: tuple[str, ...], local: bool, dry_run: bool, show_diff: bool, refresh: bool,
            fmt: str) -> None:
    """Find or request Web Archive captures and write archiveurl/archivedate.

    Captures are requested with Save Page Now only when credentials are
    configured (IA_ACCESS_KEY and IA_SECRET_KEY, or the internetarchive
    tool's ia.ini); without them existing captures are looked up only.
    Exit 0 when every record is archived, 1 when some could not be (or when
    entries could not be read for syntax errors), 2 on a usage, configuration
    or I/O failure.
    """
    app = get_app(ctx)
    collection, records = _chosen(app, paths, keys, topics)
    session = session_for_check(app.config.check)
    try:
        with status() as say:
            report = archive_collection(
                collection, records, session, app.config, find_credentials(), local=local,
                dry_run=dry_run, refresh=refresh,
                progress=lambda done, total, t: say(f"archiving {done + 1}/{total}: "
                                                    f"{t.key} {t.url}"))
    finally:
        session.close()
    if fmt == "json":
        echo_json(report.to_json())
    else:
        for f in report.run.findings:
            click.echo(f.format_text())
        if show_diff or dry_run:
            for d in report.diffs:
                click.echo(d, nl=False)
        click.echo(report.summary(), err=True)
    warn_read_errors(list(report.read_errors))
    finish(ctx, ExitCode.FINDINGS if report.failed else ExitCode.OK)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--remote", is_flag=True,
              help="Also request every record's archiveurl and judge the archived copy.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", *CI_FORMATS]), default="text",
              show_default=True)
@click.pass_context
def verify(ctx: click.Context, paths: tuple[str, ...], remote: bool, fmt: str) -> None:
    """Recompute every checksum of the local copies; report missing, extra and changed files.

    Also checks that each record's archivesha256 matches its copy. With
    --remote, each archiveurl is requested and its Memento headers read: every
    archived copy is ok, missing, wrong-url, bad-capture, date-mismatch or
    unreachable. Exit 0 when everything matches, 1 on any mismatch (or a
    missing, wrong-url or bad-capture copy), 2 on a usage or I/O failure or when
    the archive is unreachable.
    """
    app = get_app(ctx)
    collection = load(app, paths)
    session = session_for_check(app.config.check) if remote else None
    try:
        with status() as say:
            if remote:
                say("asking the archive for each archived copy")
            report = verify_collection(collection, app.config, session)
    finally:
        if session is not None:
            session.close()
    if fmt == "json":
        echo_json(report.to_json())
    elif fmt in CI_FORMATS:
        click.echo(ci_report(fmt, list(report.findings)))
    else:
        for f in report.findings:
            click.echo(f.format_text())
        click.echo(report.summary(), err=True)
    if report.unreachable:
        finish(ctx, ExitCode.USAGE)
    finish(ctx, ExitCode.FINDINGS if report.failed else ExitCode.OK)
