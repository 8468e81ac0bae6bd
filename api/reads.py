"""Which policy row each read decides by: every page and every API read declares its gate on
the route (``PageGate`` for pages, ``Allowed`` for the API), and this module finds it there,
so the read matrix in ``docs/authorisation.md`` is the routes themselves."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from api.deps import Allowed
from api.web.common import PageGate
from capacity.policy import POLICY, Rule

# Open to everyone, signed in or not: health checks and the ways in.
PUBLIC = frozenset(
    {"/healthz", "/readyz", "/metrics", "/login", "/login/oidc", "/login/oidc/callback"}
)
READERS = ("admin", "board", "finance", "lead (own scheme)", "lead (other scheme)", "region")


@dataclass(frozen=True)
class Read:
    path: str
    policy: str | None  # None: public
    page: bool


def _gate(dependant: Dependant) -> str | None:
    for found in dependant.dependencies:
        if isinstance(found.call, Allowed | PageGate):
            return found.call.policy
        inner = _gate(found)
        if inner is not None:
            return inner
    return None


def _walk(routes: Iterable[BaseRoute], prefix: str = "") -> Iterable[tuple[str, APIRoute]]:
    """Every route with its full path, walking the routers the app includes."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            yield from _walk(inner.routes, prefix + str(getattr(context, "prefix", "")))
        elif isinstance(route, APIRoute):
            yield prefix + route.path, route


def reads(routes: Iterable[BaseRoute]) -> list[Read]:
    """Every GET route with the policy row its gate asks (None for the public ones)."""
    found = {
        Read(path, _gate(route.dependant), not path.startswith("/api"))
        for path, route in _walk(routes)
        if "GET" in (route.methods or ())
    }
    return sorted(found, key=lambda r: (not r.page, r.path))


def answer(rule: Rule, reader: str, path: str = "") -> str:
    """What the table says for one reader on one route: region users are bound to their
    region, so a programme's reads are theirs only when the row names them; a lead's
    scheme-scoped row refuses a route naming another lead's scheme."""
    role = reader.split(" ")[0]
    if role == "admin":
        return "yes"
    if role not in rule.roles:
        return "no"
    names_scheme = "{code}" in path or "{scheme}" in path
    if rule.scope in ("scheme", "site") and names_scheme and reader.endswith("(other scheme)"):
        return "no"
    return "yes"


def read_matrix_markdown(routes: Iterable[BaseRoute]) -> str:
    lines = [
        "| read | route | decided by | " + " | ".join(READERS) + " | signed out |",
        "|---|---|---|" + "---|" * (len(READERS) + 1),
    ]
    for read in reads(routes):
        kind = "page" if read.page else "API"
        if read.path in ("/healthz", "/readyz", "/metrics"):
            kind = "health"
        if read.policy is None:
            cells = " | ".join("yes" for _ in READERS) + " | yes"
            lines.append(f"| {kind} | `{read.path}` | public | {cells} |")
            continue
        rule = POLICY[read.policy]
        cells = " | ".join(answer(rule, r, read.path) for r in READERS) + " | no"
        lines.append(f"| {kind} | `{read.path}` | `{read.policy}` | {cells} |")
    return "\n".join(lines) + "\n"
