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
from dataclasses import is_dataclass
from pathlib import Path
from typing import get_args, get_origin

from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
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


def test_no_test_imports_a_private_name() -> None:
    """Tests go through what a module offers, so a refactor inside it breaks no test."""
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        for name in private_imports_of(path)
    ]
    assert wrong == [], "test the public behaviour, or make the helper public"


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


# SQL lives behind query modules, as the event store keeps its SQL inside its recorders: the
# read side's queries (one module per group of views), the projector's writes (one per group),
# the view tables and their connection, and the recorders of the tables each edge keeps itself.
QUERY_MODULES = (
    "projections/queries/",  # reads, one module per group of views
    "projections/views/",  # the projector's writes, one module per group of views
    "projections/schema.py",  # the view tables and their indexes
    "projections/db.py",  # the views' connection: journal, cache, schema lock
    "projections/projector.py",  # the projector's tracking position
    "projections/checkpoints.py",  # the log digest's running head and checkpoints
    "wintertrack/recorders.py",  # the event store's recorders, subclasses of the library's
    "wintertrack/store/engines.py",  # counting, copying and emptying a whole event store
    "wintertrack/streams/relay.py",  # the relay's published position
    "wintertrack/streams/ingest.py",  # the ingest consumers' status and dead-letter counts
)
SQL = re.compile(
    r"\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|WITH|DROP|ALTER|PRAGMA|BEGIN|REPLACE|VACUUM)\s"
)


def sql_strings(source: str) -> list[int]:
    """The lines of string literals (f-strings too) that start as an SQL statement does."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.JoinedStr) and node.values:
            node = node.values[0]
        is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
        if is_text and SQL.match(node.value + " "):  # type: ignore[attr-defined]
            found.add(node.lineno)
    return sorted(found)


def test_sql_is_recognised_in_plain_and_formatted_strings() -> None:
    source = 'a = "SELECT 1 FROM t"\nb = f"""\n  UPDATE {t} SET x = 1"""\nc = "Update the page"\n'
    assert sql_strings(source) == [1, 2]


def test_sql_lives_only_in_the_query_modules() -> None:
    wrong = [
        f"{name}:{line}"
        for _, path in modules()
        if not (name := str(path.relative_to(ROOT))).startswith(QUERY_MODULES)
        for line in sql_strings(path.read_text())
    ]
    assert wrong == [], "move the query into a module of projections/queries/"


# Pages and routes display what the read side says; the write model's aggregates are for
# commands. The only reads of an aggregate left in api/ give a correction the figures it starts
# from (the command's own input, read as the service will check it, not a display).
COMMAND_INPUTS = {
    ("api/web/lead.py", "_stored_day"),
    ("api/web/lead_kpis.py", "store"),
    ("api/web/site_flow.py", "_stored"),
}


def write_model_reads(source: str, getters: set[str]) -> list[tuple[str, int]]:
    """(innermost enclosing function, line) of each call of an application getter, or of
    ``application.repository.get``."""
    found: set[tuple[str, int]] = set()

    def visit(node: ast.AST, function: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = ast.unparse(node.func.value)
            if (node.func.attr in getters and "application" in receiver) or (
                node.func.attr == "get" and receiver.endswith("application.repository")
            ):
                found.add((function, node.lineno))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(ast.parse(source), "")
    return sorted(found)


def application_getters() -> set[str]:
    from capacity.application import WinterApplication

    names = {n for n in dir(WinterApplication) if n.startswith("get_")}
    return names | {"scheme_codes"}


def test_a_getter_call_is_recognised() -> None:
    source = (
        "def page(task):\n"
        "    def inner():\n"
        "        return task.application.repository.get(1)\n"
        "    return task.application.get_scheme('p', 'c').name\n"
    )
    assert write_model_reads(source, application_getters()) == [("inner", 3), ("page", 4)]


def test_pages_and_routes_display_the_read_side_not_the_write_model() -> None:
    getters = application_getters()
    wrong = [
        f"{name}:{line} ({function})"
        for _, path in modules()
        if (name := str(path.relative_to(ROOT))).startswith("api/")
        for function, line in write_model_reads(path.read_text(), getters)
        if (name, function) not in COMMAND_INPUTS
    ]
    assert wrong == [], "read it from the read side (projections/listings.py, the ReadModel)"


def _api_routes(routes: list[object]) -> list[APIRoute]:
    """Every API route, walking the routers the app includes (pages are left out of the
    OpenAPI document, and so out of this list)."""
    found: list[APIRoute] = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            found += _api_routes(inner.routes)
        elif isinstance(route, APIRoute) and route.include_in_schema:
            found.append(route)
    return found


def _declared(model: object) -> bool:
    """A type with named fields (a pydantic model or a dataclass), or a list of them: not
    ``dict[str, Any]``, and not nothing."""
    if get_origin(model) is list:
        (model,) = get_args(model)
    return isinstance(model, type) and (issubclass(model, BaseModel) or is_dataclass(model))


def test_every_json_route_declares_its_response_model() -> None:
    app = api_world().client.app  # type: ignore[attr-defined]
    routes = _api_routes(app.routes)
    answered_in_json = [
        r
        for r in routes
        if issubclass(getattr(r.response_class, "value", r.response_class), JSONResponse)
    ]
    assert len(answered_in_json) > 40 and len(routes) - len(answered_in_json) >= 3
    bare = sorted(
        f"{sorted(r.methods)[0]} {r.path}"
        for r in answered_in_json
        if not _declared(r.response_model)
    )
    assert bare == [], "declare a response_model (api/responses.py) or answer with a file"
