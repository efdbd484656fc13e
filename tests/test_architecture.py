"""The house rules of docs/architecture.md, checked on the source so they cannot drift."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "comptoir"
UI_APPS = {"desk", "portal", "api", "console"}
# Layers, top to bottom: an app imports only apps of lower layers (UI apps may share helpers).
LAYER = {
    "desk": 7, "portal": 7, "api": 7, "console": 7,
    "channels": 6,
    "intake": 5,
    "triage": 4, "assignment": 4,
    "tickets": 3,
    "accounts": 2, "outbox": 2,
    "routing": 1, "customers": 1, "sla": 1,
    "common": 0, "nlp": 0,
}  # fmt: skip


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
    return names


def _sources(app: str) -> list[Path]:
    return [p for p in (PACKAGE / app).rglob("*.py") if "migrations" not in p.parts]


def test_imports_point_one_way():
    wrong = []
    for app, level in LAYER.items():
        for path in _sources(app):
            for name in _imports(path):
                parts = name.split(".")
                if parts[0] != "comptoir" or len(parts) < 2 or parts[1] not in LAYER:
                    continue
                target = parts[1]
                if target != app and LAYER[target] >= level and not (app in UI_APPS and target in UI_APPS):
                    wrong.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert wrong == []


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
