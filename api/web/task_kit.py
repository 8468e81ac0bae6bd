"""What every task page shares: the role gate, CSRF, idempotency keys and field-level
refusals, over what the route's dependencies hand it (``api/deps.py``: ``Page``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import PageContext, Session
from api.observe import actor as web_actor
from api.web.common import new_key, redirect_done, render_page
from api.wording import plain_reason
from capacity.application import Receipt, WinterApplication
from capacity.errors import DomainError
from capacity.policy import permits, roles_allowed
from capacity.values import Actor
from schemes.rules import InputRefused

LONDON = ZoneInfo("Europe/London")

__all__ = ["Session", "Task", "history_of", "new_key", "refusal", "replayed"]


def replayed(application: WinterApplication, receipt: Receipt) -> str | None:
    """ "Already recorded at 10:42 on 16 Jan 2023 by finance" for a replayed receipt."""
    if not receipt.replayed:
        return None
    when, who = application.recorded(receipt.position)
    if when is not None:
        when = when.astimezone(LONDON)
    at = f" at {when:%H:%M} on {when.day} {when:%b %Y}" if when else ""
    by = f" by {who}" if who else ""
    return f"Already recorded{at}{by}: this form was sent before, so nothing new was stored."


def history_of(task: Task, scheme: str) -> str:
    """Where a scheme's change can be seen in its history."""
    return f"/schemes/{quote(scheme)}/history?programme={quote(task.programme)}"


def refusal(error: InputRefused | DomainError) -> tuple[str, str]:
    """The form field a refusal names (the first part of a dotted path), and its message."""
    if isinstance(error, InputRefused):
        return error.field.split(".")[0], plain_reason(error.reason)
    return (error.field or "form").split(".")[0], plain_reason(error.message)


class Task:
    """One signed-in request to a task page, for the policy row (``capacity/policy.py``)
    that decides who may do the task."""

    def __init__(
        self, page: PageContext, policy: str, title: str, subject: str | None = None
    ) -> None:
        self.request = page.request
        self.session: Session = page.session
        self.user = page.session.user
        self.policy = policy
        self.title = title
        self.programme = page.programme
        self.subject = subject
        self.application = page.application
        self.read = page.read
        self.csrf = page.csrf

    @property
    def allowed(self) -> bool:
        return permits(self.user, self.policy, self.programme, self.subject)

    @property
    def roles(self) -> list[str]:
        return roles_allowed(self.policy)

    @property
    def actor(self) -> Actor:
        return web_actor(self.user.name, self.user.role, "web")

    def forbidden(self) -> HTMLResponse:
        """A clear refusal page: nothing is stored, and the page says who may do the task."""
        who = " or ".join(self.roles)
        return render_page(
            self.request,
            "task_forbidden.html",
            {
                "_session": self.session,
                "error": f"{self.title}: only {who} users may do this; you are signed in as "
                f"{self.user.name} ({self.user.role}). Nothing was stored.",
            },
            403,
        )

    def outcome(self, receipt: Receipt, message: str) -> str:
        """What a write says: the message, or, when this rendered form was sent before, when
        and by whom it was first recorded (nothing new was stored)."""
        return replayed(self.application, receipt) or message

    def done(self, message: str, to: str | None = None, **more: Any) -> RedirectResponse:
        """Post/redirect/get: 303 to the page that shows what was stored (by default the
        form's own page, in the same programme)."""
        where = to or f"{self.request.url.path}?programme={quote(self.programme)}"
        return redirect_done(self.request, where, {"message": message, **more})

    def check_csrf(self, form: Any) -> None:
        self.csrf(form)

    def render(self, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
        context.setdefault("errors", {})
        context.setdefault("values", {})
        context.setdefault("message", None)
        context.setdefault("idem", new_key())
        context.update(_session=self.session, programme=self.programme, title=self.title)
        return render_page(self.request, name, context, status)

    def attempt(
        self, form: Any, action: Callable[[], str]
    ) -> tuple[str | None, dict[str, str], int]:
        """Runs one write after the CSRF check: (message, field errors, HTTP status)."""
        try:
            self.check_csrf(form)
            return action(), {}, 200
        except InputRefused as error:
            field, reason = refusal(error)
            return None, {field: reason}, 422
        except DomainError as error:
            field, reason = refusal(error)
            return None, {field: reason}, 403 if "may not" in reason else 409
