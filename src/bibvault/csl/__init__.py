"""The CSL 1.0.2 citation engine.

A :class:`Style` is compiled once, when it loads, into immutable elements; a
:class:`Processor` holding CSL-JSON items renders citations and bibliographies
with it as rich text, which per-format backends serialise (text, html, md,
latex). Any number of processors, in any number of threads, may share a style::

    from bibvault.csl import load_style, Processor, find_styles
    proc = Processor(load_style("apa"), items, locale="en-US")
    proc.bibliography(fmt="html")    # [(id, entry), ...] in the style's order
    proc.bibliography("html", links=True)   # title and printed addresses as links
    proc.bibliography_options()      # hanging-indent, second-field-align, spacing
    proc.cite(["doe2020"])           # "(Doe, 2020)", disambiguated over all items
    proc.cite([{"id": "doe2020", "locator": "12"}])
    proc.cite_sequence([["a"], ["a"], ["b"]])   # a document's notes: ibid, subsequent…
    find_styles("chicago")           # [(name, title), ...]

Formats: "text", "html", "md", "latex". Pass one :class:`Resources` to many
processors to share parsed locales and the collator.
"""

from bibvault.csl.events import flatten
from bibvault.csl.output import get_backend
from bibvault.csl.processor import Processor, Resources
from bibvault.csl.style import Style, StyleError, find_styles, load_style, parse_style

__all__ = [
    "Processor",
    "Resources",
    "Style",
    "StyleError",
    "find_styles",
    "flatten",
    "get_backend",
    "load_style",
    "parse_style",
]
