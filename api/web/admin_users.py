"""The admin's users page: list users, add one with a role and schemes (its first token is
shown once and never again), and revoke a token."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from api.web.common import PageGate
from api.web.task_kit import Task
from api.web.user_directory import list_users

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
    codes = task.application.scheme_codes(task.programme)
    return task.render(
        "admin_users.html",
        {
            "users": list_users(task.application),
            "roles": ROLES,
            "codes": codes,
            "message": message,
            "errors": errors,
            "values": values,
            "token": token,
        },
        status,
    )


@router.get(
    "/admin/users",
    dependencies=[Depends(PageGate("read_users"))],
    response_class=HTMLResponse,
    response_model=None,
)
def users(request: Request) -> Response:
    task = Task(request, "add_user", "Users")
    return _page(task, None, {}, {}) if task.allowed else task.forbidden()


@router.post("/admin/users", response_class=HTMLResponse, response_model=None)
async def add_user(request: Request) -> Response:
    task = Task(request, "add_user", "Users")
    if not task.allowed:
        return task.forbidden()
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if k != "schemes"}
    schemes = [str(s) for s in form.getlist("schemes")]
    issued: list[str] = []

    def act() -> str:
        receipt, token = task.application.add_user(
            task.actor,
            values.get("name", ""),
            values.get("role", ""),
            task.programme,
            schemes,
            idempotency_key=values.get("idempotency_key") or None,
        )
        if not receipt.replayed:  # a token is shown once: a repeat issued none
            issued.append(token)
        return task.outcome(receipt, f"Added {values['name']} ({values['role']}).")

    message, errors, status = task.attempt(form, act)
    if message is not None:
        return task.done(message, token=issued[0] if issued else None)
    if "scheme" in errors:
        errors["schemes"] = errors.pop("scheme")
    kept = values if errors else {}
    return _page(task, message, errors, kept, issued[0] if issued else None, status)


@router.post("/admin/tokens/revoke", response_class=HTMLResponse, response_model=None)
async def revoke(request: Request) -> Response:
    task = Task(request, "add_user", "Users")
    if not task.allowed:
        return task.forbidden()
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if k != "token"}
    token = str(form.get("token") or "").strip()

    def act() -> str:
        receipt = task.application.revoke_token(
            task.actor,
            token,
            values.get("revoke_reason", ""),
            idempotency_key=values.get("idempotency_key") or None,
        )
        return task.outcome(receipt, "Token revoked: it no longer signs anyone in.")

    message, errors, status = task.attempt(form, act)
    if message is not None:
        return task.done(message, "/admin/users")
    if "form" in errors:
        errors["token"] = errors.pop("form")
    return _page(task, message, errors, values if errors else {}, None, status)
