"""One canonical layout for .bib files, like a code formatter.

Entries get a lower-case type, a stable field order, lower-case field names
aligned on ``=``, braced values and a trailing comma; blocks are separated by
one blank line. What a value says is never changed: only the delimiters of
simple values (``"..."`` and bare numbers become ``{...}``) and the layout
around values. Comments, ``@string`` and ``@preamble`` blocks are kept.
Formatting is idempotent: formatting formatted text changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from bibvault.bibfile import BibFile, parse
from bibvault.bibfile.model import Block, Entry, Field
from bibvault.bibfile.values import braces_balanced

#: Where well-known fields go; others follow in their original order.
FIELD_ORDER: tuple[str, ...] = (
    "author", "editor", "bookauthor", "translator", "title", "subtitle", "titleaddon",
    "booktitle", "maintitle", "journaltitle", "journal", "entrysubtype", "series", "volume",
    "number", "issue", "edition", "type", "institution", "school", "organization", "publisher",
    "location", "address", "howpublished", "date", "year", "month", "day", "pages", "pagetotal",
    "duration", "isbn", "issn", "doi", "eprint", "eprinttype", "url", "urldate", "urlstatus",
    "archiveurl", "archivedate", "archivesha256", "sourcesha256", "crossref", "language", "keywords", "abstract",
    "annotation", "note", "addendum", "comment",
)
_RANK: Mapping[str, int] = MappingProxyType({n: i for i, n in enumerate(FIELD_ORDER)})
INDENT = "  "


class FormatError(Exception):
    """The file has syntax errors, so it cannot be given the canonical layout safely."""


def _brace_value(raw: str) -> str:
    """Braces for a quoted string or a bare number; everything else as written."""
    raw = raw.strip()
    if raw.isdigit():
        return "{" + raw + "}"
    if len(raw) >= 2 and raw[0] == '"' and raw[-1] == '"':
        inner = raw[1:-1]
        if braces_balanced(inner) and '"' not in inner.replace('{"}', "").replace('\\"', ""):
            return "{" + inner + "}"
    return raw


def _ordered(fields: list[Field]) -> list[Field]:
    indexed = list(enumerate(fields))
    indexed.sort(key=lambda p: (_RANK.get(p[1].name.lower(), len(_RANK)), p[0]))
    return [f for _, f in indexed]


def _comments(gap: str) -> tuple[str, list[str]]:
    """The ``%`` comments in the text between two fields (biber allows them there).

    Returns the comment on the line where the gap starts (it belongs to what
    comes before) and the comments on later lines (they belong to what follows).
    """
    same_line = ""
    later: list[str] = []
    pos = 0
    while (pos := gap.find("%", pos)) >= 0:
        eol = gap.find("\n", pos)
        eol = len(gap) if eol < 0 else eol
        comment = gap[pos:eol].rstrip()
        if "\n" in gap[:pos] or same_line:
            later.append(comment)
        else:
            same_line = comment
        pos = eol
    return same_line, later


def _header_end(entry: Entry) -> int:
    """Offset (in the file) just after ``@type{key,``; the fields start later."""
    raw = entry.raw
    opener = min((i for i in (raw.find("{"), raw.find("(")) if i >= 0), default=0)
    key_at = raw.find(entry.key, opener) if entry.key else opener
    comma = raw.find(",", max(key_at, opener) + len(entry.key or ""))
    first = entry.fields[0].start - entry.start if entry.fields else len(raw)
    return entry.start + (comma + 1 if 0 <= comma < first else first)


def format_entry(entry: Entry, nl: str = "\n", text: str | None = None) -> str:
    """The canonical text of one entry (no trailing newline).

    With the file's ``text``, ``%`` comments between fields are kept: a comment
    at the end of a field's line stays at the end of that line, a comment on a
    line of its own stays just above the field that follows it (and moves with
    that field when the fields are put in order).
    """
    etype = entry.entry_type.lower()
    if entry.kind == "string":
        macro = entry.fields[0]
        return f"@string{{{macro.name} = {_brace_value(macro.raw_value)}}}"
    if entry.kind == "preamble":
        body = entry.fields[0].raw_value.strip() if entry.fields else ""
        return f"@preamble{{{body}}}"
    header_note, before_closer = "", []
    trailing: dict[int, str] = {}
    leading: dict[int, list[str]] = {}
    if text is not None:
        edges = [_header_end(entry)] + [f.end for f in entry.fields]
        starts = [f.start for f in entry.fields] + [entry.end - 1]
        for i, (a, b) in enumerate(zip(edges, starts, strict=True)):
            same, later = _comments(text[a:b])
            if i == 0:
                header_note = same
            else:
                trailing[id(entry.fields[i - 1])] = same
            if i < len(entry.fields):
                leading[id(entry.fields[i])] = later
            else:
                before_closer = later
    fields = _ordered(entry.fields)
    width = max((len(f.name) for f in fields), default=0)
    lines = [f"@{etype}{{{entry.key}," + (f" {header_note}" if header_note else "")]
    for f in fields:
        lines.extend(f"{INDENT}{c}" for c in leading.get(id(f), []))
        line = f"{INDENT}{f.name.lower():<{width}} = {_brace_value(f.raw_value)},"
        note = trailing.get(id(f))
        lines.append(f"{line} {note}" if note else line)
    lines.extend(f"{INDENT}{c}" for c in before_closer)
    lines.append("}")
    return nl.join(lines)


def _format_text_block(block: Block, nl: str) -> str:
    lines = [line.rstrip() for line in block.raw.splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    out: list[str] = []
    for line in lines:
        if not line and out and not out[-1]:
            continue
        out.append(line)
    return nl.join(out)


def _comment_extent(blocks: list[Block], start: int) -> int:
    """The index after the blocks that a bare ``@comment`` at ``start`` covers: up to the
    end of a braced or parenthesised group right after it, else to the end of its line."""
    after = "".join(b.raw for b in blocks[start + 1:start + 2]).lstrip(" \t")
    opener = after[:1]
    closer = {"{": "}", "(": ")"}.get(opener)
    depth = 0
    for j in range(start + 1, len(blocks)):
        raw = blocks[j].raw
        if closer is None:
            if "\n" in raw:
                return j + 1
            continue
        for ch in raw:
            depth += (ch == opener) - (ch == closer)
            if depth == 0 and ch == closer:
                return j + 1
    return len(blocks)


def _newline(text: str) -> str:
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"


def format_file(bf: BibFile) -> str:
    """The canonical text of a whole parsed file.

    Raises :class:`FormatError` when the file has blocks that could not be
    parsed, since moving text around them could change what they mean.
    """
    if any(b.kind == "broken" for b in bf.blocks):
        raise FormatError(f"{bf.path}: has syntax errors; fix them first (bibvault validate)")
    text = bf.to_text()
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    nl = _newline(text)
    parts: list[str] = []
    blocks = bf.blocks
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if block.kind == "comment" and block.raw.strip().lower() == "@comment":
            # A bare @comment: biber skips the braced group after it, BibTeX the
            # rest of the line. Both readings survive only if that text stays as is.
            end = _comment_extent(blocks, i)
            verbatim = "".join(b.raw for b in blocks[i:end]).rstrip()
            parts.append(nl.join(verbatim.splitlines()))
            i = end
            continue
        i += 1
        if block.kind in ("entry", "string", "preamble") and isinstance(block, Entry):
            parts.append(format_entry(block, nl, text))
        else:
            chunk = _format_text_block(block, nl).lstrip("\ufeff")
            if chunk:
                parts.append(chunk)
    body = (nl + nl).join(parts)
    return bom + body + nl if body else bom


def canonical_keys(bf: BibFile) -> set[str]:
    """Keys of the entries already in the canonical layout (as :func:`format_entry` gives)."""
    text = bf.to_text()
    nl = _newline(text)
    return {e.key for e in bf.entries
            if e.kind == "entry" and e.key and format_entry(e, nl, text) == e.raw}


def relayout(bf: BibFile, keys: set[str]) -> BibFile:
    """``bf`` with the entries ``keys`` given the canonical layout, re-read; the rest of
    the text is kept byte for byte.

    Tools that add fields (``archive``, ``check``) call this for the entries that
    were canonical before their edit, so an edit lands where ``fmt`` would put it
    and a file that passed ``fmt --check`` still passes.
    """
    text = bf.to_text()
    nl = _newline(text)
    chosen = [e for e in bf.entries if e.key in keys and e.kind == "entry"]
    if not chosen:
        return bf
    out: list[str] = []
    pos = 0
    for e in sorted(chosen, key=lambda e: e.start):
        out += [text[pos:e.start], format_entry(e, nl, text)]
        pos = e.end
    out.append(text[pos:])
    return parse("".join(out), bf.path)
