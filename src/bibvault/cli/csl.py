"""``bibvault format``, ``bibvault cite`` and ``bibvault styles``: the CSL engine on the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from bibvault.build import style_dirs
from bibvault.cli.common import (
    AppContext,
    Status,
    echo_data,
    fail,
    finish,
    get_app,
    resolve_paths,
    status,
    warn_read_errors,
)
from bibvault.collection import load_collection
from bibvault.csl import Processor, Style, StyleError, find_styles, load_style
from bibvault.csl.locale import PRIMARY_DIALECTS, LocaleStore
from bibvault.csljson import csl_item_problems, record_to_csl
from bibvault.exitcodes import ExitCode
from bibvault.export.bst import entry_text, find_bst, run_bst
from bibvault.findings import Finding
from bibvault.fsutil import read_bytes
from bibvault.sniff import CSL_JSON, JSON, WrongFormatError, sniff_file

FORMATS = ["text", "html", "md", "latex"]


def _style_dirs(app: AppContext) -> list[Path]:
    return style_dirs(app.config)


def _load_style(app: AppContext, name: str) -> Style:
    try:
        return load_style(name, search_dirs=_style_dirs(app))
    except StyleError as exc:
        if Path(name).is_file():  # a style file that cannot be used: no search helps
            raise fail(f"{name}: {exc}") from exc
        raise fail(f"{exc} (try `bibvault styles {name}`)") from exc


def _json_items(path: Path) -> list[dict[str, Any]]:
    raw = read_bytes(path)
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise fail(f"{path}:{line}: not UTF-8 (byte {raw[exc.start]:#04x}); CSL-JSON must be UTF-8") from exc
    except json.JSONDecodeError as exc:
        raise fail(f"{path}:{exc.lineno}:{exc.colno}: not valid CSL-JSON: {exc.msg}") from exc
    if isinstance(data, dict) and ("items" in data or "id" in data):
        data = data.get("items", [data])
    if not isinstance(data, list) or not all(isinstance(i, dict) for i in data):
        raise fail(f"{path}: expected a list of CSL-JSON items")
    problems = csl_item_problems(data)
    if problems:
        more = f"\n  … and {len(problems) - 5} more" if len(problems) > 5 else ""
        raise fail(f"{path}: not valid CSL-JSON:\n  " + "\n  ".join(problems[:5]) + more)
    return data


def load_items(app: AppContext, paths: tuple[str, ...], say: Status | None = None,
               errors: list[Finding] | None = None) -> list[dict[str, Any]]:
    """CSL-JSON items from ``.json`` files and (through records) ``.bib`` files.

    ``say`` shows which file is being read (see :class:`Status`); the syntax
    errors of the .bib files (entries left out or incomplete) go to ``errors``.
    """
    say = say or Status(enabled=False)
    files = resolve_paths(app, paths)
    json_files = [p for p in files
                  if p.suffix.lower() == ".json" or sniff_file(p).format in (CSL_JSON, JSON)]
    bib_files = [p for p in files if p not in json_files]
    items: list[dict[str, Any]] = []
    for p in json_files:
        say(f"reading {p}")
        items.extend(_json_items(p))
    if bib_files:
        try:
            collection = load_collection(bib_files, app.config.encoding, progress=say)
        except WrongFormatError as exc:
            raise WrongFormatError(exc.path, exc.sniffed,
                                   "a BibTeX/biblatex or CSL-JSON file") from None
        if errors is not None:
            errors.extend(collection.read_errors)
        say(f"reading {collection.entry_count:,} entries")
        items.extend(record_to_csl(r) for r in collection.records)
    return items


def _check_locale(locale: str | None) -> None:
    """Refuse a ``--locale`` with no locale file (it would silently fall back to en-US)."""
    if locale is None:
        return
    store = LocaleStore()
    primary = locale.split("-")[0]
    if store.get(locale) is None and store.get(PRIMARY_DIALECTS.get(primary, locale)) is None:
        raise fail(f"unknown locale {locale!r} (give a CSL locale such as en-US, en-GB, de-DE, fr-FR)")


def _processor(app: AppContext, style: str, items: list[dict[str, Any]],
               locale: str | None) -> Processor:
    _check_locale(locale)
    return Processor(_load_style(app, style), items, locale=locale)


@click.command("format")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--style", "-s", "style", default="apa", show_default=True,
              help="Style name, alias (apa, mla, chicago, chicago-nb, ieee, harvard) or .csl path.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--locale", default=None, help="Locale such as en-GB (default: the style's).")
@click.pass_context
def format_(ctx: click.Context, paths: tuple[str, ...], style: str, fmt: str,
            locale: str | None) -> int:
    """Print the bibliography of the given records (.bib or CSL-JSON files) in a style.

    A style ending in .bst (a name kpsewhich finds, such as plain.bst, or a path) is a
    classic BibTeX style, run by pybtex over the BibTeX export of .bib records;
    --format latex then prints the thebibliography environment bibtex would write.
    """
    app = get_app(ctx)
    if style.lower().endswith(".bst"):
        return _format_bst(ctx, app, paths, style, fmt)
    if _load_style(app, style).bibliography is None:
        raise fail(f"style {style} has no bibliography (it only formats citations: "
                   "use `bibvault cite`)")
    errors: list[Finding] = []
    with status() as say:
        items = load_items(app, paths, say, errors)
        say(f"formatting {len(items):,} items in {style}")
        proc = _processor(app, style, items, locale)
        entries = proc.bibliography(fmt=fmt)
    for _, entry in entries:
        echo_data(entry)
    warn_read_errors(errors)
    finish(ctx, ExitCode.FINDINGS if errors else ExitCode.OK)
    return int(ExitCode.OK)


def _format_bst(ctx: click.Context, app: AppContext, paths: tuple[str, ...], style: str,
                fmt: str) -> int:
    files = resolve_paths(app, paths)
    if any(p.suffix.lower() == ".json" for p in files):
        raise fail("a .bst style reads BibTeX: give .bib files, not CSL-JSON")
    with status() as say:
        collection = load_collection(files, app.config.encoding, progress=say)
        records = list(collection.records)
        say(f"formatting {len(records):,} records with {style}")
        result = run_bst(records, find_bst(style))
    if fmt == "latex":
        click.echo(result.bbl, nl=False)
    else:
        for item in result.items:
            click.echo(entry_text(item, fmt))
    for warning in result.warnings:
        click.echo(f"{style}: warning: {warning}", err=True)
    errors = collection.read_errors
    warn_read_errors(errors)
    finish(ctx, ExitCode.FINDINGS if errors else ExitCode.OK)
    return int(ExitCode.OK)


@click.command("cite")
@click.argument("keys", nargs=-1)
@click.option("--style", "-s", "style", default="apa", show_default=True, help="Style name, alias or path.")
@click.option("--from", "sources", multiple=True, type=click.Path(),
              help="Records to cite from (.bib or CSL-JSON; repeatable; default: configured records).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--locale", default=None, help="Locale such as en-GB (default: the style's).")
@click.option("--each", is_flag=True, help="One line per key: KEY<TAB>citation, each cited alone.")
@click.pass_context
def cite(ctx: click.Context, keys: tuple[str, ...], style: str, sources: tuple[str, ...], fmt: str,
         locale: str | None, each: bool) -> int:
    """Print one citation of KEYs (disambiguated over all loaded records)."""
    app = get_app(ctx)
    errors: list[Finding] = []
    with status() as say:
        items = load_items(app, sources, say, errors)
        say(f"preparing {len(items):,} items in {style}")
        proc = _processor(app, style, items, locale)
    known = list(proc.items)
    missing = [k for k in keys if k not in proc.items]
    if missing:
        warn_read_errors(errors)  # the key may be in an entry that could not be read
        raise fail(f"unknown key(s): {', '.join(missing)}")
    if each:
        chosen = keys or tuple(known)
        with status() as say:
            say(f"citing {len(chosen):,} items one by one")
            lines = [f"{key}\t{proc.cite([key], fmt=fmt)}" for key in chosen]
        for line in lines:
            echo_data(line)
        warn_read_errors(errors)
        finish(ctx, ExitCode.FINDINGS if errors else ExitCode.OK)
        return int(ExitCode.OK)
    if not keys:
        raise fail("give at least one KEY to cite (or --each)")
    echo_data(proc.cite(list(keys), fmt=fmt))
    warn_read_errors(errors)
    finish(ctx, ExitCode.FINDINGS if errors else ExitCode.OK)
    return int(ExitCode.OK)


@click.command("styles")
@click.argument("query", default="")
@click.option("--path", "path_of", metavar="NAME",
              help="Print the file of style NAME (a dependent style: its parent's), e.g. "
                   "for pandoc --csl.")
@click.pass_context
def styles(ctx: click.Context, query: str, path_of: str | None) -> int:
    """List styles whose name or title contains QUERY."""
    app = get_app(ctx)
    if path_of is not None:
        where = _load_style(app, path_of).path
        if where is None:  # load_style reads styles from files; this would be a bug
            raise fail(f"style {path_of} was not read from a file")
        click.echo(str(Path(where).resolve()))
        return int(ExitCode.OK)
    try:
        dirs = _style_dirs(app)
    except Exception:  # an unreadable configuration should not hide the official styles
        dirs = []
    found = find_styles(query, search_dirs=dirs)
    for name, title in found:
        click.echo(f"{name}\t{title}")
    if not found:
        click.echo(f"no style matches {query!r}", err=True)
        return int(ExitCode.FINDINGS)
    return int(ExitCode.OK)
