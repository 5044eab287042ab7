"""The CSL engine's modules depend one way, and a compiled style is never changed."""

from __future__ import annotations

import ast
import json
import pickle
import threading
from pathlib import Path

import pytest

from bibvault.csl import Processor, Resources, StyleError, load_style, parse_style

CSL = Path(__file__).resolve().parents[1] / "src" / "bibvault" / "csl"
CORPUS = json.loads((Path(__file__).parent / "data" / "csl-corpus.json").read_text(encoding="utf-8"))

# Bottom to top. A module may import from its own layer and the layers below it.
LAYERS = (
    {"richtext", "items", "stylexml", "state", "collation", "reach"},
    {"events", "textcase", "formatting"},
    {"output"},
    {"locale"},
    {"element"},
    {"numbers", "text", "personname", "groups", "dates", "names"},
    {"sorting"},
    {"sections"},
    {"compile"},
    {"style", "substitute"},
    {"ambiguity", "forms"},
    {"cluster", "disambig"},
    {"processor"},
    {"suite", "__init__"},
)


def _modules() -> dict[str, ast.Module]:
    return {p.stem: ast.parse(p.read_text(encoding="utf-8"), str(p)) for p in sorted(CSL.glob("*.py"))}


def _imported(tree: ast.Module, modules: set[str]) -> set[str]:
    """The csl modules ``tree`` imports (``from bibvault.csl import x`` names x or the package)."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "bibvault.csl":
                for alias in node.names:
                    out.add(alias.name if alias.name in modules else "__init__")
            elif node.module.startswith("bibvault.csl."):
                out.add(node.module.split(".")[2])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("bibvault.csl"):
                    parts = alias.name.split(".")
                    out.add(parts[2] if len(parts) > 2 else "__init__")
    return out


def test_no_import_inside_a_function() -> None:
    found = []
    for name, tree in _modules().items():
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                found += [f"{name}.py:{n.lineno}" for n in ast.walk(fn) if isinstance(n, ast.Import | ast.ImportFrom)]
    assert found == []


def test_import_graph_is_acyclic_and_follows_the_layers() -> None:
    trees = _modules()
    graph = {name: _imported(tree, set(trees)) - {name} for name, tree in trees.items()}
    layer = {m: i for i, group in enumerate(LAYERS) for m in group}
    assert set(layer) == set(graph), "every csl module has its place in LAYERS"
    upward = sorted(f"{a} -> {b}" for a, deps in graph.items() for b in deps if layer[b] > layer[a])
    assert upward == []
    # Depth-first search for a cycle (within a layer too).
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> list[str]:
        state[m] = 1
        for d in sorted(graph[m]):
            if state.get(d) == 1:
                return [*path, m, d]
            if d not in state:
                cycle = visit(d, [*path, m])
                if cycle:
                    return cycle
        state[m] = 2
        return []

    cycles = [c for m in sorted(graph) if m not in state for c in [visit(m, [])] if c]
    assert cycles == []


def test_the_layer_test_sees_a_circle() -> None:
    # The walk above must notice an import in a function and a cycle when there is one.
    tree = ast.parse("def f():\n    from bibvault.csl.processor import Processor\n")
    assert _imported(tree, {"processor"}) == {"processor"}
    assert any(isinstance(n, ast.ImportFrom) for fn in ast.walk(tree) if isinstance(fn, ast.FunctionDef)
               for n in ast.walk(fn))


def _render(style: object, items: list[dict[str, object]], resources: Resources) -> tuple[object, ...]:
    proc = Processor(style, items, locale="en-US", resources=resources)  # type: ignore[arg-type]
    return (proc.bibliography("html"), proc.bibliography("text"),
            [proc.cite([str(i["id"])]) for i in items],
            proc.cite_sequence([[str(items[0]["id"])], [str(items[0]["id"])], [str(items[1]["id"])]]))


@pytest.mark.parametrize("name", ["apa", "chicago-nb"])
def test_one_style_two_processors_two_threads(name: str) -> None:
    style = load_style(name)
    before = pickle.dumps(style)
    corpora = [CORPUS[:24], CORPUS[40:64] + CORPUS[:3]]
    # Single-threaded references, each from a freshly loaded style.
    expected = [_render(load_style(name), c, Resources()) for c in corpora]
    results: list[object] = [None, None]
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def work(k: int) -> None:
        try:
            barrier.wait()
            results[k] = _render(style, corpora[k], Resources())
        except BaseException as exc:  # handed to the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert results == expected
    assert pickle.dumps(style) == before


def test_style_elements_are_frozen() -> None:
    style = load_style("apa")
    assert style.citation is not None
    with pytest.raises(AttributeError):
        style.citation.layout.children[0].formatting = None  # type: ignore[misc]


@pytest.mark.parametrize(("body", "message"), [
    ('<names variable="author"><name et-al-min="three"/></names>', "et-al-min='three'"),
    ('<text macro="nowhere"/>', "macro 'nowhere' is not defined"),
    ('<choose><if type="book" match="some"><text value="x"/></if></choose>', "match='some'"),
    ('<text variable="title" text-case="shouting"/>', "text-case='shouting'"),
    ('<date variable="issued" form="long"/>', "form='long'"),
    ('<label variable="page" plural="sometimes"/>', "plural='sometimes'"),
])
def test_attribute_errors_surface_when_the_style_loads(body: str, message: str) -> None:
    xml = (f'<style xmlns="http://purl.org/net/xbiblio/csl" version="1.0" class="in-text">'
           f'<citation><layout>{body}</layout></citation></style>')
    with pytest.raises(StyleError) as err:
        parse_style(xml, path="odd.csl")
    assert "odd.csl" in str(err.value) and message in str(err.value)
