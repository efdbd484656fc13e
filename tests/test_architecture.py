"""The house rules of docs/architecture.md, checked on the source so they cannot drift."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "comptoir"
PYPROJECT = PACKAGE.parent / "pyproject.toml"
UI_APPS = {"desk", "portal", "api", "console"}
# Layers, top to bottom: an app imports only apps of lower layers, never another of its own layer
# (UI apps included: what two of them share goes down to a domain app or common). The same order
# is the import-linter "layers" contract in pyproject.toml (`lint-imports`), checked below.
LAYER = {
    "desk": 8, "portal": 8, "api": 8, "console": 8,
    "channels": 7,
    "intake": 6,
    "insights": 5, "incidents": 5,
    "triage": 4, "assignment": 4, "macros": 4, "worklists": 4,
    "notifications": 4, "search": 4, "voice": 4, "surveys": 4,
    "tickets": 3, "knowledge": 3,
    "accounts": 2, "outbox": 2,
    "routing": 1, "customers": 1, "sla": 1,
    "common": 0, "nlp": 0,
}  # fmt: skip
# The project's composition root, above every app: settings, URLs, the WSGI/ASGI entry points.
ROOT_MODULES = {"__init__", "__main__", "cli", "urls", "asgi", "wsgi", "settings"}
NOT_CODE = {"locale", "static", "templates"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(path: Path, node: ast.ImportFrom) -> str:
    """The absolute module of ``from <node.module> import ...``, relative imports resolved."""
    if node.level == 0:
        return node.module or ""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(path: Path, source: str | None = None) -> list[str]:
    """Every module or name imported by ``path`` (or by ``source`` as if it were there), as
    absolute dotted names. ``from comptoir import tickets`` and ``from ..tickets import services``
    count as imports of ``comptoir.tickets`` and ``comptoir.tickets.services``: a relative import
    is no way around."""
    tree = ast.parse(path.read_text() if source is None else source, filename=str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = _absolute(path, node)
            names.append(module)
            names += [f"{module}.{alias.name}" for alias in node.names if alias.name != "*"]
        elif isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
    return names


def _sources(app: str) -> list[Path]:
    return [p for p in (PACKAGE / app).rglob("*.py") if "migrations" not in p.parts]


def _app_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "comptoir" else None


def test_every_app_has_a_layer():
    """An app missing from LAYER would escape every check above: each package and each
    installed comptoir app must be placed, and nothing else may sit beside them."""
    from django.apps import apps

    installed = {c.name.split(".")[1] for c in apps.get_app_configs() if c.name.startswith("comptoir.")}
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    other = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert installed - set(LAYER) == set()
    assert packages - set(LAYER) == set()
    assert modules - ROOT_MODULES == set()
    assert other - packages - NOT_CODE == set()
    assert set(LAYER) - packages == set()  # no stale entry either


def test_import_linter_contract_matches_the_layers():
    """pyproject.toml's layers contract (run by `lint-imports` in scripts/test.sh) places every app
    exactly as LAYER does, with the composition root on top and siblings independent."""
    config = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]
    assert config["root_package"] == "comptoir"
    contract = next(c for c in config["contracts"] if c.get("id") == "layers")
    assert contract["type"] == "layers" and contract["containers"] == ["comptoir"]
    assert contract.get("exhaustive") is True
    assert set(contract.get("exhaustive_ignores", [])) <= NOT_CODE
    layers = [re.split(r"\s*[|:]\s*", layer.strip()) for layer in contract["layers"]]
    assert set(layers[0]) == ROOT_MODULES - {"__init__"}
    for layer in contract["layers"][1:]:
        assert ":" not in layer, f"apps of one layer must be independent (|): {layer}"
    placed = {app: len(layers) - 1 - i for i, layer in enumerate(layers[1:], start=1) for app in layer}
    assert placed.keys() == LAYER.keys()
    # Same order: LAYER numbers may skip (2 before 1), the contract's ranks do not.
    assert sorted(LAYER, key=lambda a: (LAYER[a], a)) == sorted(placed, key=lambda a: (placed[a], a))
    assert all((LAYER[a] > LAYER[b]) == (placed[a] > placed[b]) for a in LAYER for b in LAYER)


def test_imports_point_one_way():
    wrong = []
    for app, level in LAYER.items():
        for path in _sources(app):
            for name in _imports(path):
                target = _app_of(name)
                if target is None:
                    continue
                if target in ROOT_MODULES:
                    wrong.append(f"{path.relative_to(PACKAGE)} imports {name} (the composition root)")
                elif target in LAYER and target != app and LAYER[target] >= level:
                    wrong.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert wrong == []


def test_relative_imports_are_resolved():
    """The check above sees through ``from ..tickets import x`` (it once read absolute imports only)."""
    module = PACKAGE / "assignment" / "probe.py"  # never written: only its place in the tree counts
    assert _imports(module, "from ..tickets import services\n") == [
        "comptoir.tickets", "comptoir.tickets.services",
    ]  # fmt: skip
    assert _imports(module, "from .. import tickets\n") == ["comptoir", "comptoir.tickets"]
    assert _imports(module, "from . import models\n") == ["comptoir.assignment", "comptoir.assignment.models"]
    init = PACKAGE / "assignment" / "__init__.py"
    assert _imports(init, "from .services import a\n") == [
        "comptoir.assignment.services", "comptoir.assignment.services.a",
    ]  # fmt: skip


def _is_private(part: str) -> bool:
    return part.startswith("_") and not (part.startswith("__") and part.endswith("__"))


def _is_module(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _private_uses(path: Path, source: str | None = None) -> list[str]:
    """Private names of another app that ``path`` (or ``source`` as if there) uses: ``from x
    import _y``, ``x._y`` on an imported module, a private module (``comptoir.tickets._z``),
    relative or absolute."""
    app = _app_of(_module_name(path))
    tree = ast.parse(path.read_text() if source is None else source, filename=str(path))
    found, modules = [], {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = _absolute(path, node)
            for alias in node.names:
                full = f"{module}.{alias.name}"
                if _app_of(full) not in (None, app):
                    found += [full] if any(_is_private(p) for p in full.split(".")[2:]) else []
                    if _is_module(full):
                        modules[alias.asname or alias.name] = full
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if _app_of(alias.name) not in (None, app):
                    found += [alias.name] if any(_is_private(p) for p in alias.name.split(".")[2:]) else []
                    if alias.asname:
                        modules[alias.asname] = alias.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _is_private(node.attr):
            chain, value = [node.attr], node.value
            while isinstance(value, ast.Attribute):
                chain.insert(0, value.attr)
                value = value.value
            if isinstance(value, ast.Name) and value.id in {*modules, "comptoir"}:
                full = ".".join([modules.get(value.id, "comptoir"), *chain])
                found += [full] if _app_of(full) not in (None, app) else []
    return found


def test_no_private_names_across_apps():
    """What starts with ``_`` is an app's own business: another app goes through its public
    services and selectors (issue 9)."""
    used = [
        f"{path.relative_to(PACKAGE)} uses {name}"
        for app in LAYER
        for path in _sources(app)
        for name in _private_uses(path)
    ]
    assert used == []


def test_private_names_check_sees_every_form():
    """The check above catches absolute, relative, aliased and attribute uses, and allows an
    app's own private names."""
    cases = {
        "from comptoir.tickets.services import _set_fields\n": ["comptoir.tickets.services._set_fields"],
        "from ..tickets.services import _set_fields\n": ["comptoir.tickets.services._set_fields"],
        "from ..tickets import services as s\ns._set_fields()\n": ["comptoir.tickets.services._set_fields"],
        "import comptoir.tickets.services as s\ns._set_fields()\n": ["comptoir.tickets.services._set_fields"],
        "import comptoir.tickets.services\ncomptoir.tickets.services._set_fields()\n": [
            "comptoir.tickets.services._set_fields"
        ],
        "from comptoir.tickets._hidden import f\n": ["comptoir.tickets._hidden.f"],
        "from .services import _own\nfrom comptoir.assignment.services import _own\n": [],
        "from comptoir.tickets.models import Ticket\nTicket._meta\n": [],
        "from comptoir.tickets.services import ticket_update as _alias\n": [],
    }
    module = PACKAGE / "assignment" / "probe.py"  # never written: only its place in the tree counts
    for code, expected in cases.items():
        assert _private_uses(module, code) == expected, code


def test_ui_apps_never_query_the_orm_directly():
    offenders = [
        str(path.relative_to(PACKAGE))
        for app in ("desk", "portal", "api")
        for path in _sources(app)
        if ".objects." in path.read_text()
    ]
    assert offenders == []


def test_nlp_is_plain_python():
    """Models stay usable (and testable) outside Django: no django, no other comptoir app."""
    offenders = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in _sources("nlp")
        for name in _imports(path)
        if name.split(".")[0] == "django"
        or (name.startswith("comptoir.") and not name.startswith("comptoir.nlp"))
    ]
    assert _sources("nlp") and offenders == []
