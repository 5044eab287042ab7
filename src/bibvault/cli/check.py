"""``bibvault check``, ``bibvault archive`` and ``bibvault verify``."""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import sys
from collections.abc import Iterator
from typing import Any

import click

from bibvault.archive import archive_records, find_credentials, verify_all
from bibvault.archive.memento import CopyStatus
from bibvault.archive.remote import RemoteCopy, copy_counts, verify_remote
from bibvault.archive.wayback import parse_urldate
from bibvault.archive.writeback import apply_updates, archive_targets, unified_diff, verify_records
from bibvault.bibfile import BibFile
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
from bibvault.findings import Finding, Severity
from bibvault.links import History, LinkTarget, check_links
from bibvault.links.polite import HostGate
from bibvault.links.report import (
    apply_changes,
    run_findings,
    summary,
    to_json,
    to_markdown,
    to_text,
    urlstatus_changes,
)
from bibvault.net import NoNetwork, session_for_check
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
    records = collection.records_with_keys(set(keys))
    missing = sorted(set(keys) - {r.key for r in records})
    if missing:
        raise fail(f"no record with key {', '.join(missing)}")
    return collection, select_records(records, topics=topics, keys=keys)


def _cited_at(urldate: str | None) -> float | None:
    """The end of the day a record's ``urldate`` names, as a POSIX time."""
    day = parse_urldate(urldate)
    return dt.datetime.combine(day, dt.time(23, 59, 59), dt.UTC).timestamp() if day else None


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
    config = app.config
    collection, records = _chosen(app, paths, keys, topics)
    errors = collection.read_errors
    targets = [LinkTarget(r.key, r.url, r.file, r.line, _cited_at(r.get("urldate")))
               for r in records if r.url]
    session = session_for_check(config.check)
    try:
        with History(config.resolve(config.check.database)) as history, \
                _progress(len(set(t.url for t in targets))) as bar:
            run = check_links(targets, session, config.check, history, refresh=refresh,
                              progress=(lambda done, total, r: bar.update(1)) if bar else None,
                              canary=config.check.canary_url or config.archive.wayback_url)
    except NoNetwork as exc:
        raise fail(f"{exc}; nothing was recorded") from exc
    except (sqlite3.Error, OSError) as exc:
        raise fail(f"link history {config.check.database}: {exc}") from exc
    finally:
        session.close()
    if write:
        # A run can take minutes; write into the files as they are now, so that
        # edits made meanwhile are kept.
        collection = collection.reload()
    files = collection.files
    changes = urlstatus_changes(run, files)
    if write:
        for bf in apply_changes(changes, files):
            bf.save()
    if fmt == "json":
        echo_data(to_json(run))
    elif fmt == "markdown":
        click.echo(to_markdown(run))
    elif fmt in CI_FORMATS:
        click.echo(ci_report(fmt, run_findings(run)))
    else:
        text = to_text(run)
        if text:
            click.echo(text)
        for c in changes:
            verb = "marked" if write else "would mark"
            state = "dead" if c.value else "no longer dead"
            click.echo(f"{c.file}: [{c.key}] {verb} {state}", err=True)
        click.echo(summary(run), err=True)
    warn_read_errors(errors)
    finish(ctx, ExitCode.FINDINGS if run.any_dead or errors else ExitCode.OK)


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
    config = app.config
    collection, records = _chosen(app, paths, keys, topics)
    errors = collection.read_errors
    credentials = find_credentials()
    session = session_for_check(config.check)
    gate = HostGate(config.check.per_host, config.check.host_delay, config.check.concurrency)
    local_root = config.resolve(config.archive.local_dir) if local else None
    if local_root is not None and local_root.exists() and not local_root.is_dir():
        raise fail(f"{local_root}: archive.local_dir is not a directory")
    try:
        # Captures' fingerprints go into the link history; a dry run writes nothing.
        history = None if dry_run else History(config.resolve(config.check.database))
    except (sqlite3.Error, OSError) as exc:
        session.close()
        raise fail(f"link history {config.check.database}: {exc}") from exc
    try:
        with status() as say:
            run = archive_records(
                archive_targets(records), session, config.archive, credentials,
                local_root=local_root, gate=gate, dry_run=dry_run, refresh=refresh,
                progress=lambda done, total, t: say(f"archiving {done + 1}/{total}: {t.key} {t.url}"),
                history=history, canary=config.check.canary_url or config.archive.wayback_url)
    except NoNetwork as exc:
        raise fail(f"{exc}; no file was changed") from exc
    finally:
        session.close()
        if history is not None:
            history.close()
    touched: list[BibFile] = []
    diffs: list[str] = []
    if any(o.updates for o in run.outcomes):
        # A run can take minutes; write into the files as they are now, so that
        # edits made meanwhile are kept.
        files = collection.reload().files
        before = {bf.path: bf.to_bytes() for bf in files}
        touched = apply_updates(run.outcomes, files)
        diffs = [unified_diff(before[bf.path], bf.to_bytes(), bf.path) for bf in touched]
    if not dry_run:
        for bf in touched:
            bf.save()
    if fmt == "json":
        echo_json({
            "records": [{"key": o.target.key, "url": o.target.url,
                         "capture": o.capture.url(config.archive.wayback_url) if o.capture else None,
                         "saved": o.saved, "updates": o.updates, "note": o.note,
                         "local": str(o.bag.path) if o.bag else None} for o in run.outcomes],
            "findings": [f.to_dict() for f in run.findings],
            "saves": run.saves, "lookup_only": run.lookup_only, "dry_run": dry_run,
        })
    else:
        for f in run.findings:
            click.echo(f.format_text())
        if show_diff or dry_run:
            for d in diffs:
                click.echo(d, nl=False)
        changed = sum(1 for o in run.outcomes if o.updates)
        verb = "would change" if dry_run else "changed"
        click.echo(f"{len(run.outcomes)} records with a URL: {verb} {changed}, "
                   f"{run.saves} capture{'s' * (run.saves != 1)} requested"
                   + (" (lookup only: no credentials)" if run.lookup_only else ""), err=True)
    bad = [f for f in run.findings if f.severity is not Severity.INFO]
    warn_read_errors(errors)
    finish(ctx, ExitCode.FINDINGS if bad or errors else ExitCode.OK)


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
    config = app.config
    root = config.resolve(config.archive.local_dir)
    if root.exists() and not root.is_dir():
        raise fail(f"{root}: archive.local_dir is not a directory")
    findings: list[Finding] = list(verify_all(root))
    records = load(app, paths).records
    findings += verify_records(records, root)
    copies: list[RemoteCopy] = []
    if remote:
        session = session_for_check(config.check)
        gate = HostGate(config.check.per_host, config.check.host_delay, config.check.concurrency)
        try:
            with status() as say:
                say("asking the archive for each archived copy")
                copies = verify_remote(records, session, gate, config.check.request_deadline)
        finally:
            session.close()
        findings += [f for c in copies if (f := c.finding()) is not None]
    if fmt == "json" and remote:
        echo_json({"copies": [c.to_dict() for c in copies],
                   "findings": [f.to_dict() for f in findings]})
    elif fmt == "json":
        echo_json([f.to_dict() for f in findings])
    elif fmt in CI_FORMATS:
        click.echo(ci_report(fmt, findings))
    else:
        for f in findings:
            click.echo(f.format_text())
        problems = [f for f in findings if f.severity is not Severity.INFO]
        click.echo(f"{len(problems)} problem{'s' * (len(problems) != 1)} in {root}"
                   + (f"; archived copies: {_counted(copy_counts(copies))}" if remote else ""),
                   err=True)
    if any(c.verdict.status is CopyStatus.UNREACHABLE for c in copies):
        finish(ctx, ExitCode.USAGE)
    failing = [f for f in findings if f.severity is Severity.ERROR]
    finish(ctx, ExitCode.FINDINGS if failing else ExitCode.OK)


def _counted(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in counts.items() if n) or "none"
