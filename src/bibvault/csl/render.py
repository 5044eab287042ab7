"""Rendering of rendering elements (text, number, label, group, choose) to rich text."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from bibvault.csl import numbers
from bibvault.csl.context import Context
from bibvault.csl.items import DateValue
from bibvault.csl.richtext import (
    FORMAT_KEYS,
    Content,
    Delim,
    FixedPrefix,
    Rich,
    SameDelim,
    SameSuffix,
    Suffix,
    is_empty,
    map_strings,
    parse_inline,
    sort_dates_only,
)
from bibvault.csl.style import Node
from bibvault.csl.textcase import apply_text_case, capitalize_first

# Variables that CSL treats as numbers (is-numeric, cs:number, labels).
NUMBER_VARS = frozenset(
    "chapter-number citation-number collection-number edition first-reference-note-number issue "
    "locator number number-of-pages number-of-volumes page page-first part-number printing-number "
    "section supplement-number version volume".split()
)


# Han, kana, Hangul and their punctuation: scripts that are not set in italics.
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


def _cjk_only(text: str) -> bool:
    """Whether ``text`` is written in CJK script with no Latin letters in it."""
    return bool(_CJK.search(text)) and not any(c.isalpha() and c < "\u0250" for c in text)


def decorate(node: Node, content: Content, ctx: Context, *, affixes: bool = True,
             upright: bool = False) -> Rich | None:
    """Apply text-case, strip-periods, formatting, quotes, affixes and display
    (``upright``: without italics)."""
    if is_empty(content):
        return None
    ctx.output_started = True
    deco = node.compiled.get("decorate")
    if deco is None:
        a = node.attrs
        deco = node.compiled["decorate"] = (
            a.get("text-case"), a.get("strip-periods") == "true",
            {k: a[k] for k in FORMAT_KEYS if k in a}, a.get("quotes") == "true",
            a.get("prefix", ""), a.get("suffix", ""), a.get("display"))
    text_case, strip, fmt, quotes, prefix, suffix, display = deco
    if upright and fmt.get("font-style") == "italic":
        fmt = {k: v for k, v in fmt.items() if k != "font-style"}
    if text_case:
        content = apply_text_case(content, text_case, ctx.english, ctx.turkic)
    known = True
    if strip:
        content = map_strings(content, lambda s: s.replace(".", ""))
        # Text-case keeps every character; only stripped periods can leave nothing.
        known = not is_empty(content)
    assert content is not None
    inner: Content = Rich([content], dict(fmt), quotes) if (fmt or quotes) else content
    if not affixes:
        prefix = suffix = ""
    if known and not prefix and not suffix and not display and isinstance(inner, Rich):
        return inner
    end = SameSuffix(suffix) if fmt and _simple(node) else Suffix(suffix)
    parts: list[Rich | str] = [p for p in (prefix, inner, end) if p]
    return Rich(parts, display=display, known_text=known)


def _simple(node: Node) -> bool:
    # What citeproc-js renders as one string (not a group of others).
    return node.tag in ("text", "number", "label") and "macro" not in node.attrs


def _formatted(node: Node) -> bool:
    return any(k in node.attrs for k in FORMAT_KEYS)


def _outputs(children: list[Node], ctx: Context) -> list[tuple[Node, Content]]:
    # The chosen branch of cs:choose contributes its elements one by one, so that the
    # enclosing group's delimiter separates them.
    out: list[tuple[Node, Content]] = []
    for c in children:
        if c.tag == "choose":
            branch = choose_branch(c, ctx)
            if branch is not None:
                out.extend(_outputs(branch.children, ctx))
        else:
            out.append((c, render(c, ctx)))
    return out


def decorate_layout(node: Node, content: Content, ctx: Context) -> Rich | None:
    """Like :func:`decorate`, but cs:layout's formatting also covers its affixes."""
    if is_empty(content):
        return None
    a = node.attrs
    fmt = {k: a[k] for k in FORMAT_KEYS if k in a}
    parts: list[Rich | str] = [p for p in (a.get("prefix", ""), content, a.get("suffix", "")) if p]
    return Rich(parts, fmt)


def holds_date(macro: Node) -> bool:
    """Whether a cs:macro element has a cs:date among its own descendants."""
    found = macro.compiled.get("holds-date")
    if found is None:

        def walk(n: Node) -> bool:
            return any(c.tag == "date" or walk(c) for c in n.children)

        found = macro.compiled["holds-date"] = walk(macro)
    return bool(found)


def render_children(node: Node, ctx: Context, delimiter: str | None = None) -> Rich | None:
    """Children of ``node`` rendered and joined with ``delimiter``."""
    children: list[Rich | str] = []
    before: Node | None = None
    for n, out in _outputs(node.children, ctx):
        if is_empty(out):
            continue
        assert out is not None
        if before is not None:
            if delimiter:
                children.append(SameDelim(delimiter) if _simple(before) and _formatted(before) else Delim(delimiter))
            elif (_formatted(before) or _formatted(n)) and isinstance(out, Rich) and n.get("prefix") \
                    and out.children and out.children[0] == n.get("prefix"):
                # citeproc-js moves no punctuation between a prefix and formatted siblings.
                out = replace(out, children=[FixedPrefix(out.children[0]), *out.children[1:]])
        children.append(out)
        before = n
    return Rich(children, known_text=True) if children else None


def render(node: Node, ctx: Context) -> Content:
    """Render any rendering element."""
    fn = _DISPATCH.get(node.tag)
    if fn is None:
        return None
    return fn(node, ctx)


def variable_text(ctx: Context, name: str, form: str = "long") -> str | None:
    """A string variable, preferring its short form when asked."""
    if form == "short":
        short = ctx.var(f"{name}-short")
        if isinstance(short, str):
            return short
    v = ctx.var(name)
    if v is None or isinstance(v, list | DateValue | bool):
        return None
    return str(v)


def _text(node: Node, ctx: Context) -> Content:
    a = node.attrs
    if "variable" in a:
        name = a["variable"]
        if name == "year-suffix":
            # An absent suffix is no reason to suppress the enclosing group.
            ctx.year_suffix_done = True
        else:
            ctx.called += 1
        value = variable_text(ctx, name, a.get("form", "long"))
        if value is None:
            return None
        ctx.mark(name)
        content: Content
        if name == "page" or (name == "locator" and (ctx.cite.label or "page") == "page"):
            content = numbers.page_range(value, ctx.style.options.get("page-range-format"), ctx.locale)
        elif name == "locator" and not numbers.is_numeric(value):
            content = parse_inline(value)
        elif name == "locator" or (name in NUMBER_VARS and name != "number" and numbers.is_numeric(value)):
            # Ranges in numeric variables take the range delimiter (en dash).
            content = numbers.page_range(value, None, ctx.locale)
        elif name in ("URL", "DOI", "PMID", "PMCID"):
            content = Rich([value], nocase=True)
        elif name == "citation-label":
            # The label carries the year suffix when one disambiguates it.
            ys = ctx.var("year-suffix")
            if ys and not ctx.year_suffix_explicit and not ctx.year_suffix_done:
                ctx.year_suffix_done = True
                value += ys
            content = value
        else:
            if str(ctx.item.get("language", "")).lower().startswith("fr"):
                # French typography: a narrow no-break space before high punctuation.
                value = re.sub(r" ([:;!?])", "\u202f\\1", value)
            if "\u00ab " in value or " \u00bb" in value:
                # Spaces just inside guillemets are narrow no-break spaces.
                value = value.replace("\u00ab ", "\u00ab\u202f").replace(" \u00bb", "\u202f\u00bb")
            content = parse_inline(value)
        # A variable in CJK script is not italicised, as the reference processor does.
        return decorate(node, content, ctx, upright=_cjk_only(value))
    if "macro" in a:
        macro = ctx.style.macros.get(a["macro"])
        if macro is None:
            return None
        # A macro is suppressed like a group when all the variables it calls are empty.
        called, rendered = ctx.called, ctx.rendered
        ctx.called = ctx.rendered = 0
        out: Content = render_children(macro, ctx)
        if ctx.sorting and holds_date(macro):
            out = sort_dates_only(out)
        empty = ctx.called > 0 and ctx.rendered == 0
        ctx.called, ctx.rendered = called + ctx.called, rendered + ctx.rendered
        if empty or is_empty(out):
            return None
        # Non-empty macro output counts as a rendered variable for enclosing groups.
        ctx.called += 1
        ctx.rendered += 1
        return decorate(node, out, ctx)
    if "term" in a:
        text = ctx.locale.term(a["term"], a.get("form", "long"), a.get("plural") == "true")
        if text and not ctx.output_started:
            ctx.starts_with_term = True
            if ctx.mode == "bibliography" and not ctx.sorting:
                # citeproc-js capitalises a term that opens a bibliography entry ("N.d.").
                text = capitalize_first(text)
        return decorate(node, text or None, ctx)
    if "value" in a:
        return decorate(node, parse_inline(a["value"]) if a["value"] else None, ctx)
    return None


def _number(node: Node, ctx: Context) -> Content:
    name = node.get("variable", "")
    ctx.called += 1
    value = ctx.var(name)
    if value is None or isinstance(value, list | DateValue):
        return None
    ctx.mark(name)
    text = str(value)
    form = node.get("form", "numeric")
    gender = ctx.locale.gender(ctx.cite.label or "page") if name == "locator" else ctx.locale.gender(name)
    return decorate(node, numbers.format_number(text, form, ctx.locale, gender), ctx)


def label_term(ctx: Context, name: str) -> tuple[str, Any]:
    """(term name, value) for a label of variable ``name``."""
    if name == "locator":
        label = ctx.cite.label or "page"
        # CSL 1.0 spelled the locator "sub verbo"; 1.0.2 locales call the term "sub-verbo".
        if label in ("sub verbo", "sub-verbo"):
            label = "sub-verbo" if ctx.locale.lookup("sub-verbo") else "sub verbo"
        return (label, ctx.cite.locator)
    return (name, ctx.var(name))


def _label(node: Node, ctx: Context) -> Content:
    name = node.get("variable", "")
    term, value = label_term(ctx, name)
    if value is None and name and not ctx.sorting:
        # citeproc-js (not the CSL specification) prints the label of an empty
        # variable in its singular form, as a term: it does not count as a variable
        # for the suppression of an enclosing group.
        text = ctx.locale.term(term, node.get("form", "long"), node.get("plural") == "always")
        return decorate(node, text or None, ctx)
    if value is None or isinstance(value, list | DateValue):
        return None
    if name == "locator" and ctx.cite.label is None and not re.match(r"\s*(\d|[ivxlcdm]+\b)", str(value), re.I):
        # An unlabelled locator that is not a page number ("vol. 1, fol. 186") names itself.
        return None
    plural_attr = node.get("plural", "contextual")
    if plural_attr == "always":
        plural = True
    elif plural_attr == "never":
        plural = False
    elif name in ("number-of-pages", "number-of-volumes"):
        m = re.match(r"\s*(\d+)", str(value))
        plural = bool(m and int(m.group(1)) > 1)
    else:
        plural = numbers.is_plural(str(value), ctx.locale.term("and"))
    text = ctx.locale.term(term, node.get("form", "long"), plural)
    return decorate(node, text or None, ctx)


def _group(node: Node, ctx: Context) -> Content:
    called, rendered = ctx.called, ctx.rendered
    ctx.called = ctx.rendered = 0
    out = render_children(node, ctx, node.get("delimiter"))
    suppressed = ctx.called > 0 and ctx.rendered == 0
    ctx.called = called + ctx.called
    ctx.rendered = rendered + ctx.rendered
    if suppressed or out is None:
        return None
    # A non-empty group counts as rendered content for an enclosing group.
    ctx.called += 1
    ctx.rendered += 1
    return decorate(node, out, ctx)


def choose_branch(node: Node, ctx: Context) -> Node | None:
    """The first cs:if / cs:else-if / cs:else of a cs:choose that applies."""
    for branch in node.children:
        if branch.tag == "else" or (branch.tag in ("if", "else-if") and conditions_hold(branch, ctx)):
            return branch
    return None


def _choose(node: Node, ctx: Context) -> Content:
    branch = choose_branch(node, ctx)
    return render_children(branch, ctx) if branch is not None else None


def _test_variable(ctx: Context, name: str) -> bool:
    if name == "locator":
        return ctx.cite.locator is not None
    # Conditions see the item as it is, also variables already used up by cs:substitute.
    return ctx.unsuppressed(name) is not None


def _test_position(ctx: Context, pos: str) -> bool:
    p = ctx.cite.position if ctx.mode == "citation" else -1
    if pos == "first":
        return p == 0
    if pos == "subsequent":
        return p >= 1
    if pos == "ibid":
        return p >= 2
    if pos == "ibid-with-locator":
        return p == 3
    if pos == "near-note":
        return p >= 1 and ctx.cite.near_note
    return False


_CONDITION_ATTRS = ("type", "variable", "is-numeric", "is-uncertain-date", "locator", "position")


def _test(ctx: Context, kind: str, v: str) -> bool:
    if kind == "type":
        return bool(ctx.item.get("type") == v)
    if kind == "variable":
        return _test_variable(ctx, v)
    if kind == "is-numeric":
        val = ctx.cite.locator if v == "locator" else ctx.var(v)
        return isinstance(val, str) and numbers.is_numeric(val)
    if kind == "is-uncertain-date":
        d = ctx.var(v)
        return isinstance(d, DateValue) and d.circa
    if kind == "locator":
        label = ctx.cite.label or "page"
        return ctx.cite.locator is not None and (label == v or (v == "sub-verbo" and label == "sub verbo"))
    return _test_position(ctx, v)


def conditions_hold(node: Node, ctx: Context) -> bool:
    """Evaluate the conditions of a cs:if / cs:else-if."""
    cond = node.compiled.get("conditions")
    if cond is None:
        a = node.attrs
        # As citeproc-js (not the CSL specification): the values of `type` make one
        # test that holds when any of them is the item's type, whatever `match` says,
        # so type="chapter article-journal" with match="all" holds for a chapter.
        types = " ".join(a.get("type", "").split())
        tests = ((("type", f" {types} "),) if types else ()) + tuple(
            (k, v) for k in _CONDITION_ATTRS[1:] for v in a.get(k, "").split())
        match = a.get("match", "all")
        cond = node.compiled["conditions"] = (tests, a.get("disambiguate"),
                                              match if match in ("any", "none") else "all")
    tests, disambiguate, match = cond
    if disambiguate is not None:
        # Every disambiguate test met counts, whatever the other conditions decide.
        ctx.disamb_tests += 1
        limit = ctx.disamb.condition if ctx.mode == "citation" else (99 if ctx.disamb.condition else 0)
        active = ctx.disamb_tests <= limit
        if (active if disambiguate == "true" else not active) == (match != "all"):
            return match == "any"
    elif not tests:
        return False
    # "all" stops at the first test that fails, "any" and "none" at the first that holds.
    stop = match == "all"
    item_type = ctx.item.get("type")
    for kind, v in tests:
        if kind == "type":
            ok = f" {item_type} " in v
        elif kind == "variable" and v != "locator":
            ok = ctx.unsuppressed(v) is not None
        else:
            ok = _test(ctx, kind, v)
        if ok != stop:
            return match == "any"
    return match != "any"


def _names(node: Node, ctx: Context) -> Content:
    from bibvault.csl.names import render_names

    return render_names(node, ctx)


def _date(node: Node, ctx: Context) -> Content:
    from bibvault.csl.dates import render_date

    return render_date(node, ctx)


_DISPATCH = {
    "text": _text,
    "number": _number,
    "label": _label,
    "group": _group,
    "choose": _choose,
    "names": _names,
    "date": _date,
}
