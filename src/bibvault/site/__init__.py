"""Reading lists: choose, group and order records, and write them as HTML, Markdown and text.

The stage is pure: it takes records, the configuration and one entry formatter
per style, and returns strings. Writing files is the build's business
(:mod:`bibvault.build`).
"""

from bibvault.site.entries import CslFormatter, EntryFormatter, csl_formatter, link_title
from bibvault.site.html import html_page
from bibvault.site.links import Links, record_links, safe_url
from bibvault.site.listing import GROUP_BY, ORDERS, Filters, Group, group_records, select
from bibvault.site.model import Entry, EntryGroup, ReadingList, make_reading_list
from bibvault.site.text import markdown, md_escape, plain_text

__all__ = [
    "CslFormatter",
    "GROUP_BY",
    "ORDERS",
    "Entry",
    "EntryFormatter",
    "EntryGroup",
    "Filters",
    "Group",
    "Links",
    "ReadingList",
    "csl_formatter",
    "group_records",
    "html_page",
    "link_title",
    "make_reading_list",
    "markdown",
    "md_escape",
    "plain_text",
    "record_links",
    "safe_url",
    "select",
]
