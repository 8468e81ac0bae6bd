"""Who may do what: one table, enforced by the application service for every channel.

Each command of the application has one row: the roles allowed and the scope it is checked in.
Administrators (and the system's own processes, which have no sign-in) may do everything. A
user bound to a programme acts only in that programme; a lead only on the schemes and sites
assigned; a region user only in their region (the region code stands where a programme
would). The API, the web pages, the command line, uploads and Kafka all reach the same
service, so none can skip a rule. ``docs/authorisation.md`` is this table for readers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from capacity.errors import Forbidden, NotYourScheme
from capacity.users import User

Scope = Literal["global", "programme", "scheme", "site"]
ROLES = ("admin", "board", "finance", "lead", "region")
ALWAYS = frozenset({"admin", "system"})


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    scope: Scope
    what: str  # in the words of the people who use it


def _rule(what: str, scope: Scope, *roles: str) -> Rule:
    return Rule(frozenset(roles), scope, what)


POLICY: dict[str, Rule] = {
    # programme and funding
    "open_programme": _rule("Open a programme", "global"),
    "load_catalogue": _rule("Load a scheme catalogue", "programme"),
    "revise_bed_target": _rule("Revise the bed target", "programme", "board"),
    "revise_allocation": _rule("Revise an allocation", "programme", "finance"),
    "record_funds_received": _rule("Record funds received", "programme", "finance"),
    "record_management_forecast": _rule(
        "Record a management forecast of spend to March", "programme", "finance"
    ),
    "divert_funding": _rule("Divert funding between schemes", "programme", "board"),
    # schemes
    "register_scheme": _rule("Register a scheme", "programme"),
    "approve_scheme": _rule("Approve a scheme", "programme", "board"),
    "set_kpi_target": _rule("Set a KPI target", "programme", "board"),
    "change_planned_start": _rule("Change a planned start", "programme", "board"),
    "mobilise_scheme": _rule("Record a scheme's go-live", "scheme", "lead"),
    "change_beds": _rule("Open or close beds", "scheme", "lead"),
    "change_status": _rule("Pause, resume or close a scheme", "programme", "board"),
    "update_narrative": _rule("Write the month's narrative", "scheme", "lead"),
    # figures
    "report_daily": _rule("Report a day's figures", "scheme", "lead"),
    "correct_daily": _rule("Correct a day's figures", "scheme", "lead"),
    "import_daily": _rule("Import daily figures in bulk", "scheme", "lead"),
    "record_spend": _rule("Record a month's spend", "programme", "finance"),
    "correct_spend": _rule("Correct a month's spend", "programme", "finance"),
    # sites and acute flow
    "register_site": _rule("Register an acute site", "programme"),
    "report_flow": _rule("Report a site's daily flow", "site", "lead"),
    "correct_flow": _rule("Correct a site's daily flow", "site", "lead"),
    "record_reminder": _rule("Record a chase reminder emailed to a lead", "programme"),
    # people
    "add_user": _rule("Add a user", "global"),
    "grant_programme": _rule("Let a user act in another programme too", "global"),
    "issue_token": _rule("Issue an API token", "global"),
    "revoke_token": _rule("Revoke an API token", "global"),
    "end_sessions": _rule("End all of a user's web sessions", "global"),
    "read_sign_ins": _rule("See the sign-in audit (sign-ins, sign-outs, failures)", "global"),
    # reads: every page and API read asks one of these rows too
    "read_programme": _rule(
        "See the programme, its schemes and how the target is built",
        "programme",
        "board",
        "finance",
        "lead",
    ),
    "read_dashboard": _rule(
        "See the dashboard, delivery and how each figure was worked out",
        "programme",
        "board",
        "finance",
        "lead",
    ),
    "read_history": _rule(
        "See a scheme's figures and history", "programme", "board", "finance", "lead"
    ),
    "read_users": _rule("See the users and their tokens", "global"),
    # monthly returns
    "read_return": _rule(
        "See the monthly return and its submissions", "programme", "finance", "board"
    ),
    "submit_return": _rule("Submit or restate the monthly return", "programme", "finance"),
    "sign_off_return": _rule("Sign off the monthly return", "programme", "finance"),
    # the board's monthly paper: prepared by the board's secretariat or finance, signed off
    # with the return's sign-off permission
    "read_board_paper": _rule("See the board's monthly papers", "programme", "board", "finance"),
    "prepare_board_paper": _rule(
        "Prepare the board's monthly paper", "programme", "board", "finance"
    ),
    "sign_off_board_paper": _rule("Sign off the board's monthly paper", "programme", "finance"),
    # audit
    "read_event_log": _rule("Read the whole event log", "global"),
    # the region (its own instance): the returns its ICBs send
    "receive_return": _rule("Record a return an ICB sent to the region", "global"),
    "read_region": _rule(
        "See the region's ICBs, submission tracker, artefacts and roll-up", "programme", "region"
    ),
}


def _roles_needed(rule: Rule) -> str:
    return " or ".join(sorted(rule.roles)) or "admin"


def _programmes(user: User) -> list[str]:
    """The programmes a bound user acts in (``programmes`` is missing on older snapshots)."""
    return list(getattr(user, "programmes", None) or [user.programme])


def refusal(
    role: str, user: User | None, command: str, programme: str | None, subject: str | None
) -> Forbidden | None:
    """Why ``command`` is refused to this role and user, or None when it is allowed.

    ``user`` is the stored user (None for the system's own processes); ``subject`` is the
    scheme or site code for scheme- and site-scoped commands."""
    rule = POLICY.get(command)
    if rule is None:
        return Forbidden(f"'{command}' is not in the authorisation policy")
    if role in ALWAYS:
        return None
    if role not in rule.roles:
        return Forbidden(f"role {role} may not do this (needs {_roles_needed(rule)})")
    if user is None:
        return Forbidden(f"role {role} may not do this without a known user")
    bound = user.programme is not None and programme not in _programmes(user)
    if rule.scope != "global" and programme is not None and bound:
        return NotYourScheme(
            f"user {user.name} may not act in programme {programme}", field="programme"
        )
    if rule.scope in ("scheme", "site") and subject is not None and subject not in user.schemes:
        field = "scheme_code" if rule.scope == "scheme" else "ods_code"
        return NotYourScheme(
            f"user {user.name} may not write to {rule.scope} {subject}", field=field
        )
    return None


def permits(
    user: User, command: str, programme: str | None = None, subject: str | None = None
) -> bool:
    """Whether a page should offer ``command`` to this user."""
    return refusal(user.role, user, command, programme, subject) is None


def roles_allowed(command: str) -> list[str]:
    """The roles that may do ``command``, as a refusal page names them (an administrator may
    do everything)."""
    return [*sorted(POLICY[command].roles), "admin"]


def is_read(command: str) -> bool:
    return command.startswith("read_")


def matrix() -> list[tuple[str, str, dict[str, str]]]:
    """(command, what, {role: answer}) rows for the readable matrix."""
    rows = []
    for command, rule in POLICY.items():
        answers = {}
        for role in ROLES:
            if role == "admin" or role in rule.roles:
                scoped = {"scheme": "own schemes", "site": "own sites"}.get(rule.scope)
                answers[role] = f"yes ({scoped})" if scoped and role == "lead" else "yes"
            else:
                answers[role] = "no"
        rows.append((command, rule.what, answers))
    return rows


def matrix_markdown() -> str:
    lines = [
        "| what | command | " + " | ".join(ROLES) + " |",
        "|---|---|" + "---|" * len(ROLES),
    ]
    for command, what, answers in matrix():
        cells = " | ".join(answers[r] for r in ROLES)
        lines.append(f"| {what} | `{command}` | {cells} |")
    return "\n".join(lines) + "\n"
