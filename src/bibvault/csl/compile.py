"""Compiling a style's XML into immutable elements, once, when the style loads.

Every attribute an element reads while rendering is parsed here, so that a
malformed style fails when it loads, with the file and the element named,
and not when an item happens to reach the element.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping

from bibvault.csl.dates import Date, DatePart
from bibvault.csl.element import Element, Formatting, StyleOptions
from bibvault.csl.groups import Branch, Choose, Group, Test
from bibvault.csl.names import EtAl, Names, NamesLabel
from bibvault.csl.numbers import Number
from bibvault.csl.personname import Name, NamePart
from bibvault.csl.sections import Bibliography, Citation, Layout
from bibvault.csl.sorting import Sort, SortKey
from bibvault.csl.state import NAME_ATTRS
from bibvault.csl.stylexml import Node, StyleError
from bibvault.csl.text import Label, TextMacro, TextTerm, TextValue, TextVariable

MODES = ("citation", "bibliography")
_INT_ATTRS = ("et-al-min", "et-al-use-first", "et-al-subsequent-min", "et-al-subsequent-use-first",
              "names-min", "names-use-first", "near-note-distance", "line-spacing", "entry-spacing")
_CONDITION_ATTRS = ("variable", "is-numeric", "is-uncertain-date", "locator", "position")
_ALLOWED_PARTS = {
    "year-month-day": ("year", "month", "day"),
    "year-month": ("year", "month"),
    "year": ("year",),
}


class Compiler:
    """Compiles the elements of one style (``where`` names the file in errors)."""

    def __init__(self, root: Node, where: str) -> None:
        self.root = root
        self.where = where
        self.options: Mapping[str, str] = root.attrs
        self.sections = {m: root.find(m) for m in MODES}
        self.macro_names = {m.get("name", "") for m in root.findall("macro")}
        self._holds_date: dict[str, bool] = {}  # macro_holds_date, by macro name

    def macro_holds_date(self, name: str) -> bool:
        """Whether macro ``name`` has a cs:date among its own descendants."""
        found = self._holds_date.get(name)
        if found is None:
            macro = next((m for m in self.root.findall("macro") if m.get("name") == name), None)
            found = self._holds_date[name] = macro is not None and _any(
                macro, lambda n: n.tag == "date" and n is not macro)
        return found

    def error(self, node: Node, message: str) -> StyleError:
        """A load-time error naming the style file and the element."""
        return StyleError(f"{self.where}: <{node.tag}>: {message}")

    def check(self, node: Node) -> None:
        """Attributes every element may carry that must be integers."""
        for key in _INT_ATTRS:
            value = node.attrs.get(key)
            if value is not None and not value.strip().lstrip("-").isdigit():
                raise self.error(node, f"{key}={value!r} is not a whole number")

    def formatting(self, node: Node) -> Formatting:
        """The formatting attributes of ``node``."""
        simple = node.tag in ("text", "number", "label") and "macro" not in node.attrs
        term = node.tag == "label" or (node.tag == "text" and "term" in node.attrs)
        return Formatting.from_attrs(node.attrs, f"{self.where}: <{node.tag}>", simple=simple, term=term)

    def children(self, node: Node) -> tuple[Element, ...]:
        """The rendering elements among ``node``'s children."""
        out = []
        for c in node.children:
            el = self.element(c)
            if el is not None:
                out.append(el)
        return tuple(out)

    def element(self, node: Node) -> Element | None:
        """One rendering element, or None for a tag that renders nothing."""
        self.check(node)
        a = node.attrs
        tag = node.tag
        if tag == "text":
            f = self.formatting(node)
            if "variable" in a:
                return TextVariable(a["variable"], a.get("form", "long"), f)
            if "macro" in a:
                if a["macro"] not in self.macro_names:
                    raise self.error(node, f"macro {a['macro']!r} is not defined")
                return TextMacro(a["macro"], f, self.macro_holds_date(a["macro"]))
            if "term" in a:
                return TextTerm(a["term"], a.get("form", "long"), a.get("plural") == "true", f)
            if "value" in a:
                return TextValue(a["value"], f)
            return None
        if tag == "number":
            return Number(a.get("variable", ""), a.get("form", "numeric"), self.formatting(node))
        if tag == "label":
            return Label(a.get("variable", ""), a.get("form", "long"), self.plural(node, "contextual"),
                         self.formatting(node))
        if tag == "group":
            return Group(self.children(node), a.get("delimiter", ""), self.formatting(node))
        if tag == "choose":
            return Choose(tuple(self.branch(b) for b in node.children if b.tag in ("if", "else-if", "else")))
        if tag == "names":
            return self.names(node)
        if tag == "date":
            return self.date(node)
        return None

    def plural(self, node: Node, default: str) -> str:
        """A label's plural attribute."""
        value = node.get("plural", default)
        if value not in ("contextual", "always", "never"):
            raise self.error(node, f"plural={value!r} is not contextual, always or never")
        return value

    def branch(self, node: Node) -> Branch:
        """cs:if, cs:else-if or cs:else."""
        if node.tag == "else":
            return Branch((), None, "all", self.children(node), always=True)
        a = node.attrs
        # As citeproc-js (not the CSL specification): the values of `type` make one
        # test that holds when any of them is the item's type, whatever `match` says,
        # so type="chapter article-journal" with match="all" holds for a chapter.
        types = " ".join(a.get("type", "").split())
        tests: tuple[Test, ...] = ((("type", f" {types} "),) if types else ()) + tuple(
            (k, v) for k in _CONDITION_ATTRS for v in a.get(k, "").split())
        match = a.get("match", "all")
        if match not in ("all", "any", "none"):
            raise self.error(node, f"match={match!r} is not all, any or none")
        return Branch(tests, a.get("disambiguate"), match, self.children(node))

    def inherited(self, mode: str, key: str) -> str | None:
        """An option inherited from cs:citation / cs:bibliography, else from cs:style."""
        section = self.sections[mode]
        if section is not None and key in section.attrs:
            return section.attrs[key]
        return self.options.get(key)

    def name_options(self, mode: str, name: Node | None) -> dict[str, str]:
        """cs:name options: the style's, the section's, then the element's own."""
        opts: dict[str, str] = {}
        section = self.sections[mode]
        for source in (self.options, section.attrs if section is not None else {}):
            for key in NAME_ATTRS:
                if key in source:
                    target = {"name-form": "form", "name-delimiter": "delimiter"}.get(key, key)
                    opts[target] = source[key]
        if name is not None:
            opts.update(name.attrs)
        return opts

    def name(self, node: Node) -> Name:
        """cs:name with its cs:name-part children."""
        self.check(node)
        parts: dict[str, NamePart] = {}
        for np in node.findall("name-part"):
            which = np.get("name", "")
            if which in ("family", "given") and which not in parts:
                f = self.formatting(np)
                parts[which] = NamePart(dataclasses.replace(f, prefix="", suffix=""), f.prefix, f.suffix)
        return Name(dict(node.attrs), self.formatting(node), parts.get("family"), parts.get("given"))

    def names(self, node: Node) -> Names:
        """cs:names with its cs:name, cs:et-al, cs:label and cs:substitute."""
        name_node = node.find("name")
        etal_node = node.find("et-al")
        label_node = node.find("label")
        subst = node.find("substitute")
        label_first = False
        if label_node is not None and name_node is not None:
            label_first = node.children.index(label_node) < node.children.index(name_node)
        options = {m: self.name_options(m, name_node) for m in MODES}
        delimiters = {m: node.get("delimiter", self.inherited(m, "names-delimiter") or "") for m in MODES}
        return Names(
            variables=tuple(v for v in node.get("variable", "").split() if v),
            name=self.name(name_node) if name_node is not None else None,
            et_al=(EtAl(etal_node.get("term", "et-al"), self.formatting(etal_node))
                   if etal_node is not None else None),
            label=(NamesLabel(label_node.get("form", "long"), self.plural(label_node, "contextual"),
                              self.formatting(label_node)) if label_node is not None else None),
            label_first=label_first,
            substitute=self.children(subst) if subst is not None else None,
            formatting=self.formatting(node),
            options=options,
            delimiters=delimiters,
            bare=not node.children,
        )

    def date(self, node: Node) -> Date:
        """cs:date, localized (form) or with its own date parts."""
        where = f"{self.where}: <date-part>"
        form = node.get("form")
        if form is not None and form not in ("numeric", "text"):
            raise self.error(node, f"form={form!r} is not numeric or text")
        wanted = node.get("date-parts", "year-month-day")
        if wanted not in _ALLOWED_PARTS:
            raise self.error(node, f"date-parts={wanted!r} is not one of {', '.join(_ALLOWED_PARTS)}")
        parts = tuple(DatePart.from_attrs(dp.attrs, where) for dp in node.findall("date-part"))
        overrides = {dp.get("name", ""): dict(dp.attrs) for dp in node.findall("date-part")}
        return Date(node.get("variable", ""), form or None, _ALLOWED_PARTS[wanted], parts, overrides,
                    node.get("delimiter", ""), self.formatting(node))

    def sort(self, node: Node | None, section: Node) -> Sort | None:
        """cs:sort and its keys (``section``: the cs:citation or cs:bibliography)."""
        if node is None:
            return None
        keys = []
        macros = {m.get("name", ""): m for m in self.root.findall("macro")}
        for k in node.findall("key"):
            self.check(k)
            # citeproc-js gives a key's names the et-al options of the key, else those
            # the section sets itself, over those of the cs:name in the macro.
            overrides = {target: k.attrs.get(attr) or section.attrs[target] for attr, target in (
                ("names-min", "et-al-min"), ("names-use-first", "et-al-use-first"),
                ("names-use-last", "et-al-use-last")) if k.attrs.get(attr) or section.attrs.get(target)}
            variable = k.get("variable") or None
            macro = k.get("macro") or None
            if macro is not None and macro not in self.macro_names:
                raise self.error(k, f"macro {macro!r} is not defined")
            names = None
            if variable:
                # A name variable sorts as its names inverted, all of them, name by name.
                sort_name = Node("name", {"name-as-sort-order": "all"})
                names = self.names(Node("names", {"variable": variable}, (sort_name,)))
            reads = [variable in words if variable else macro is not None and _reaches(
                macros[macro], macros, _reading(words), 0) for words in (_NUMBER, _SUFFIX)]
            keys.append(SortKey(variable, macro, k.get("sort") == "descending", overrides, names,
                                macro is not None and self.macro_holds_date(macro), *reads))
        return Sort(tuple(keys))

    def layout(self, section: Node) -> Layout | None:
        """The cs:layout of a section."""
        layout = section.find("layout")
        if layout is None:
            return None
        return Layout(self.children(layout), layout.get("delimiter", ""), self.formatting(layout))

    def integer(self, node: Node, key: str, default: int) -> int:
        """An integer attribute (checked by :meth:`check`)."""
        self.check(node)
        value = node.get(key)
        return int(value) if value is not None else default

    def citation(self) -> Citation | None:
        """cs:citation, when it has a layout."""
        node = self.sections["citation"]
        layout = self.layout(node) if node is not None else None
        if node is None or layout is None:
            return None
        return Citation(
            layout, self.sort(node.find("sort"), node),
            node.get("disambiguate-add-names") == "true", node.get("disambiguate-add-givenname") == "true",
            node.get("givenname-disambiguation-rule", "by-cite"),
            node.get("disambiguate-add-year-suffix") == "true", node.get("collapse", ""),
            node.get("cite-group-delimiter"), node.get("year-suffix-delimiter"),
            node.get("after-collapse-delimiter"), self.integer(node, "near-note-distance", 5))

    def bibliography(self) -> Bibliography | None:
        """cs:bibliography, when it has a layout."""
        node = self.sections["bibliography"]
        layout = self.layout(node) if node is not None else None
        if node is None or layout is None:
            return None
        return Bibliography(
            layout, self.sort(node.find("sort"), node), node.get("second-field-align", ""),
            node.get("subsequent-author-substitute"),
            node.get("subsequent-author-substitute-rule", "complete-all"),
            node.get("hanging-indent") == "true", self.integer(node, "line-spacing", 1),
            self.integer(node, "entry-spacing", 1))

    def macros(self) -> dict[str, tuple[Element, ...]]:
        """Every macro's elements by name."""
        return {m.get("name", ""): self.children(m) for m in self.root.findall("macro")}

    def style_options(self) -> StyleOptions:
        """The style-wide settings elements read."""
        cit = self.sections["citation"]
        initialize = False
        et_al: tuple[int, int] | None = None
        if cit is not None:
            first = _first_name(cit, {m.get("name", ""): m for m in self.root.findall("macro")}, 0)
            inherited = cit.attrs.get("initialize-with", self.options.get("initialize-with"))
            own = first.get("initialize-with") if first is not None else None
            # initialize-with="" initializes too (without periods).
            initialize = own is not None or inherited is not None
            et_al = self._cite_et_al(cit, first) if cit.get("disambiguate-add-names") == "true" else None
        return StyleOptions(
            page_range_format=self.options.get("page-range-format"),
            initialize_with_hyphen=self.options.get("initialize-with-hyphen", "true") != "false",
            demote_particle=self.options.get("demote-non-dropping-particle", "display-and-sort"),
            cites_initialize=initialize,
            cites_add_givenname=cit is not None and cit.get("disambiguate-add-givenname") == "true",
            givens_by_cite=(cit is not None and cit.get("disambiguate-add-givenname") == "true"
                            and cit.get("givenname-disambiguation-rule", "by-cite") == "by-cite"),
            cites_et_al=et_al,
            year_suffix_explicit=_any(self.root, lambda n: n.tag == "text" and n.get("variable") == "year-suffix"),
            condition_variables=frozenset(v for n in _descendants(self.root) if n.tag in ("if", "else-if")
                                          for k in _CONDITION_ATTRS[:3] for v in n.get(k, "").split()),
        )

    def _cite_et_al(self, cit: Node, first: Node | None) -> tuple[int, int] | None:
        """et-al-min and et-al-use-first of the citation's first cs:name (inherited ones too)."""
        def option(key: str) -> str | None:
            own = first.get(key) if first is not None else None
            return own or cit.get(key) or self.options.get(key)

        mn, use = option("et-al-min"), option("et-al-use-first")
        return (int(mn), int(use)) if mn and use else None

    def position_sensitive(self) -> bool:
        """Whether cites may read differently when an item is cited again."""
        cit = self.sections["citation"]
        if cit is None:
            return False
        if any(a in cit.attrs for a in ("et-al-subsequent-min", "et-al-subsequent-use-first")):
            return True
        return _any(cit, _has_position) or any(_any(m, _has_position) for m in self.root.findall("macro"))

    def cites_by_number(self) -> bool:
        """Whether the citation prints citation-number (itself or through a macro)."""
        cit = self.sections["citation"]
        macros = {m.get("name", ""): m for m in self.root.findall("macro")}
        return cit is not None and _reaches(cit, macros, lambda n: n.tag == "text" and (
            n.attrs.get("variable") == "citation-number"), 0)

    def disambiguate_tests(self) -> int:
        """How many disambiguate="true" conditions the citation can reach."""
        cit = self.sections["citation"]
        total = _count(cit, "disambiguate") if cit is not None else 0
        return total + sum(_count(m, "disambiguate") for m in self.root.findall("macro"))


# What differs between the renders of two items with the same data: the number
# and id always, the year suffix when it does (a date or citation-label may carry it).
_NUMBER = frozenset(("citation-number", "id"))
_SUFFIX = frozenset(("year-suffix", "citation-label", "date"))


def _reading(words: frozenset[str]) -> Callable[[Node], bool]:
    return lambda n: n.tag in words or any(w in words for v in n.attrs.values() for w in v.split())


def _has_position(n: Node) -> bool:
    return "position" in n.attrs


def _descendants(node: Node) -> Iterator[Node]:
    yield node
    for c in node.children:
        yield from _descendants(c)


def _any(node: Node, pred: Callable[[Node], bool]) -> bool:
    return bool(pred(node)) or any(_any(c, pred) for c in node.children)


def _count(node: Node, attr: str) -> int:
    return (1 if attr in node.attrs else 0) + sum(_count(c, attr) for c in node.children)


def _reaches(n: Node, macros: Mapping[str, Node], pred: Callable[[Node], bool], depth: int,
             seen: dict[tuple[int, int], bool] | None = None) -> bool:
    """Whether ``pred`` holds for ``n`` or an element below it, following macros."""
    # A macro called from many places is walked once per depth, not once per call.
    seen = {} if seen is None else seen
    found = seen.get((id(n), depth))
    if found is None:
        kids: tuple[Node, ...] = n.children
        if n.tag == "text" and "macro" in n.attrs and depth < 20:
            macro = macros.get(n.attrs["macro"])
            kids = macro.children if macro is not None else ()
        found = seen[(id(n), depth)] = bool(pred(n)) or any(_reaches(k, macros, pred, depth + 1, seen) for k in kids)
    return found


def _first_name(n: Node, macros: Mapping[str, Node], depth: int) -> Node | None:
    """The first cs:name reached from ``n``, following macros."""
    if n.tag == "name":
        return n
    kids: tuple[Node, ...] = n.children
    if n.tag == "text" and "macro" in n.attrs and depth < 20:
        macro = macros.get(n.attrs["macro"])
        kids = macro.children if macro is not None else ()
    for k in kids:
        hit = _first_name(k, macros, depth + 1)
        if hit is not None:
            return hit
    return None
