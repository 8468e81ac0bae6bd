"""The admin's users page: list users and their tokens, add a user with a role and schemes,
issue a new token to an existing user (each token is shown once and never again), revoke a
token by its id, and end every session of a user. Every write answers with a redirect
(post/redirect/get) to this page, which shows what was stored once; a new token travels with
it, sealed, and is kept nowhere."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import Page
from api.web.common import PageGate
from api.web.task_kit import Task
from api.web.user_directory import directory
from capacity.commands import AddUser, IssueToken, RevokeToken
from capacity.signin import SignInService
from projections import listings

router = APIRouter(include_in_schema=False)
ROLES = [("lead", "Scheme lead"), ("finance", "Finance"), ("board", "Board"), ("admin", "Admin")]


def _page(
    task: Task,
    message: str | None,
    errors: dict[str, str],
    values: dict[str, str],
    token: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    codes = listings.scheme_codes(task.read, task.programme)
    found = directory(task.application)
    return task.render(
        "admin_users.html",
        {
            "users": found.users,
            "tokens": found.tokens,
            "names": [(u.name, u.name) for u in found.users],
            "live": [
                (t.id, f"{t.user}: {t.label or 'no label'}, issued {t.issued_at:%d %b %Y}")
                for t in found.tokens
                if not t.revoked
            ],
            "roles": ROLES,
            "codes": codes,
            "message": message,
            "errors": errors,
            "values": values,
            "token": token,
        },
        status,
    )


def _key(values: dict[str, str]) -> str | None:
    return values.get("idempotency_key") or None


@router.get(
    "/admin/users",
    dependencies=[Depends(PageGate("read_users"))],
    response_class=HTMLResponse,
    response_model=None,
)
def users(request: Request, page: Page) -> Response:
    task = Task(page, "add_user", "Users")
    return _page(task, None, {}, {}) if task.allowed else task.forbidden()


@router.post("/admin/users", response_class=HTMLResponse, response_model=None)
async def add_user(request: Request, page: Page) -> Response:
    task = Task(page, "add_user", "Users")
    if not task.allowed:
        return task.forbidden()
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if k != "schemes"}
    schemes = [str(s) for s in form.getlist("schemes")]
    issued: list[str] = []

    def act() -> str:
        receipt, token = task.application.run_command(
            AddUser(
                actor=task.actor,
                name=values.get("name", ""),
                role=values.get("role", ""),
                programme=task.programme,
                schemes=schemes,
            ),
            idempotency_key=_key(values),
        )
        if not receipt.replayed:  # a token is shown once: a repeat issued none
            issued.append(token)
        return task.outcome(receipt, f"Added {values['name']} ({values['role']}).")

    message, errors, status = task.attempt(form, act)
    if message is not None:
        return task.done(message, "/admin/users", token=issued[0] if issued else None)
    if "scheme" in errors:
        errors["schemes"] = errors.pop("scheme")
    return _page(task, message, errors, values, None, status)


@router.post("/admin/tokens", response_class=HTMLResponse, response_model=None)
async def issue_token(request: Request, page: Page) -> Response:
    task = Task(page, "issue_token", "Users")
    if not task.allowed:
        return task.forbidden()
    form = await request.form()
    values = {k: str(v) for k, v in form.items()}
    issued: list[str] = []
    name = values.get("token_user", "")

    def act() -> str:
        receipt, token = task.application.run_command(
            IssueToken(actor=task.actor, name=name, label=values.get("label", "")),
            idempotency_key=_key(values),
        )
        if not receipt.replayed:
            issued.append(token)
        return task.outcome(receipt, f"Issued a new token to {name}.")

    message, errors, status = task.attempt(form, act)
    if message is not None:
        return task.done(message, "/admin/users", token=issued[0] if issued else None)
    if "name" in errors:
        errors["token_user"] = errors.pop("name")
    return _page(task, message, errors, values, None, status)


@router.post("/admin/tokens/revoke", response_class=HTMLResponse, response_model=None)
async def revoke(request: Request, page: Page) -> Response:
    task = Task(page, "revoke_token", "Users")
    if not task.allowed:
        return task.forbidden()
    form = await request.form()
    values = {k: str(v) for k, v in form.items()}

    def act() -> str:
        receipt = task.application.run_command(
            RevokeToken(
                actor=task.actor,
                token=values.get("token_id", ""),
                reason=values.get("revoke_reason", ""),
                by_id=True,
            ),
            idempotency_key=_key(values),
        )
        return task.outcome(receipt, "Token revoked: it no longer signs anyone in.")

    message, errors, status = task.attempt(form, act)
    if message is not None:
        return task.done(message, "/admin/users")
    if "reason" in errors:
        errors["revoke_reason"] = errors.pop("reason")
    return _page(task, message, errors, values, None, status)


@router.post("/admin/users/end-sessions", response_class=HTMLResponse, response_model=None)
async def end_sessions(request: Request, page: Page) -> Response:
    task = Task(page, "end_sessions", "Users")
    if not task.allowed:
        return task.forbidden()
    form = await request.form()
    values = {k: str(v) for k, v in form.items()}
    signin: SignInService = request.app.state.signin

    def act() -> str:
        name, reason = values.get("session_user", ""), values.get("end_reason", "")
        receipt = signin.end_user_sessions(task.actor, name, reason, _key(values))
        return task.outcome(
            receipt, "Every session of that user has ended; their tokens still work."
        )

    message, errors, status = task.attempt(form, act)
    if message is not None:
        return task.done(message, "/admin/users")
    if "name" in errors:
        errors["session_user"] = errors.pop("name")
    return _page(task, message, errors, values, None, status)
