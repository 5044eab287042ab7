"""The project configuration (``bibvault.yaml``): one validated object, loaded once.

Every section is a frozen dataclass. Loading checks every key and type and
reports problems with the file and line they come from; unknown keys are an
error, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import codecs
import dataclasses
import ipaddress
import os
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

# PyYAML is imported where a file's text is parsed (parse_config), not here: a
# command run where there is no configuration file (`bibvault validate FILE`) need
# not load it, a tenth of its start-up.
if TYPE_CHECKING:
    import yaml

CONFIG_NAME = "bibvault.yaml"

# Settings that take one of a few words (a list setting: each of its items).
# Checked on load, so that a typo is reported with its line, not later by a stage.
CHOICES: dict[str, tuple[str, ...]] = {
    "build.group_by": ("section", "topic", "type", "year", "none"),
    "build.order": ("newest-first", "oldest-first"),
    "build.formats": ("html", "md", "txt"),
    "build.exports": ("biblatex", "bibtex", "csl-json", "ris"),
    "build.cite": ("embed", "light", "none"),
}
#: Settings that are web addresses (checked on load: http or https with a host).
URLS = frozenset({"archive.wayback_url"})
#: Settings that may be empty or a web address; ``mailto:`` too for the first.
OPTIONAL_URLS = {"build.report_url": ("http", "https", "mailto"), "build.site_url": ("http", "https")}
URLS = frozenset({"archive.wayback_url", "ingest.crossref_url", "ingest.datacite_url",
                  "ingest.oembed_url", "archive.memento_url", "check.canary_url"})
#: Environment variables that override an endpoint: (variable, section, setting).
ENDPOINT_ENV: tuple[tuple[str, str, str], ...] = (
    ("BIBVAULT_WAYBACK_URL", "archive", "wayback_url"),
    ("BIBVAULT_CROSSREF_URL", "ingest", "crossref_url"),
    ("BIBVAULT_DATACITE_URL", "ingest", "datacite_url"),
    ("BIBVAULT_OEMBED_URL", "ingest", "oembed_url"),
    ("BIBVAULT_MEMENTO_URL", "archive", "memento_url"),
)
#: Settings that are lists of IP networks (``10.0.0.0/8``), checked on load.
NETWORKS = frozenset({"check.internal_networks"})


def url_problem(value: str) -> str | None:
    """Why ``value`` is not an http(s) address with a host, or None when it is."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"{value!r} is not an http(s) address such as https://web.archive.org"
    return None


class ConfigError(Exception):
    """The configuration cannot be read or is invalid. The message names file and line."""


@dataclass(frozen=True)
class Topic:
    """One entry of the topic vocabulary."""

    label: str
    description: str = ""


@dataclass(frozen=True)
class Section:
    """A section of the reading list: the records whose type is in ``types``."""

    id: str
    title: str
    types: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class BuildConfig:
    """``build:``, what ``bibvault build`` writes and where."""

    output: str = "site"
    styles: tuple[str, ...] = ("site",)
    formats: tuple[str, ...] = ("html", "md", "txt")
    exports: tuple[str, ...] = ("biblatex", "csl-json", "ris")
    group_by: str = "section"
    order: str = "newest-first"
    locale: str = "en-US"
    title: str = "Reading list"
    annotations: bool = True
    # The site: the keeper's words (CommonMark), a per-entry "report a problem"
    # link ({key} and {title} are filled in, URL-encoded), empty sections, the feed.
    intro: str = ""
    footer: str = ""
    report_url: str = ""
    hide_empty: bool = True
    feed: bool = True
    feed_entries: int = 20
    site_url: str = ""
    # What each entry of the page carries to cite it (see the README): every style
    # and BibTeX and RIS ("embed"), the first style and BibTeX ("light"), or neither.
    cite: str = "embed"


@dataclass(frozen=True)
class CheckConfig:
    """``check:``, the link checker's manners and memory."""

    user_agent: str = "bibvault/0.1 (+link checker for curated reading lists)"
    concurrency: int = 16
    per_host: int = 2
    host_delay: float = 1.0
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    max_redirects: int = 10
    max_body_bytes: int = 1_000_000
    retries: int = 3
    backoff: float = 1.0
    retry_after_cap: float = 60.0
    database: str = ".bibvault/links.sqlite"
    ttl_alive_days: float = 7.0
    ttl_failure_days: float = 1.0
    dead_after_runs: int = 3
    dead_after_days: float = 3.0
    # Added for link checking: a GET after a successful HEAD of an HTML page, to
    # catch "not found" pages served with 200; and a deadline for a whole
    # exchange, which per-read timeouts cannot give against a dribbling server.
    sniff_titles: bool = True
    request_deadline: float = 30.0
    # Content drift: below this similarity to the page as cited, a live page
    # has changed (calibrated on tests/data/drift, see bench/drift.py).
    drift_threshold: float = 0.5
    drift: bool = True
    # Redirects into these networks are not followed (an empty list allows them).
    internal_networks: tuple[str, ...] = (
        "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16",
        "100.64.0.0/10", "0.0.0.0/8", "::1/128", "fc00::/7", "fe80::/10", "::ffff:0:0/96")
    # Asked when every host failed, to tell "no network" from dead links
    # (empty: the Web Archive, archive.wayback_url).
    canary_url: str = ""
    # Proxies, CA bundle and .netrc from the environment (read once a run).
    trust_env: bool = True


@dataclass(frozen=True)
class ArchiveConfig:
    """``archive:``, the Web Archive and local copies."""

    wayback_url: str = "https://web.archive.org"
    max_age_days: float = 365.0
    saves_per_minute: int = 6
    poll_interval: float = 5.0
    poll_timeout: float = 300.0
    local_dir: str = "archive"
    max_download_bytes: int = 50_000_000
    download_deadline: float = 300.0
    # A Memento aggregator asked when the Web Archive has no capture, and which
    # archives of its answer to accept (empty: any).
    memento_url: str = "https://timetravel.mementoweb.org"
    memento_archives: tuple[str, ...] = ()


@dataclass(frozen=True)
class IngestConfig:
    """``ingest:``, how ``add`` and ``import`` bring sources in.

    ``targets`` maps an entry type or a section id to the .bib file new records of
    that kind go to; ``topic_aliases`` maps tags of other tools (Zotero, JabRef) to
    topics of the vocabulary.
    """

    crossref_url: str = "https://api.crossref.org"
    datacite_url: str = "https://api.datacite.org"
    oembed_url: str = "https://www.youtube.com/oembed"
    mailto: str = ""
    targets: dict[str, str] = field(default_factory=dict)
    topic_aliases: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    """The whole configuration. ``root`` is the directory relative paths resolve against."""

    root: Path = Path(".")
    records: tuple[str, ...] = ("bib",)
    topics: dict[str, Topic] = field(default_factory=dict)
    sections: tuple[Section, ...] = ()
    build: BuildConfig = BuildConfig()
    check: CheckConfig = CheckConfig()
    archive: ArchiveConfig = ArchiveConfig()
    ingest: IngestConfig = IngestConfig()
    source: str = ""
    #: The encoding .bib files are read and written in (for files kept in Latin-1 on purpose).
    encoding: str = "utf-8"

    def resolve(self, path: str | os.PathLike[str]) -> Path:
        """A configured path, made absolute against the configuration's directory."""
        p = Path(path)
        return p if p.is_absolute() else self.root / p

    def record_files(self) -> list[Path]:
        """Every ``.bib`` file the configuration names, directories expanded, sorted.

        Raises :class:`ConfigError` when a configured path does not exist, naming
        the configuration file (or saying that none was found).
        """
        out: list[Path] = []
        for entry in self.records:
            p = self.resolve(entry)
            if not p.exists():
                if self.source:
                    raise ConfigError(f"{self.source}: records: {entry!r} does not exist ({p})")
                raise ConfigError(f"no {CONFIG_NAME} in {self.root} or above, and the default "
                                  f"records {entry!r} do not exist there; give .bib files as "
                                  "arguments or --config FILE")
            if p.is_dir():
                found = sorted(q for q in p.rglob("*.bib") if q.is_file())
                if not found:
                    # Read as "no records", it would pass validation and publish an empty list.
                    where = f"{self.source}: " if self.source else ""
                    raise ConfigError(f"{where}records: {entry!r} holds no .bib file ({p})")
                out.extend(found)
            else:
                out.append(p)
        return out

    def output_dir(self, value: str | None = None, setting: str = "build.output") -> Path:
        """The folder a build writes into (``value``, default ``build.output``), resolved.

        Raises :class:`ConfigError` naming ``setting`` when the folder is the root
        folder, the home folder, the project folder or a parent of it, or a
        records folder (or inside one): a build writes and removes files there.
        """
        value = self.build.output if value is None else value
        real = Path(os.path.realpath(self.resolve(value)))
        project = Path(os.path.realpath(self.root))
        why = None
        if real.parent == real:
            why = "the root folder"
        elif real == Path(os.path.realpath(Path.home())):
            why = "the home folder"
        elif real == project or real in project.parents:
            why = "the project folder" if real == project else "a parent of the project folder"
        for entry in self.records:
            if why is not None:
                break
            rec = Path(os.path.realpath(self.resolve(entry)))
            if real == rec or real == rec.parent or (rec.is_dir() and rec in real.parents):
                # references.bib written there would be read back as a record
                why = f"the records folder {entry!r} or inside it"
        if why is None:
            return real
        where = f"{self.source}: " if self.source else ""
        raise ConfigError(f"{where}{setting}: {value!r} is {why}; a build writes and removes "
                          "files there, so choose a folder inside or beside the project, "
                          "such as 'site'")


def find_config(start: Path | None = None) -> Path | None:
    """The nearest ``bibvault.yaml`` in ``start`` or a parent directory, if any."""
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        candidate = d / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def load_config(path: Path | None = None, *, environ: typing.Mapping[str, str] | None = None) -> Config:
    """Load and validate a configuration file.

    With ``path`` of ``None`` the nearest ``bibvault.yaml`` is used, and when
    there is none, the defaults rooted at the current directory. Environment
    overrides of endpoints (``BIBVAULT_WAYBACK_URL``, ``BIBVAULT_CROSSREF_URL``, …;
    :data:`ENDPOINT_ENV`) apply last.
    """
    env = os.environ if environ is None else environ
    if path is None:
        path = find_config()
    if path is None:
        cfg = Config(root=Path.cwd())
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read configuration: {exc}") from exc
        cfg = parse_config(text, source=str(path), root=Path(path).resolve().parent)
    for variable, section, setting in ENDPOINT_ENV:
        value = env.get(variable)
        if not value:
            continue
        if problem := url_problem(value):
            raise ConfigError(f"{variable}: {problem}")
        part = dataclasses.replace(getattr(cfg, section), **{setting: value})
        cfg = dataclasses.replace(cfg, **{section: part})
    return cfg


def parse_config(text: str, *, source: str = "<config>", root: Path | None = None) -> Config:
    """Parse configuration text; raise :class:`ConfigError` naming ``source`` and line."""
    import yaml  # the one place PyYAML is loaded: see the note at the top

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise ConfigError(f"{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from exc
    reader = _Reader(source, yaml)
    if node is None:
        values: dict[str, Any] = {}
    else:
        values = reader.mapping(node, "configuration")
    top = reader.build(Config, values, node, "", skip={"root", "source"})
    cfg = dataclasses.replace(top, root=root or Path.cwd(), source=source)
    cfg.output_dir()  # a dangerous build.output is an error on load, like any bad setting
    try:
        codecs.lookup(cfg.encoding)
    except LookupError:
        raise ConfigError(f"{source}: encoding: unknown encoding {cfg.encoding!r} "
                          "(such as utf-8, latin-1, cp1252)") from None
    return cfg


class _Reader:
    """Turns a composed YAML node tree into dataclasses, checking keys and types."""

    def __init__(self, source: str, yaml_module: types.ModuleType) -> None:
        self.source = source
        self.yaml = yaml_module  # PyYAML, loaded by parse_config

    def where(self, node: yaml.Node | None) -> str:
        if node is None:
            return self.source
        return f"{self.source}:{node.start_mark.line + 1}"

    def fail(self, node: yaml.Node | None, message: str) -> ConfigError:
        return ConfigError(f"{self.where(node)}: {message}")

    def mapping(self, node: yaml.Node, what: str) -> dict[str, Any]:
        if not isinstance(node, self.yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping")
        out: dict[str, Any] = {}
        for knode, vnode in node.value:
            if not isinstance(knode, self.yaml.ScalarNode):
                raise self.fail(knode, f"keys of {what} must be plain names")
            if knode.value in out:
                raise self.fail(knode, f"duplicate key {knode.value!r} in {what}")
            out[knode.value] = (knode, vnode)
        return out

    def build(self, cls: type, items: dict[str, Any], node: yaml.Node | None, path: str,
              skip: set[str] | None = None) -> Any:
        hints = typing.get_type_hints(cls)
        names = {f.name for f in dataclasses.fields(cls)} - (skip or set())
        kwargs: dict[str, Any] = {}
        for name, (knode, vnode) in items.items():
            dotted = f"{path}{name}"
            if name not in names:
                known = ", ".join(sorted(names))
                raise self.fail(knode, f"unknown key {dotted!r} (known: {known})")
            kwargs[name] = self.value(hints[name], vnode, dotted)
            self.check_choice(dotted, kwargs[name], vnode)
        required = [f.name for f in dataclasses.fields(cls)
                    if f.name in names and f.name not in kwargs
                    and f.default is dataclasses.MISSING
                    and f.default_factory is dataclasses.MISSING]
        if required:
            what = path.rstrip(".") or "configuration"
            raise self.fail(node, f"{what} needs {', '.join(repr(r) for r in required)}")
        return cls(**kwargs)

    def check_choice(self, dotted: str, value: Any, node: yaml.Node) -> None:
        """Raise when ``value`` (or an item of it) is not one of the words ``dotted`` takes,
        or when an address setting is not an http(s) address."""
        if dotted in URLS and isinstance(value, str) and (problem := url_problem(value)):
            raise self.fail(node, f"{dotted}: {problem}")
        schemes = OPTIONAL_URLS.get(dotted)
        if schemes and value and not (urlsplit(value).scheme in schemes
                                      and (urlsplit(value).netloc or urlsplit(value).path)):
            raise self.fail(node, f"{dotted}: {value!r} is not a {'/'.join(schemes)} address")
        if dotted in NETWORKS and isinstance(value, tuple):
            for item in value:
                try:
                    ipaddress.ip_network(item, strict=False)
                except ValueError:
                    raise self.fail(node, f"{dotted}: {item!r} is not an IP network such as "
                                    "10.0.0.0/8") from None
        known = CHOICES.get(dotted)
        if known is None:
            return
        values = value if isinstance(value, tuple) else (value,)
        items = node.value if isinstance(node, self.yaml.SequenceNode) else [node] * len(values)
        for v, n in zip(values, items, strict=True):
            if v not in known:
                raise self.fail(n, f"{dotted}: unknown value {v!r} (known: {', '.join(known)})")

    def value(self, hint: Any, node: yaml.Node, dotted: str) -> Any:
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            return self.build(hint, self.mapping(node, dotted), node, dotted + ".")
        if origin is tuple:
            elem = args[0]
            if isinstance(node, self.yaml.ScalarNode) and elem is str:
                return (self.value(str, node, dotted),)
            if not isinstance(node, self.yaml.SequenceNode):
                raise self.fail(node, f"{dotted} must be a list")
            return tuple(self.value(elem, n, f"{dotted}[{i}]") for i, n in enumerate(node.value))
        if origin is dict:
            items = self.mapping(node, dotted)
            return {k: self.value(args[1], v, f"{dotted}.{k}") for k, (_, v) in items.items()}
        if origin in (typing.Union, types.UnionType):
            for a in args:
                if a is type(None) and isinstance(node, self.yaml.ScalarNode) and self.construct(node) is None:
                    return None
            return self.value(next(a for a in args if a is not type(None)), node, dotted)
        if not isinstance(node, self.yaml.ScalarNode):
            raise self.fail(node, f"{dotted} must be a {_type_name(hint)}")
        val = self.construct(node)
        if hint is float and isinstance(val, int) and not isinstance(val, bool):
            val = float(val)
        if hint is str and isinstance(val, (int, float)) and not isinstance(val, bool):
            val = node.value
        if not isinstance(val, hint) or (hint in (int, float) and isinstance(val, bool)):
            raise self.fail(node, f"{dotted} must be a {_type_name(hint)}, not {val!r}")
        if hint in (int, float) and val < 0:
            raise self.fail(node, f"{dotted} must not be negative")
        return val


    def construct(self, node: yaml.Node) -> Any:
        """The value of a scalar node; a tag the safe loader refuses (``!!python/...``)
        is a configuration error at the node's line."""
        loader = self.yaml.SafeLoader("")
        try:
            return loader.construct_object(node, deep=True)
        except self.yaml.YAMLError as exc:
            raise self.fail(node, f"value not allowed: {getattr(exc, 'problem', exc)}") from None
        finally:
            loader.dispose()


def _type_name(hint: Any) -> str:
    return {str: "string", int: "whole number", float: "number", bool: "true/false"}.get(
        hint, getattr(hint, "__name__", str(hint))
    )
