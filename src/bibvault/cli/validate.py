"""``bibvault validate`` and ``bibvault rules``."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

import click

from bibvault.cli.common import (
    echo_json,
    fail,
    finish,
    get_app,
    load,
    split_commas,
    status,
)
from bibvault.exitcodes import ExitCode
from bibvault.findings import Finding, format_texts, has_errors
from bibvault.registry import all_rules
from bibvault.reporting import CI_FORMATS, ci_report
from bibvault.rules import known_prefixes
from bibvault.validate import fix_collection, validate_files


def _check_codes(codes: Sequence[str]) -> None:
    if not codes:
        return  # nothing to check: the list of every family's rules is not loaded
    known = known_prefixes(all_rules())
    unknown = [c for c in codes if c.upper() not in known]
    if unknown:
        raise fail(f"unknown rule code or prefix: {', '.join(unknown)} (see 'bibvault rules')")


def summary_line(findings: list[Finding], nfiles: int) -> str:
    """``N errors, M warnings, K notes in F files``."""
    c = Counter(f.severity.value for f in findings)
    return (f"{c['error']} error{'s' * (c['error'] != 1)}, {c['warning']} warning{'s' * (c['warning'] != 1)}, "
            f"{c['info']} note{'s' * (c['info'] != 1)} in {nfiles} file{'s' * (nfiles != 1)}")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json", *CI_FORMATS]), default="text",
              show_default=True, help="Report for people (text), programs (json), GitHub "
                                      "annotations (github) or code scanning (sarif).")
@click.option("--select", multiple=True, metavar="CODES",
              help="Only these rule codes or prefixes (comma separated; repeatable).")
@click.option("--ignore", multiple=True, metavar="CODES",
              help="Leave out these rule codes or prefixes (comma separated; repeatable).")
@click.option("--fix", is_flag=True, help="Apply the safe fixes (dates, whitespace) in place.")
@click.option("--show-source", is_flag=True, help="Print the offending text under each finding.")
@click.pass_context
def validate(ctx: click.Context, paths: tuple[str, ...], fmt: str, select: tuple[str, ...],
             ignore: tuple[str, ...], fix: bool, show_source: bool) -> None:
    """Check .bib files and report located findings.

    PATHS are .bib files or directories (default: the configured records).
    Exit 0 without errors, 1 with errors, 2 on usage, configuration or I/O failure.
    """
    app = get_app(ctx)
    sel, ign = split_commas(select), split_commas(ignore)
    _check_codes(sel + ign)
    config = app.config
    with status() as say:
        collection = load(app, paths, say)
        say(f"validating {collection.entry_count:,} entries")
        files = list(collection.files)
        findings = validate_files(files, config, select=sel, ignore=ign)
    if fix:
        fixed = fix_collection(collection, findings, config, select=sel, ignore=ign)
        for path, assumed in fixed.recoded.items():
            click.echo(f"fixed {path}: re-encoded as UTF-8 (the bytes that were not "
                       f"UTF-8 read as {assumed})", err=True)
        for a in fixed.applied:
            click.echo(f"fixed {a.file}: [{a.key}] {a.description}", err=True)
        files, findings = fixed.files, fixed.findings
    if fmt == "json":
        echo_json([f.to_dict() for f in findings])
    elif fmt in CI_FORMATS:
        click.echo(ci_report(fmt, findings))
    else:
        # In chunks: an echo per line (each one flushed) was most of the time
        # spent on a file with a million findings.
        lines: list[str] = []
        for f, text in zip(findings, format_texts(findings), strict=True):
            lines.append(text)
            if show_source and f.excerpt:
                lines.append(f"    | {f.excerpt}")
            if len(lines) >= 1000:
                click.echo("\n".join(lines))
                lines = []
        if lines:
            click.echo("\n".join(lines))
        click.echo(summary_line(findings, len(files)), err=True)
    finish(ctx, ExitCode.FINDINGS if has_errors(findings) else ExitCode.OK)


@click.command()
@click.argument("codes", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def rules(codes: tuple[str, ...], fmt: str) -> None:
    """List every rule with its code, severity and explanation.

    With CODES (or prefixes such as F2), only those rules.
    """
    wanted = tuple(c.upper() for c in split_commas(codes))
    chosen = [r for r in all_rules() if not wanted or r.code.startswith(wanted)]
    if wanted and not chosen:
        raise fail(f"no rule matches {', '.join(wanted)}")
    if fmt == "json":
        click.echo(json.dumps([{"code": r.code, "severity": r.severity.value, "summary": r.summary,
                                "explanation": r.explanation, "fixable": r.fixable} for r in chosen],
                              indent=2))
        return
    for r in chosen:
        fixable = " [fixable]" if r.fixable else ""
        click.echo(f"{r.code} {r.severity.value:<7} {r.summary}{fixable}")
        if wanted:
            click.echo(f"    {r.explanation}")
