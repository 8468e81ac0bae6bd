"""What every page shares: templates, the read gate, rendering and post/redirect/get. The
signed-in user, the programme, the services and the CSRF check are dependencies
(``api/deps.py``), as they are for the JSON API."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from contextlib import suppress
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from api.deps import SignedIn, get_read_model, programme_of
from api.web.session import FLASH, Sessions
from api.wording import MEASURES, cell_words, error_line, field_label, figure, money, words
from capacity.errors import DomainError
from capacity.policy import POLICY, permits, refusal, roles_allowed
from capacity.users import User
from projections.home import month_due
from projections.readmodel import ReadModel
from projections.return_cells import gbp_text
from schemes.months import YearMonth, financial_month_label
from schemes.rules import InputRefused, parse_date, uk_amount

templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
RAG_LABELS = {
    "green": "Green",
    "amber": "Amber",
    "red": "Red",
    "not_due": "Not due",
    "n/a": "n/a",
}
templates.env.globals["rag_labels"] = RAG_LABELS
templates.env.filters["gbp"] = gbp_text
templates.env.filters["words"] = words
templates.env.filters["money"] = money
templates.env.globals["error_line"] = error_line
templates.env.globals["field_label"] = field_label
templates.env.globals["figure"] = figure
templates.env.globals["measures"] = MEASURES
templates.env.filters["cellwords"] = cell_words


def _plain_number(value: Decimal) -> str:
    """An exact decimal as people write it: 160, 9.1, 185.6 (never 1.6E+2)."""
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


templates.env.filters["plain"] = _plain_number


def uk_date(value: date | str | None) -> str:
    """A date as NHS pages write it: 16 Jan 2023."""
    if value is None or value == "":
        return ""
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError:  # what someone typed that is not a date is shown as typed
        return str(value)
    return f"{day.day} {day:%b %Y}"


templates.env.filters["ukdate"] = uk_date


def uk_when(value: str | None) -> str:
    """A moment as pages write it: 16 Jan 2023 10:00 (ISO timestamps stay in the API)."""
    if not value:
        return ""
    text = str(value)
    return f"{uk_date(text)} {text[11:16]}".strip()


templates.env.filters["ukwhen"] = uk_when


def form_date(value: Any) -> str:
    """A stored ISO day as the form's box shows it (16/01/2023); anything else as typed."""
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{day:%d/%m/%Y}"


templates.env.filters["form_date"] = form_date
DATE_FIELDS = frozenset(
    {"date", "received_on", "effective_on", "decided_on", "on", "went_live_on", "as_of"}
)


def uk_form(values: Mapping[str, Any]) -> dict[str, str]:
    """A form's values with UK-typed days (16/01/2023) as ISO and amounts ("£31,250.00") as
    plain decimals, so every form accepts what the uploads accept; anything else is left as
    typed for the field's own check to refuse in words."""
    out: dict[str, str] = {}
    for name, raw in values.items():
        text = str(raw)
        if name in DATE_FIELDS and text.strip():
            with suppress(InputRefused):
                text = parse_date(name, text).isoformat()
        elif name == "amount_gbp" or name.startswith("amount-"):
            text = uk_amount(text)
        out[name] = text
    return out


class PageRefused(Exception):
    """Raised when the policy refuses a page to its reader; answered with a 403 page."""

    def __init__(self, session: tuple[User, str], message: str) -> None:
        super().__init__(message)
        self.session = session
        self.message = message


class PageGate:
    """A page's read gate, declared on its route (``dependencies=[Depends(PageGate(...))]``):
    the signed-in reader must be allowed the policy row, in the programme asked for (or the
    path parameter ``programme_param`` names, e.g. a region's code), on the scheme in the
    path for scheme-scoped rows. ``policy`` names the row, so the read matrix in
    ``docs/authorisation.md`` is generated from the routes themselves."""

    def __init__(self, policy: str, programme_param: str | None = None) -> None:
        self.policy = policy
        self.programme_param = programme_param

    def __call__(self, request: Request, session: SignedIn) -> None:
        user = session.user
        if self.programme_param:
            programme = str(request.path_params.get(self.programme_param))
        else:
            programme = programme_of(request, user)
        scoped = POLICY[self.policy].scope in ("scheme", "site")
        subject = request.path_params.get("code") if scoped else None
        refused = refusal(user.role, user, self.policy, programme, subject)
        if refused is not None:
            rule = POLICY[self.policy]
            why = refused.message
            if user.role not in rule.roles:
                who = " or ".join(roles_allowed(self.policy))
                why = f"only {who} users may open this page"
            raise PageRefused(
                session,
                f"{rule.what}: {why}; you are signed in as {user.name} ({user.role}).",
            )


def render_page(
    request: Request, name: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    user, cookie = context.pop("_session", (None, None))
    sessions: Sessions = request.app.state.sessions
    if user is not None:
        where = context.get("programme") or programme_of(request, user)
        context["may"] = lambda command, programme=where: permits(user, command, programme)
        context["nav"] = _navigation(request, str(where))
    done = _done(request)
    if done and not context.get("message"):
        context["message"] = done.get("message")
        for carried in ("token", "results"):
            if not context.get(carried):
                context[carried] = done.get(carried)
        context["recorded"] = done
    context.setdefault("idem", new_key())
    context.update(
        user=user,
        csrf=sessions.csrf_for(cookie) if cookie else "",
        rag_labels=RAG_LABELS,
        oidc=request.app.state.oidc is not None,
        as_at=getattr(request.state, "as_at", None),
        ready_max_lag=request.app.state.ready_max_lag,
        synthetic=_synthetic(request, context.get("programme")),
    )
    response = templates.TemplateResponse(request, name, context, status_code=status)
    # Back and reload fetch the page again, so they show the state as it is now (never a
    # stale "Not yet submitted" from the browser's cache).
    response.headers["Cache-Control"] = "no-store"
    if done is not None:
        response.delete_cookie(FLASH, path="/")
    return response


def _navigation(request: Request, programme: str) -> dict[str, str]:
    """What the navigation's links carry: the winter the reader chose (``?programme=``), so
    the next page keeps it, and the month whose return is due for that winter."""
    chosen = request.query_params.get("programme")
    query = f"?programme={quote(chosen)}" if chosen else ""
    read = get_read_model(request)
    try:
        due = month_due(read.facts(programme), read.today())
    except DomainError:  # not a programme of this store (a region's code): no month due
        due = None
    return {"query": query, "return": f"/returns/{due}{query}" if due else f"/returns{query}"}


def _done(request: Request) -> dict[str, Any] | None:
    """What the write before this page stored (post/redirect/get), shown once."""
    sessions: Sessions = request.app.state.sessions
    text = sessions.unseal(request.cookies.get(FLASH))
    if text is None:
        return None
    found = json.loads(text)
    return found if isinstance(found, dict) else None


def redirect_done(request: Request, to: str, done: dict[str, Any]) -> RedirectResponse:
    """Answers a successful write with 303 to the page that shows what was stored: reload and
    Back then fetch that page again and never send the write twice."""
    sessions: Sessions = request.app.state.sessions
    response = RedirectResponse(to, status_code=303)
    response.set_cookie(
        FLASH,
        sessions.seal(json.dumps(done)),
        max_age=120,
        path="/",
        httponly=True,
        samesite="lax",
        secure=sessions.secure,
    )
    return response


def new_key() -> str:
    """A fresh one-time key for each rendered form, sent as the write's idempotency key: a
    double-click, a reload of a failed post or Back-and-resubmit stores once."""
    return "web-" + secrets.token_urlsafe(18)


def submitted_note(read: ReadModel, programme: str, month: str) -> str | None:
    """What a change to a month already submitted to NHS England means, or None."""
    try:
        found = read.submissions(programme, month)
        label = financial_month_label(YearMonth.parse(month))
    except (InputRefused, ValueError):
        return None
    if not found:
        return None
    return (
        f"changes the submitted {label} return (revision {found[-1]['revision']}); "
        "it will need a restatement"
    )


def _synthetic(request: Request, programme: Any) -> bool:
    """Whether the page's programme holds the demo's generated figures (marked on every page)."""
    if not isinstance(programme, str) or not programme:
        return False
    read: ReadModel = request.app.state.read_model
    try:
        return read.facts(programme).synthetic
    except (DomainError, InputRefused):
        return False


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
