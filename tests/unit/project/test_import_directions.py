"""Imports point down (actions/desk/site/ops/rasa -> dialogue -> services -> db/nlu ->
config), no two of our modules import each other, even through others, the bot/ root
holds packages only, dialogue rules never import Rasa and config imports nothing of
ours. Read with `ast`: nothing is imported to check it."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.environment import ROOT

PACKAGES = ("bot", "actions", "bench")
LOWER_LAYERS = ("bot.services", "bot.nlu", "bot.db")
UPPER_MODULES = ("bot.desk", "bot.site", "bot.ops.demo_data", "bot.ops.cli", "actions")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    }


def _imported_names(path: Path) -> list[str]:
    """Every module name `path` imports, anywhere in it (a lazy import is one too)."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """Our modules that `path` imports, anywhere in it (a lazy import is a dependency too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        for name in names:
            # the longest prefix that is one of our modules ("bot.services.x.Y" -> bot.services.x)
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name.split(".")[0] in PACKAGES:
                found.add(name)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, modules) - {name} for name, path in modules.items()}


def _within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def test_lower_layers_never_import_upper_ones() -> None:
    wrong = sorted(
        f"{module} imports {imported}"
        for module, imported_set in _graph().items()
        if _within(module, LOWER_LAYERS)
        for imported in imported_set
        if _within(imported, UPPER_MODULES)
    )
    assert wrong == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_there_are_no_import_cycles() -> None:
    assert _cycles(_graph()) == []


def test_the_checker_sees_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_every_module_the_nlu_pipeline_runs_is_a_model_input() -> None:
    """Changing the code a trained model runs makes the model stale (make train)."""
    from bot.ops.cli import MODEL_INPUTS

    graph, seen, todo = _graph(), set(), ["bot.nlu.components"]
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo += graph.get(module, ())
    files = [_modules()[name].relative_to(ROOT) for name in seen]
    # settings only gives the three language codes, which change nothing trained alone
    outside = [
        str(path)
        for path in files
        if not any(path.is_relative_to(name) for name in MODEL_INPUTS)
        and path != Path("bot/config/settings.py")
    ]
    assert outside == []


def test_the_bot_root_holds_packages_only() -> None:
    loose = sorted(
        path.name
        for path in (ROOT / "bot").glob("*.py")
        if path.name not in ("__init__.py", "__main__.py")
    )
    assert loose == []


def test_dialogue_rules_never_import_rasa() -> None:
    wrong = sorted(
        f"{name} imports {imported}"
        for name, path in _modules().items()
        if _within(name, ("bot.dialogue",))
        for imported in _imported_names(path)
        if imported.split(".")[0] in ("rasa", "rasa_sdk", "sanic")
    )
    assert wrong == []


def test_config_imports_nothing_of_ours_but_config() -> None:
    wrong = sorted(
        f"{module} imports {imported}"
        for module, imported_set in _graph().items()
        if _within(module, ("bot.config",))
        for imported in imported_set
        if not _within(imported, ("bot.config",))
    )
    assert wrong == []
