"""cs:names: name lists, et-al, labels, cs:substitute and the editor-translator merge."""

from __future__ import annotations

from typing import Any

from bibvault.csl.context import NAME_ATTRS, Context
from bibvault.csl.nameformat import format_name, initialize, is_romanesque, starts_romanesque
from bibvault.csl.render import decorate, render
from bibvault.csl.richtext import Content, Rich, is_empty, join
from bibvault.csl.style import Node


def name_options(node: Node, ctx: Context) -> dict[str, str]:
    """cs:name options: inherited style/citation/bibliography values, then the element's.

    Without overrides the result is shared (kept with the style element): do not change it."""
    if not ctx.name_overrides:
        key = "name-options:" + ctx.mode
        found: dict[str, str] | None = node.compiled.get(key)
        if found is None:
            found = node.compiled[key] = _name_options(node, ctx)
        return found
    return _name_options(node, ctx)


def _name_options(node: Node, ctx: Context) -> dict[str, str]:
    opts: dict[str, str] = {}
    for source in (ctx.style.options, ctx.element.attrs if ctx.element is not None else {}):
        for key in NAME_ATTRS:
            if key in source:
                target = {"name-form": "form", "name-delimiter": "delimiter"}.get(key, key)
                opts[target] = source[key]
    name_node = node.find("name")
    if name_node is not None:
        opts.update(name_node.attrs)
    opts.update(ctx.name_overrides)
    return opts


def _et_al_limits(opts: dict[str, str], ctx: Context) -> tuple[int | None, int | None]:
    mn, first = opts.get("et-al-min"), opts.get("et-al-use-first")
    if ctx.mode == "citation" and ctx.cite.position >= 1:
        mn = opts.get("et-al-subsequent-min", mn)
        first = opts.get("et-al-subsequent-use-first", first)
    return (int(mn) if mn else None, int(first) if first else None)


def _name_list(names: list[dict[str, Any]], opts: dict[str, str], ctx: Context,
               name_node: Node | None, etal_node: Node | None, count_only: bool,
               collect: list[Rich] | None = None) -> tuple[Content, int]:
    mn, first = _et_al_limits(opts, ctx)
    total = len(names)
    truncated = bool(mn and first is not None and total >= mn and first < total)
    if truncated and ctx.disamb.names_shown and not ctx.sorting:
        first = max(first or 0, ctx.disamb.names_shown)
        truncated = first < total
    if ctx.name_overrides.get("_names-all"):
        truncated = False
    shown = names[:first] if truncated and first is not None else names
    if count_only:
        return None, len(shown)
    order = opts.get("name-as-sort-order")
    rendered = []
    for i, n in enumerate(shown):
        inverted = (order == "all" or (order == "first" and i == 0)) and "literal" not in n
        one = format_name(n, opts, ctx, i, name_node, inverted)
        if not is_empty(one):
            assert one is not None
            one = Rich([one])
            if collect is not None:
                collect.append(one)
            if name_node is not None and not ctx.sorting:
                # As citeproc-js: cs:name's formatting and affixes go on each name,
                # and the affixes on personal names only (not on organisations).
                one = decorate(name_node, one, ctx, affixes="literal" not in n)
        rendered.append((one, inverted, n))
    items = [r for r in rendered if not is_empty(r[0])]
    if not items:
        return None, 0
    delim = opts.get("delimiter", ", ")
    and_attr = opts.get("and")
    if ctx.sorting:
        # Sort keys compare name by name: no connecting words (citeproc-js keeps the
        # delimiter, whose space sorts before any letter).
        and_attr = None
    and_word = None
    if and_attr == "text":
        and_word = ctx.locale.term("and") or "and"
    elif and_attr == "symbol":
        and_word = "&"

    def precedes(rule: str | None, before: int, last_inverted: bool) -> bool:
        rule = rule or "contextual"
        if rule == "always":
            return True
        if rule == "never":
            return False
        if rule == "after-inverted-name":
            return last_inverted
        return before >= 2

    if truncated and opts.get("et-al-use-last") == "true" and first is not None and first < total - 1:
        last = format_name(names[-1], opts, ctx, total - 1, name_node, order == "all")
        body = join([r[0] for r in items], delim)
        return join([body, delim, "\u2026 ", last], ""), len(shown)
    if truncated:
        term = etal_node.get("term", "et-al") if etal_node is not None else "et-al"
        found = ctx.locale.term(term)
        text = "et al." if found is None else found
        body = join([r[0] for r in items], delim)
        if not text or ctx.sorting:
            return body, len(shown)
        etal: Content = decorate(etal_node, text, ctx) if etal_node is not None else text
        sep = delim if precedes(opts.get("delimiter-precedes-et-al"), len(items), items[-1][1]) else " "
        if sep == " " and not starts_romanesque(text):
            sep = ""
        out = join([body, sep, etal], "")
        if name_node is not None:
            # citeproc-js puts cs:name's affixes and formatting once more around a list
            # cut short by et-al (formatting nested in the same formatting is kept).
            out = decorate(name_node, out, ctx)
        return out, len(shown)
    if len(items) == 1 or and_word is None:
        return join([r[0] for r in items], delim), len(shown)
    head = join([r[0] for r in items[:-1]], delim)
    use_delim = precedes(opts.get("delimiter-precedes-last"), len(items) - 1 + 1, items[-2][1])
    if (opts.get("delimiter-precedes-last") or "contextual") == "contextual":
        use_delim = len(items) >= 3
    sep = f"{delim}{and_word} " if use_delim else f" {and_word} "
    if not starts_romanesque(and_word):
        # As citeproc-js: an "and" term of a script written without spaces (和, と)
        # is joined unspaced, and the delimiter stays only where a rule forces it.
        forced = opts.get("delimiter-precedes-last") == "always" or (
            opts.get("delimiter-precedes-last") == "after-inverted-name" and items[-2][1])
        sep = f"{delim}{and_word}" if forced else and_word
    return join([head, sep, items[-1][0]], ""), len(shown)


def render_names(node: Node, ctx: Context, inherit_from: Node | None = None) -> Content:
    """Render a cs:names element, falling back to cs:substitute when empty."""
    if inherit_from is None and not node.children and ctx.substitute_parent is not None:
        # A bare cs:names anywhere inside cs:substitute inherits the outer options.
        inherit_from = ctx.substitute_parent
    source = inherit_from or node
    name_node = node.find("name") or source.find("name")
    etal_node = node.find("et-al") or source.find("et-al")
    label_node = node.find("label") or (source.find("label") if inherit_from is not None else None)
    opts = name_options(source if node.find("name") is None else node, ctx)
    variables = [v for v in node.get("variable", "").split() if v]
    ctx.called += len(variables)
    present = [(v, ctx.var(v)) for v in variables]
    present = [(v, val) for v, val in present if isinstance(val, list) and val]
    if ("editor" in variables and "translator" in variables and len(present) >= 2
            and dict(present).get("editor") == dict(present).get("translator")
            and (label_node is None or ctx.locale.term("editortranslator"))):
        present = [(v if v != "editor" else "editortranslator", val) for v, val in present if v != "translator"]
    count_only = opts.get("form") == "count"
    label_first = False
    if label_node is not None and name_node is not None and label_node in node.children and name_node in node.children:
        label_first = node.children.index(label_node) < node.children.index(name_node)
    if present and ctx.mode == "citation" and ctx.cite.suppress_author and ctx.names_seen == 0 and not ctx.sorting:
        ctx.names_seen += 1
        ctx.author_suppressed = True
        for v, _ in present:
            ctx.mark(v)
        return None
    outputs: list[Content] = []
    total = 0
    collected: list[Rich] = []
    bodies: list[Rich] = []
    for var, names in present:
        body, n = _name_list(names, opts, ctx, name_node, etal_node, count_only, collected)
        total += n
        ctx.mark(var if var != "editortranslator" else "editor")
        if var == "editortranslator":
            ctx.var_log.append("translator")
        if ctx.substituting:
            # Inside cs:substitute a name variable is used up as soon as it renders.
            ctx.suppressed.update(("editor", "translator") if var == "editortranslator" else (var,))
        if count_only:
            continue
        if isinstance(body, Rich):
            bodies.append(body)
        if label_node is not None and body is not None and not ctx.sorting:
            plural = len(names) > 1
            if label_node.get("plural") == "always":
                plural = True
            elif label_node.get("plural") == "never":
                plural = False
            term = ctx.locale.term(var, label_node.get("form", "long"), plural)
            label = decorate(label_node, term or None, ctx)
            body = join([label, body] if label_first else [body, label])
        outputs.append(body)
    if count_only and present:
        return decorate(node, str(total) if total else None, ctx)
    if outputs:
        delim = node.get("delimiter", ctx.inherited("names-delimiter") or "")
        inner = join(outputs, delim)
        out = decorate(node, inner, ctx)
        if ctx.names_seen == 0:
            # The name lists without labels: what subsequent-author-substitute replaces.
            ctx.first_names_source = (present[0][1], source if node.find("name") is None else node)
            ctx.first_names = Rich(list(bodies))
            ctx.first_name_bodies = bodies
            ctx.first_name_nodes = collected
        ctx.names_seen += 1
        return out
    subst = node.find("substitute")
    if subst is None:
        return None
    for child in subst.children:
        before = len(ctx.var_log)
        ctx.substituting += 1
        sub_out: Content
        outer, ctx.substitute_parent = ctx.substitute_parent, node
        try:
            if child.tag == "names" and child.find("name") is None:
                sub_out = render_names(child, ctx, inherit_from=node)
            else:
                sub_out = render(child, ctx)
        finally:
            ctx.substitute_parent = outer
        ctx.substituting -= 1
        if (is_empty(sub_out) and child.tag == "text" and "term" in child.attrs
                and ctx.locale.lookup(child.attrs["term"], child.get("form", "long")) is not None):
            # A term the locale defines as empty still is the substitute: nothing is shown.
            return None
        if ctx.author_suppressed and ctx.names_seen == 1 and is_empty(sub_out):
            ctx.suppressed.update(ctx.var_log[before:])
            return None
        if not is_empty(sub_out):
            ctx.suppressed.update(ctx.var_log[before:])
            own = child.tag == "names" and child.find("name") is not None
            result: Content = sub_out if own else decorate(node, sub_out, ctx)
            if ctx.names_seen == 0 and child.tag != "names":
                ctx.first_names = sub_out if isinstance(sub_out, Rich) else Rich([sub_out or ""])
                ctx.first_name_bodies = [ctx.first_names]
                ctx.first_name_nodes = [ctx.first_names]
            ctx.names_seen += 1
            return result
    return None


def names_text(value: Any) -> str:
    """A plain key for a list of names (used to compare author lists)."""
    if not isinstance(value, list):
        return ""
    return "|".join(
        "/".join(str(n.get(k, "")) for k in ("literal", "family", "given", "non-dropping-particle", "dropping-particle", "suffix"))
        for n in value
    )


__all__ = ["render_names", "name_options", "format_name", "initialize", "is_romanesque", "names_text"]
