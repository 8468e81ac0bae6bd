"""The layers' arrows point inward, and ARCHITECTURE.md names only real files and every route
and command.

Layers from the bottom: ``schemes`` (rules and the catalogue) < ``capacity`` (domain and the
application service) < ``projections`` (the read side) < ``api`` (HTTP and pages) <
``wintertrack`` (wiring, command line, Kafka edge). A module may import its own layer and those
below it, never one above.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from typer.main import get_command

from tests.support.api_world import api_world
from wintertrack.cli import app as cli

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ["schemes", "capacity", "projections", "api", "wintertrack"]
# What the domain never touches: transports, storage drivers, presentation.
NOT_IN_DOMAIN = {
    "fastapi",
    "starlette",
    "kafka",
    "pandas",
    "jinja2",
    "openpyxl",
    "matplotlib",
    "psycopg",
    "httpx",
    "authlib",
    "uvicorn",
    "typer",
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def modules() -> list[tuple[str, Path]]:
    return [(layer, path) for layer in LAYERS for path in sorted((ROOT / layer).rglob("*.py"))]


def test_every_import_points_down_the_layers() -> None:
    wrong = []
    for layer, path in modules():
        for name in imports_of(path):
            top = name.split(".")[0]
            if top in LAYERS and LAYERS.index(top) > LAYERS.index(layer):
                wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert wrong == []


def test_the_domain_imports_no_transport_storage_or_presentation() -> None:
    wrong = []
    for layer, path in modules():
        if layer not in ("schemes", "capacity"):
            continue
        for name in imports_of(path):
            if name.split(".")[0] in NOT_IN_DOMAIN:
                wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert wrong == []


def private_imports_of(path: Path) -> list[str]:
    """Underscore names a module takes from another (``from m import _name``); dunder names
    such as ``__version__`` are public."""
    tree = ast.parse(path.read_text(), str(path))
    return [
        f"{node.module}.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module != "__future__"
        for alias in node.names
        if alias.name.startswith("_")
        and not (alias.name.startswith("__") and alias.name.endswith("__"))
    ]


def test_no_module_imports_another_modules_private_names() -> None:
    """A helper two modules share is public; an underscore name is its own module's business."""
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for _, path in modules()
        for name in private_imports_of(path)
    ]
    assert wrong == [], "make the shared helper public, or keep it in its module"


def test_a_private_import_is_found(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text(
        "from __future__ import annotations\nfrom api.web.common import _page, templates\n"
        "from capacity import __version__\n"
    )
    assert private_imports_of(source) == ["api.web.common._page"]


def test_no_module_is_over_about_three_hundred_lines() -> None:
    long = [
        f"{path.relative_to(ROOT)}: {n}"
        for _, path in modules()
        if (n := len(path.read_text().splitlines())) > 350
    ]
    assert long == []


ARCHITECTURE = (ROOT / "ARCHITECTURE.md").read_text()


def test_every_path_in_architecture_md_is_real() -> None:
    paths = set(
        re.findall(
            r"`((?:capacity|schemes|projections|api|wintertrack|docs|tests|bench)"
            r"/[\w./-]+)`",
            ARCHITECTURE,
        )
    )
    assert len(paths) > 40
    missing = sorted(p for p in paths if not (ROOT / p).exists())
    assert missing == []


def _page_paths(routes: list[object], prefix: str = "") -> set[str]:
    """Every route's path, walking the routers the app includes."""
    found: set[str] = set()
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            found |= _page_paths(inner.routes, prefix + str(getattr(context, "prefix", "")))
        elif getattr(route, "include_in_schema", True) is False:
            found.add(prefix + str(route.path))  # type: ignore[attr-defined]
    return {p for p in found if not p.startswith(("/openapi", "/docs", "/redoc"))}


def test_every_route_and_command_is_in_architecture_md() -> None:
    world = api_world()
    routes = set(world.client.get("/openapi.json").json()["paths"])
    # ... and the pages, which are left out of the OpenAPI document.
    routes |= _page_paths(world.client.app.routes)  # type: ignore[attr-defined]
    missing = sorted(r for r in routes if f"`{r}`" not in ARCHITECTURE)
    assert missing == [], "add the route to ARCHITECTURE.md"
    group = get_command(cli)
    names = set()
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        sub = getattr(command, "commands", None)
        names |= {f"{name} {s}" for s in sub} if sub else {name}
    missing = sorted(n for n in names if f"`wintertrack {n}" not in ARCHITECTURE)
    assert missing == [], "add the command to ARCHITECTURE.md"


def test_every_flow_count_has_a_label_on_the_entry_form() -> None:
    from capacity.flow_figures import COUNTS, form_cells

    named = dict(form_cells())
    assert set(COUNTS) <= set(named)
    assert all(named.values())
