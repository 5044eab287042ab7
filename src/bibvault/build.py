"""The build stage: configuration → validation → reading lists and exports → files.

:func:`run_build` validates the configured ``.bib`` files, renders the reading
list in every configured style and format, writes the exports, and writes only
the files whose bytes changed. A manifest of the last build (inputs'
fingerprint, outputs' sizes and times) lets an unchanged second build skip all
work, so it neither rewrites nor touches a file.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import bibvault
from bibvault.added import dates_added
from bibvault.collection import load_collection
from bibvault.config import Config
from bibvault.csl import StyleError
from bibvault.documents import (
    EXPORT_FILES,
    PAGE_FORMATS,
    Producer,
    plan_documents,
)
from bibvault.errors import StageError
from bibvault.findings import Finding, Severity, has_errors
from bibvault.fsutil import atomic_write, atomic_write_chunks, confined_target, utf8
from bibvault.records import Record, records_from_file
from bibvault.site import GROUP_BY, ORDERS, EntryFormatter, Filters, csl_formatter, select
from bibvault.validate import validate_records

MANIFEST_VERSION = 1

FormatterFactory = Callable[[str, Config], EntryFormatter]
Progress = Callable[[str], None]


class BuildError(StageError):
    """The build cannot go on (unknown style, format or export; unwritable output)."""


@dataclass(frozen=True)
class BuildOptions:
    """What to build; empty values fall back to the configuration's ``build`` section.

    ``output`` of ``"-"`` renders one document (the first format, all styles for
    HTML, the first style otherwise) into :attr:`BuildResult.stdout` and writes
    no files.
    """

    output: str | None = None
    styles: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    exports: tuple[str, ...] | None = None
    group_by: str | None = None
    order: str | None = None
    filters: Filters = Filters()
    force: bool = False


@dataclass
class BuildResult:
    """What a build did. ``stopped`` means validation errors ended it before writing."""

    findings: list[Finding] = field(default_factory=list)
    stopped: bool = False
    output: Path | None = None
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    cached: bool = False
    entries: int = 0
    seconds: float = 0.0
    stdout: str | None = None


def style_dirs(config: Config) -> list[Path]:
    """Where styles are looked up before the official collection: the project's
    ``styles/``, then the styles bibvault ships (the ``site`` style)."""
    dirs = [config.resolve("styles")]
    shipped = Path(bibvault.__file__).resolve().parents[2] / "styles"
    if shipped.is_dir() and shipped not in dirs:
        dirs.append(shipped)
    return dirs


def default_formatter(style: str, config: Config) -> EntryFormatter:
    """The CSL engine with ``style`` (see :func:`style_dirs` for where it is looked up)."""
    return csl_formatter(style, locale=config.build.locale, search_dirs=style_dirs(config))


def _settings(config: Config, options: BuildOptions) -> BuildOptions:
    b = config.build
    settled = replace(
        options,
        output=options.output or b.output,
        styles=options.styles or b.styles,
        formats=options.formats or b.formats,
        exports=b.exports if options.exports is None else options.exports,
        group_by=options.group_by or b.group_by,
        order=options.order or b.order,
    )
    unknown = [f for f in settled.formats if f not in PAGE_FORMATS]
    unknown += [e for e in settled.exports or () if e not in EXPORT_FILES]
    if unknown:
        known = ", ".join([*PAGE_FORMATS, *EXPORT_FILES])
        raise BuildError(f"unknown format or export {', '.join(unknown)} (known: {known})")
    if not settled.styles:
        raise BuildError("no citation style configured (build.styles)")
    if settled.group_by not in GROUP_BY:
        raise BuildError(f"unknown grouping {settled.group_by!r} (known: {', '.join(GROUP_BY)})")
    if settled.order not in ORDERS:
        raise BuildError(f"unknown order {settled.order!r} (known: {', '.join(ORDERS)})")
    return settled


def fingerprint(config: Config, options: BuildOptions, files: Sequence[Path]) -> str:
    """A digest of everything a build's output depends on.

    The inputs' bytes, the configuration, the options, the project's styles,
    the link history the rules may consult, and the code itself (by file size
    and modification time, so an upgrade or edit invalidates old output).
    """
    h = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        h.update(label.encode() + b"\0" + len(data).to_bytes(8, "big") + data)

    add("version", bibvault.__version__.encode())
    # Rules compare dates with today, so a new day re-validates (and rewrites nothing).
    add("today", _dt.date.today().isoformat().encode())
    add("options", json.dumps(asdict(options), sort_keys=True, default=str).encode())
    add("config", config.source.encode())
    if config.source and Path(config.source).is_file():
        add("config-bytes", Path(config.source).read_bytes())
    for p in files:
        add("record", str(p).encode())
        add("record-bytes", p.read_bytes())
    if config.build.feed:  # the feed dates records by the commits that added them
        add("added", json.dumps(dates_added(files, config.root), sort_keys=True).encode())
    for styles_dir in style_dirs(config):
        for p in sorted(styles_dir.glob("*.csl")):
            add("style", str(p).encode() + b"\0" + p.read_bytes())
    db = config.resolve(config.check.database)
    if db.is_file():
        st = db.stat()
        add("links-db", f"{st.st_size}:{st.st_mtime_ns}".encode())
    add("code", code_identity().encode())
    return h.hexdigest()


def code_identity() -> str:
    """The version of bibvault's own code: each module's size and modification time."""
    package = Path(bibvault.__file__).parent
    parts = []
    for p in sorted(package.rglob("*.py")):
        st = p.stat()
        parts.append(f"{p.relative_to(package)}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(parts)


def _manifest_path(config: Config, output: Path) -> Path:
    tag = hashlib.sha256(str(output.resolve()).encode()).hexdigest()[:16]
    return config.resolve(".bibvault") / "build" / f"{tag}.json"


def _read_manifest(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("version") == MANIFEST_VERSION else None


def _foreign(path: Path, make: Producer) -> bool:
    """True when ``path`` holds something other than what ``make`` gives that
    bibvault did not write.

    Only called for files the last build did not record; a page that says it was
    generated by bibvault (an older build, a lost record) is taken as ours.
    """
    try:
        existing = path.read_bytes()
    except FileNotFoundError:
        return False
    except OSError:
        return True
    if path.suffix == ".html" and b'<meta name="generator" content="bibvault">' in existing[:4096]:
        return False
    return existing != utf8("".join(make()))


def _outputs_intact(output: Path, recorded: Mapping[str, Sequence[int]]) -> bool:
    for name, (size, mtime_ns) in recorded.items():
        try:
            st = (output / name).stat()
        except OSError:
            return False
        if st.st_size != size or st.st_mtime_ns != mtime_ns:
            return False
    return True




def _formatters(config: Config, options: BuildOptions,
                formatter_factory: FormatterFactory) -> dict[str, EntryFormatter]:
    try:
        return {s: formatter_factory(s, config) for s in options.styles}
    except StyleError as exc:
        raise BuildError(str(exc)) from exc


def _plan(records: Sequence[Record], config: Config, options: BuildOptions,
          formatter_factory: FormatterFactory) -> dict[str, Producer]:
    return plan_documents(records, config, _formatters(config, options, formatter_factory),
                          formats=options.formats, exports=options.exports or (),
                          group_by=options.group_by or "section",
                          order=options.order or "newest-first", filters=options.filters,
                          feed=options.output != "-")


def render_documents(
    records: Sequence[Record], config: Config, options: BuildOptions,
    formatter_factory: FormatterFactory = default_formatter,
) -> dict[str, str]:
    """Every file of a build as {relative name: text}; ``options`` must be settled.

    :func:`run_build` writes the same files a piece at a time (see
    :func:`~bibvault.documents.plan_documents`); this holds them all.
    """
    plan = _plan(records, config, options, formatter_factory)
    return {name: "".join(make()) for name, make in plan.items()}


def run_build(
    config: Config,
    options: BuildOptions = BuildOptions(),
    *,
    progress: Progress | None = None,
    formatter_factory: FormatterFactory = default_formatter,
) -> BuildResult:
    """Build the reading list and exports; see the module docstring.

    Raises :class:`BuildError` for unusable options and :class:`OSError` when
    inputs cannot be read or outputs cannot be written. ``progress`` receives
    one line per step.
    """
    started = time.perf_counter()
    say = progress or (lambda _msg: None)
    opts = _settings(config, options)
    files = config.record_files()
    to_stdout = opts.output == "-"
    result = BuildResult()

    output = None
    if not to_stdout:
        setting = "build.output" if options.output is None else "--output"
        output = config.output_dir(opts.output, setting)
    manifest_path = digest = None
    if output is not None:
        result.output = output
        manifest_path = _manifest_path(config, output)
        digest = fingerprint(config, opts, files)
        manifest = _read_manifest(manifest_path)
        if (manifest and manifest.get("fingerprint") == digest
                and _outputs_intact(output, manifest.get("outputs", {}))):
            result.cached = True
            result.findings = [_finding_from_dict(d) for d in manifest.get("findings", [])]
            result.unchanged = [output / n for n in manifest.get("outputs", {})]
            result.entries = int(manifest.get("entries", 0))
            result.seconds = time.perf_counter() - started
            say(f"nothing changed since the last build of {output}")
            return result

    say(f"validating {len(files)} file{'s' if len(files) != 1 else ''}")
    # Parsed and decoded once, for validation and for the reading list.
    parsed = list(load_collection(files, config.encoding).files)
    per_file = [records_from_file(bf) for bf in parsed]
    result.findings = validate_records(parsed, per_file, config)
    if has_errors(result.findings) and not opts.force:
        result.stopped = True
        result.seconds = time.perf_counter() - started
        return result
    records = [r for recs in per_file for r in recs]
    # The lossless files are not needed past validation: a large list's pages
    # are made in the memory they held.
    del parsed, per_file
    unknown = sorted(set(opts.filters.keys) - {r.key for r in records})
    if unknown:
        raise BuildError(f"no record with key {', '.join(unknown)}")
    chosen = select(records, opts.filters)
    result.entries = len(chosen)
    if not chosen:
        say("no records match" + ("" if opts.filters.is_empty() else " the filters"))
    say(f"rendering {len(chosen)} of {len(records)} records in "
        f"{len(opts.styles)} style{'s' if len(opts.styles) != 1 else ''}")

    if to_stdout:
        first = replace(opts, formats=opts.formats[:1], exports=(),
                        styles=opts.styles if opts.formats[0] == "html" else opts.styles[:1])
        make = next(iter(_plan(records, config, first, formatter_factory).values()))
        result.stdout = "".join(make())
        result.seconds = time.perf_counter() - started
        return result

    assert output is not None and manifest_path is not None and digest is not None
    plan = _plan(records, config, opts, formatter_factory)
    previous = _read_manifest(manifest_path) or {}
    recorded = previous.get("outputs", {})
    for name in plan:  # before anything is written: no link may lead out of the output
        confined_target(output / name, output)
    foreign = [output / name for name, make in plan.items()
               if name not in recorded and _foreign(output / name, make)]
    if foreign:
        names = ", ".join(str(p) for p in foreign)
        raise BuildError(f"{names}: not written by bibvault (no record of it in {manifest_path}); "
                         "move it away or choose another output directory")
    for name, make in plan.items():
        path = output / name
        # A piece at a time: a large list's page is never held whole, as text or bytes.
        if atomic_write_chunks(path, (utf8(piece) for piece in make()), make_dirs=True,
                               within=output):
            result.written.append(path)
            say(f"wrote {path}")
        else:
            result.unchanged.append(path)
    for name, stamp in recorded.items():
        stale = output / name
        if name not in plan and stale.is_file():
            if not _outputs_intact(output, {name: stamp}):
                say(f"kept {stale}: changed since bibvault wrote it")
                continue
            stale.unlink()
            result.removed.append(stale)
            say(f"removed {stale}")
    outputs = {}
    for name in plan:
        st = (output / name).stat()
        outputs[name] = [st.st_size, st.st_mtime_ns]
    record = {"version": MANIFEST_VERSION, "fingerprint": digest, "outputs": outputs,
              "entries": result.entries, "findings": [f.to_dict() for f in result.findings]}
    atomic_write(manifest_path, json.dumps(record, indent=1, sort_keys=True).encode(),
                 make_dirs=True, within=config.resolve(".bibvault"))
    result.seconds = time.perf_counter() - started
    return result


def _finding_from_dict(d: Mapping[str, object]) -> Finding:
    values = {k: v for k, v in d.items() if k != "fix"}
    values["severity"] = Severity(str(values["severity"]))
    return Finding(**values)  # type: ignore[arg-type]
