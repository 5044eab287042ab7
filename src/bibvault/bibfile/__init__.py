"""Lossless BibTeX: read every byte, edit with minimal diffs, write back atomically.

``parse``/``load`` give a :class:`BibFile` whose ``blocks`` cover the whole input;
``to_bytes()`` of an unedited file equals the input byte for byte (BOM, CRLF and
bytes that are not UTF-8 included). Problems are findings, never exceptions.

Reading rules (BibTeX's, with the exceptions marked *):

- Text outside entries is a comment (kind ``text``). An ``@`` starts a block when it
  is the first non-blank character of its line, or when ``@type{``/``@type(`` follows
  it on a line that does not start with ``%`` (*: BibTeX also reads entries on
  ``%`` lines and after any ``@``; those ``@`` give a B101 warning instead).
- ``@comment`` is the keyword alone, so an entry written inside ``@comment{...}`` is
  read, as BibTeX does; a body that holds no entry stays in the comment block.
- ``%`` comments between the fields of an entry are skipped with a B101 warning
  (* biber accepts them, BibTeX does not).
- A value that would run over a line starting with an entry header is taken as not
  closed (*), so one missing brace or quote cannot swallow the rest of the file.
- A block that cannot be read becomes a ``broken`` block up to the next line that
  starts with ``@``, kept verbatim; reading goes on from there.

Findings (severity: error where BibTeX fails, warning where it copes):
B101 junk: ``@`` at a line start that opens no entry (error); a stray ``@`` in text,
a ``%`` comment inside an entry, a value going on after the closer (warning).
B102 unbalanced braces, B103 missing comma, B104 missing ``=``/name/value,
B105 unterminated quote, B106 missing key, B107 truncated at end of file (errors).
B108 duplicate field, B109 bytes that are not UTF-8, B110 undefined macro (warnings).
B111 crossref target missing (error), B112 crossref cycle (warning).

Also here: :mod:`.values` (``expand``, ``split_value``, ``month_number``),
:mod:`.tex` (``to_unicode``, ``to_rich_text``, ``decode``), :mod:`.names` (``parse_names``,
``name_problems``).
"""

from bibvault.bibfile.document import BibFile, load, parse
from bibvault.bibfile.model import Block, Entry, Field

__all__ = ["BibFile", "Block", "Entry", "Field", "load", "parse"]
