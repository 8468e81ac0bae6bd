"""The admin's users page: list users and their tokens, add a user with a role and schemes,
issue a new token to an existing user (each token is shown once and never again), revoke a
token by its id, and end every session of a user. Revoking and ending sessions answer with a
redirect (post/redirect/get); a new token is shown on the answer itself, as it is kept nowhere."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.web.task_kit import ADMIN, Task
from api.web.user_directory import directory
from capacity.signin import SignInService

router = APIRouter(include_in_schema=False)
ROLES = [("lead", "Scheme lead"), ("finance", "Finance"), ("board", "Board"), ("admin", "Admin")]
DONE = {
    "revoked": "Token revoked: it no longer signs anyone in.",
    "ended": "Every session of that user has ended; their tokens still work.",
}


def _page(
    task: Task,
    message: str | None,
    errors: dict[str, str],
    values: dict[str, str],
    token: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    codes = task.application.scheme_codes(task.programme)
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


@router.get("/admin/users", response_class=HTMLResponse, response_model=None)
def users(request: Request) -> Response:
    task = Task(request, ADMIN, "Users")
    done = DONE.get(request.query_params.get("done") or "")
    return _page(task, done, {}, {}) if task.allowed else task.forbidden()


@router.post("/admin/users", response_class=HTMLResponse, response_model=None)
async def add_user(request: Request) -> Response:
    task = Task(request, ADMIN, "Users")
    if not task.allowed:
        return task.forbidden()
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if k != "schemes"}
    schemes = [str(s) for s in form.getlist("schemes")]
    issued: list[str] = []

    def act() -> str:
        _, token = task.application.add_user(
            task.actor, values.get("name", ""), values.get("role", ""), task.programme, schemes
        )
        issued.append(token)
        return f"Added {values['name']} ({values['role']})."

    message, errors, status = task.attempt(form, act)
    if "scheme" in errors:
        errors["schemes"] = errors.pop("scheme")
    kept = values if errors else {}
    return _page(task, message, errors, kept, issued[0] if issued else None, status)


@router.post("/admin/tokens", response_class=HTMLResponse, response_model=None)
async def issue_token(request: Request) -> Response:
    task = Task(request, ADMIN, "Users")
    if not task.allowed:
        return task.forbidden()
    form = await request.form()
    values = {k: str(v) for k, v in form.items()}
    issued: list[str] = []
    name = values.get("token_user", "")

    def act() -> str:
        _, token = task.application.issue_token(task.actor, name, values.get("label", ""))
        issued.append(token)
        return f"Issued a new token to {name}."

    message, errors, status = task.attempt(form, act)
    if "name" in errors:
        errors["token_user"] = errors.pop("name")
    return _page(
        task, message, errors, values if errors else {}, issued[0] if issued else None, status
    )


@router.post("/admin/tokens/revoke", response_class=HTMLResponse, response_model=None)
async def revoke(request: Request) -> Response:
    task = Task(request, ADMIN, "Users")
    if not task.allowed:
        return task.forbidden()
    form = await request.form()
    values = {k: str(v) for k, v in form.items()}

    def act() -> str:
        task.application.revoke_token(
            task.actor, values.get("token_id", ""), values.get("revoke_reason", ""), by_id=True
        )
        return DONE["revoked"]

    message, errors, status = task.attempt(form, act)
    if not errors:
        return RedirectResponse("/admin/users?done=revoked", status_code=303)
    if "reason" in errors:
        errors["revoke_reason"] = errors.pop("reason")
    return _page(task, message, errors, values, None, status)


@router.post("/admin/users/end-sessions", response_class=HTMLResponse, response_model=None)
async def end_sessions(request: Request) -> Response:
    task = Task(request, ADMIN, "Users")
    if not task.allowed:
        return task.forbidden()
    form = await request.form()
    values = {k: str(v) for k, v in form.items()}
    signin: SignInService = request.app.state.signin

    def act() -> str:
        name = values.get("session_user", "")
        signin.end_user_sessions(task.actor, name, values.get("end_reason", ""))
        return DONE["ended"]

    message, errors, status = task.attempt(form, act)
    if not errors:
        return RedirectResponse("/admin/users?done=ended", status_code=303)
    if "name" in errors:
        errors["session_user"] = errors.pop("name")
    return _page(task, message, errors, values, None, status)
