"""cs:names and cs:name: name lists, et-al, labels, substitution, name-part order."""

from __future__ import annotations

import re
from typing import Any

from bibvault.csl.context import NAME_ATTRS, Context
from bibvault.csl.render import decorate, render
from bibvault.csl.richtext import Content, Rich, is_empty, join, parse_inline, plain
from bibvault.csl.style import Node

_NON_ROMAN = re.compile(r"[\u0590-\u08ff\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


def name_options(node: Node, ctx: Context) -> dict[str, str]:
    """cs:name options: inherited style/citation/bibliography values, then the element's."""
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


def is_romanesque(name: dict[str, Any]) -> bool:
    """False for names written in scripts that take no spaces or initials (e.g. CJK)."""
    return not _NON_ROMAN.search(name.get("family", "") + name.get("given", ""))


_GIVEN_TOKEN = re.compile(r"([^\s.\-\u2010]+)(\.?)|([\-\u2010])")


def initialize(given: str, init_with: str, do_initialize: bool, hyphen: bool = True) -> str:
    """Given names reduced to initials (or, without ``do_initialize``, existing initials normalised).

    Abbreviations written with a period ("Ph.") are kept as written; lower-case
    words (particles such as "de") stay whole.
    """
    tokens: list[tuple[str, bool, str]] = []  # (text, is_initial, joiner before it)
    joiner = " "
    for m in _GIVEN_TOKEN.finditer(given):
        if m.group(3):
            joiner = "-"
            continue
        word, period = m.group(1), m.group(2)
        if joiner == "-" and do_initialize and word[:1].islower():
            joiner = " "
            continue
        if word[:1].islower() and len(word) > 1:
            tokens.append((word, False, joiner))
        elif period or (len(word) == 1 and word.isalpha()):
            tokens.append((word, True, joiner))
        elif do_initialize:
            # Transliterated digraphs ("TSerendorjiin") keep both letters.
            digraph = len(word) > 2 and word[1].isupper() and word[2:].islower()
            tokens.append((word[0] + word[1].lower() if digraph else word[0], True, joiner))
        else:
            tokens.append((word, False, joiner))
        joiner = " "
    out = ""
    for i, (text, initial, joiner) in enumerate(tokens):
        if i:
            prev_initial = tokens[i - 1][1]
            if joiner == "-":
                if prev_initial:
                    out = out.rstrip()
                if hyphen or not (prev_initial and initial):
                    out += "-"
            elif not prev_initial or (not out.endswith(" ") and not initial):
                out = out.rstrip() + " "
        out += text + init_with if initial else text
    return out.strip()


def _name_part_node(name_node: Node | None, which: str) -> Node | None:
    if name_node is None:
        return None
    for np in name_node.findall("name-part"):
        if np.get("name") == which:
            return np
    return None


def _fmt(np: Node | None, text: str, ctx: Context) -> Content:
    """Name-part formatting and text-case, without affixes (markup in the data kept)."""
    if not text:
        return None
    content: Content = parse_inline(text) if "<" in text else text
    if np is None:
        return content
    return decorate(np, content, ctx, affixes=False)


def _lowercase_particle(content: Content) -> Content:
    if isinstance(content, str) and content[:1].islower():
        return Rich([content], nocase=True)
    return content


def _initialize_marked_up(given: str, init_with: str, do_init: bool, hyphen: bool) -> str:
    """Initials of a given name that carries markup: each marked-up run on its own."""
    parts = re.split(r"(<[^>]+>)", given)
    out = []
    for part in parts:
        if part.startswith("<") or not part.strip(" -"):
            out.append(part)
            continue
        lead = part[: len(part) - len(part.lstrip(" -"))]
        trail = " " if part.endswith(" ") else ""
        out.append(lead + initialize(part, init_with, do_init, hyphen).strip() + trail)
    return "".join(out).strip()


def _affix(np: Node | None, content: Content) -> Content:
    if np is None or is_empty(content):
        return content
    return join([np.get("prefix", ""), content, np.get("suffix", "")])


def _spaced(parts: list[Content]) -> Content:
    """Join name parts with spaces, except after an apostrophe, hyphen or existing space."""
    kept = [p for p in parts if not is_empty(p)]
    children: list[Rich | str] = []
    for k, p in enumerate(kept):
        assert p is not None
        if k:
            prev = plain(kept[k - 1])
            if not prev.endswith(("'", "\u2019", "-", " ", "\u00a0")):
                children.append(" ")
        children.append(p)
    return Rich(children) if children else None


def _apostrophes(text: str) -> str:
    return text.replace("'", "\u2019")


def format_name(name: dict[str, Any], opts: dict[str, str], ctx: Context, index: int,
                name_node: Node | None, inverted: bool) -> Content:
    """One name as rich text, following form, initials and name-part order."""
    fam_np = _name_part_node(name_node, "family")
    giv_np = _name_part_node(name_node, "given")
    if "literal" in name:
        literal = name["literal"]
        return _affix(fam_np, decorate(fam_np, parse_inline(literal), ctx, affixes=False)
                      if fam_np is not None and literal else (parse_inline(literal) or None))
    family = _apostrophes(name.get("family", "").strip())
    given = _apostrophes(name.get("given", "").strip())
    ndp = _apostrophes(name.get("non-dropping-particle", ""))
    dp = _apostrophes(name.get("dropping-particle", ""))
    suffix = _apostrophes(name.get("suffix", ""))
    form = opts.get("form", "long")
    init_with = opts.get("initialize-with")
    do_init = opts.get("initialize", "true") != "false"
    level = 0
    if ctx.mode == "citation" and not ctx.sorting:
        level = max(ctx.disamb.given_levels.get(index, 0), ctx.disamb.given_all)
    if level >= 1 and form == "short":
        form = "long"
        if level == 1 and init_with is not None:
            do_init = True
    if level >= 2 and init_with is not None:
        do_init = False
    if not family and given:
        family, given = given, ""
    if not is_romanesque(name):
        fam = _affix(fam_np, _fmt(fam_np, family, ctx))
        if form == "short":
            return fam
        return join([fam, _affix(giv_np, _fmt(giv_np, given, ctx))], "")
    if ctx.sorting:
        inverted = True
    hyphen = ctx.style.options.get("initialize-with-hyphen", "true") != "false"
    if given and init_with is not None:
        if "<" in given:
            given = _initialize_marked_up(given, init_with, do_init, hyphen)
        else:
            given = initialize(given, init_with, do_init, hyphen)
    demote = ctx.style.options.get("demote-non-dropping-particle", "display-and-sort")
    f_family = _fmt(fam_np, family, ctx)
    # Particles keep their case under an enclosing title case ("John von Doe").
    f_ndp = _lowercase_particle(_fmt(fam_np, ndp, ctx))
    f_given = _fmt(giv_np, given, ctx)
    f_dp = _lowercase_particle(_fmt(giv_np, dp, ctx))
    if form == "short":
        return _affix(fam_np, _spaced([f_ndp, f_family]))
    if not inverted:
        tail: list[Content] = [f_dp, f_ndp, f_family]
        fam = _spaced(tail)
        if suffix:
            fam = join([fam, suffix], ", " if name.get("comma-suffix") else " ")
        return _spaced([_affix(giv_np, f_given), _affix(fam_np, fam)])
    sort_sep = " " if ctx.sorting else opts.get("sort-separator", ", ")
    if demote == "display-and-sort" or (ctx.sorting and demote == "sort-only"):
        fam = _affix(fam_np, f_family)
        giv = _affix(giv_np, _spaced([f_given, f_dp, f_ndp]))
    else:
        fam = _affix(fam_np, _spaced([f_ndp, f_family]))
        giv = _affix(giv_np, _spaced([f_given, f_dp]))
    out = join([fam, giv], sort_sep)
    if suffix:
        out = join([out, suffix], sort_sep)
    return out


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
        rendered.append((one, inverted))
    items = [r for r in rendered if not is_empty(r[0])]
    if not items:
        return None, 0
    delim = opts.get("delimiter", ", ")
    and_attr = opts.get("and")
    if ctx.sorting:
        # Sort keys compare name by name: no connecting words.
        delim, and_attr = "  ", None
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
        return join([body, sep, etal], ""), len(shown)
    if len(items) == 1 or and_word is None:
        return join([r[0] for r in items], delim), len(shown)
    head = join([r[0] for r in items[:-1]], delim)
    use_delim = precedes(opts.get("delimiter-precedes-last"), len(items) - 1 + 1, items[-2][1])
    if (opts.get("delimiter-precedes-last") or "contextual") == "contextual":
        use_delim = len(items) >= 3
    sep = f"{delim}{and_word} " if use_delim else f" {and_word} "
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
        if name_node is not None:
            body = decorate(name_node, body, ctx)
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


__all__ = ["render_names", "format_name", "initialize", "names_text", "Rich"]
