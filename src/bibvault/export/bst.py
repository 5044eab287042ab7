"""Classic BibTeX styles (``.bst``): the BibTeX export run through pybtex's interpreter.

A ``.bst`` file is a program in BibTeX's stack language; pybtex interprets it as the
``bibtex`` binary does and writes the same ``thebibliography`` environment into a
``.bbl``. :func:`run_bst` does that for records (through :func:`bibvault.export.to_bibtex`,
the file ``bibtex`` would read), :func:`entry_text` turns one ``\\bibitem`` into text,
HTML or Markdown with the one TeX reader. Where pybtex departs from ``bibtex`` is
measured by ``bench/bst_agreement.py`` and listed in the README.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pybtex import errors as pybtex_errors
from pybtex.bibtex import bst as bst_parser
from pybtex.bibtex.interpreter import Interpreter
from pybtex.database.input.bibtex import Parser
from pybtex.exceptions import PybtexError

from bibvault.bibfile.tex import to_rich_text
from bibvault.errors import StageError
from bibvault.export import export

_BIBITEM = re.compile(r"\\bibitem\s*(?:\[((?:[^\[\]{}]|\{(?:[^{}]|\{[^{}]*\})*\})*)\])?\s*\{([^}]*)\}")
_END = re.compile(r"\\end\{thebibliography\}")
_TOKEN = re.compile(r"(<[^>]+>)")
_HTML_TAGS = {"<i>": "<i>", "</i>": "</i>", "<b>": "<b>", "</b>": "</b>", "<sup>": "<sup>",
              "</sup>": "</sup>", "<sub>": "<sub>", "</sub>": "</sub>"}
_MD_TAGS = {"<i>": "*", "</i>": "*", "<b>": "**", "</b>": "**"}


class BstError(StageError):
    """The style cannot be found, read or run."""


@dataclass(frozen=True)
class BibItem:
    """One ``\\bibitem`` of a ``.bbl``: its key, its label and its TeX text."""

    key: str
    label: str
    tex: str


@dataclass(frozen=True)
class BstBibliography:
    """What a ``.bst`` style made of the records: the ``.bbl`` text, its items, warnings."""

    bbl: str
    items: tuple[BibItem, ...]
    warnings: tuple[str, ...]


def find_bst(name: str, kpsewhich: str | None = None) -> Path:
    """The ``.bst`` file for a path or a name in the TeX installation (``plain.bst``)."""
    path = Path(name)
    if path.is_file():
        return path
    finder = kpsewhich or shutil.which("kpsewhich")
    if finder is not None and "/" not in name:
        found = subprocess.run([finder, name if name.endswith(".bst") else f"{name}.bst"],
                               capture_output=True, text=True, timeout=30, check=False)
        if found.returncode == 0 and found.stdout.strip():
            return Path(found.stdout.strip().splitlines()[0])
    where = "kpsewhich found no such file" if finder else "kpsewhich is not installed"
    raise BstError(f"no BibTeX style {name!r} ({where}; give a path to a .bst file)")


class _StringParser(Parser):
    """pybtex's BibTeX reader fed from a string instead of the files a .aux names."""

    def __init__(self, text: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._text = text

    def parse_files(self, base_filenames: Any, file_suffix: Any = None) -> Any:
        return self.parse_string(self._text)


def run_bbl(bib_text: str, style: Path, keys: Sequence[str] = ("*",)) -> BstBibliography:
    """Run a ``.bst`` style over BibTeX text, citing ``keys`` (``*``: every entry)."""
    try:
        script = bst_parser.parse_file(str(style))
    except (OSError, UnicodeDecodeError, PybtexError) as exc:
        raise BstError(f"{style}: cannot read the style: {exc}") from exc

    def reader(**kwargs: Any) -> _StringParser:
        return _StringParser(bib_text, **kwargs)

    with pybtex_errors.capture() as captured:
        try:
            bbl = Interpreter(reader, "utf-8").run(script, list(keys), ["records"], 2)
        except (PybtexError, IndexError, KeyError, ValueError, TypeError) as exc:
            raise BstError(f"{style}: the style stopped: {exc}") from exc
    return BstBibliography(bbl, parse_bbl(bbl), tuple(str(e) for e in captured))


def run_bst(records: Iterable[Any], style: Path, keys: Sequence[str] = ("*",)) -> BstBibliography:
    """Run a ``.bst`` style over records, through their BibTeX export (paper profile)."""
    return run_bbl(export(records, "bibtex"), style, keys)


def parse_bbl(bbl: str) -> tuple[BibItem, ...]:
    """The ``\\bibitem``s of a ``.bbl``; an item without a label is numbered."""
    matches = list(_BIBITEM.finditer(bbl))
    items = []
    for n, m in enumerate(matches):
        stop = matches[n + 1].start() if n + 1 < len(matches) else len(bbl)
        end = _END.search(bbl, m.end(), stop)
        text = bbl[m.end() : end.start() if end else stop]
        items.append(BibItem(m[2].strip(), m[1] if m[1] is not None else str(n + 1), text.strip()))
    return tuple(items)


def entry_text(item: BibItem, fmt: str = "text") -> str:
    """One item as ``[label] text`` in ``text``, ``html`` or ``md``."""
    rich = to_rich_text(item.tex.replace("\\newblock", " "))
    label = to_rich_text(item.label)
    return f"[{_render(label, fmt)}] {_render(rich, fmt)}"


def _render(rich: str, fmt: str) -> str:
    out = []
    for token in _TOKEN.split(rich):
        if token.startswith("<") and token.endswith(">"):
            if fmt == "html":
                out.append(_HTML_TAGS.get(token, ""))
            elif fmt == "md":
                out.append(_MD_TAGS.get(token, ""))
        elif fmt == "html":
            out.append(html.escape(token, quote=False))
        elif fmt == "md":
            out.append(re.sub(r"([*_\[\]\\`])", r"\\\1", token))
        else:
            out.append(token)
    return "".join(out)
