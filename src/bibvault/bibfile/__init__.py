"""Lossless BibTeX: read every byte, edit with minimal diffs, write back atomically.

``parse``/``load`` give a :class:`BibFile` whose ``blocks`` cover the whole input;
``to_bytes()`` of an unedited file equals the input byte for byte. Syntax and
encoding problems are findings (codes B101–B112), never exceptions.
"""

from bibvault.bibfile.document import BibFile, load, parse
from bibvault.bibfile.model import Block, Entry, Field

__all__ = ["BibFile", "Block", "Entry", "Field", "load", "parse"]
