"""The XML of styles and locales as a read-only tree of :class:`Node` values."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from typing import overload

NS = "{http://purl.org/net/xbiblio/csl}"
_XML_NS = "{http://www.w3.org/XML/1998/namespace}"


class StyleError(ValueError):
    """A style that cannot be found, parsed or compiled."""


@dataclass(frozen=True, slots=True, eq=False)
class Node:
    """One element of a style or locale file: tag, attributes, children, text.

    Nodes are never changed once read; compiling a style reads them once.
    """

    tag: str
    attrs: Mapping[str, str]
    children: tuple[Node, ...] = ()
    text: str = ""

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
    attrs = {k.replace(_XML_NS, "xml:"): v for k, v in elem.attrib.items()}
    children = tuple(node_from_xml(c) for c in elem if isinstance(c.tag, str))
    return Node(tag, attrs, children, elem.text or "")


def parse_xml(text: str | bytes, what: str) -> Node:
    """The root :class:`Node` of XML ``text``; ``what`` names the file in the error."""
    try:
        return node_from_xml(ET.fromstring(text))
    except ET.ParseError as exc:
        raise StyleError(f"{what} is not valid XML: {exc}") from exc
