"""The authorisation policy, tried on every channel: command x role x channel, generated from
the policy table. Every refusal must leave the event log exactly as it was.

Channels: the application service itself (what the CLI, imports and Kafka ingest call), the
JSON API, and the web pages for the commands a page offers. A command of the application with no
row in the policy table, or a row with no way to try it here, fails the suite.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from capacity.application import WinterApplication
from capacity.board_papers import Cover
from capacity.commands import (
    COMMANDS,
    AddUser,
    ApproveScheme,
    ChangeBeds,
    ChangePlannedStart,
    ChangeStatus,
    CorrectDaily,
    CorrectFlow,
    CorrectSpend,
    DivertFunding,
    GrantProgramme,
    ImportDaily,
    IssueToken,
    LoadCatalogue,
    MobiliseScheme,
    OpenProgramme,
    PrepareBoardPaper,
    ReceiveFunds,
    ReceiveReturn,
    RecordManagementForecast,
    RecordReminder,
    RecordSpend,
    RegisterScheme,
    RegisterSite,
    ReportDaily,
    ReportFlow,
    ReviseAllocation,
    ReviseBedTarget,
    RevokeToken,
    SetKpiTarget,
    SignOffBoardPaper,
    SignOffReturn,
    SubmitReturn,
    UpdateNarrative,
)
from capacity.errors import Forbidden
from capacity.policy import POLICY, matrix_markdown, permits, refusal, roles_allowed
from capacity.return_message import ReturnMessage, Sender
from capacity.signin import SignInService
from capacity.signing import generate, public_text, sign
from capacity.values import Actor
from schemes.catalogue import load_catalogue
from schemes.regions import load_region
from tests.scenarios.ledger import P, scheme_spec
from tests.support.api_world import FLOW, ApiWorld, api_world

# (role to sign in as, user name, acting on own schemes/sites); None = nobody known
WHO: dict[str, tuple[str, str, bool] | None] = {
    "admin": ("admin", "root", True),
    "board": ("board", "board", True),
    "finance": ("finance", "finance", True),
    "lead": ("lead", "lead", True),
    "lead_other": ("lead", "lead", False),
    "no user": None,
}
# Application methods that take an actor but change nothing (validation for bulk paths).
READS = {c for c in POLICY if c.startswith("read_")}

Call = Callable[[WinterApplication, ApiWorld, Actor, str, str], object]


COVER = Cover("Winter schemes", "12", "Head of UEC Planning", "Chief Finance Officer")


def _paper(app: WinterApplication, w: ApiWorld, a: Actor, s: str, o: str) -> object:
    """A preparation as the service keeps it (the PDF's bytes are the edge's business)."""
    figures = (app.max_position(), "2022-10-31")
    return app.run_command(
        PrepareBoardPaper(
            actor=a,
            programme=P,
            month="2022-10",
            cover=COVER,
            figures=figures,
            contents="{}",
            pdf=b"%PDF-1.7",
        )
    )


def _sign_off_paper(app: WinterApplication, w: ApiWorld, a: Actor, s: str, o: str) -> object:
    # A refused signer meets the refusal before a paper is prepared for them to sign.
    app.authorise(a, "sign_off_board_paper", P)
    _paper(app, w, Actor("root", "admin", "cli"), s, o)
    return app.run_command(SignOffBoardPaper(actor=a, programme=P, month="2022-10", revision=1))


def _batch(app: WinterApplication, w: ApiWorld, a: Actor, s: str, o: str) -> object:
    day, cleaned = app.prepare_daily(a, P, s, {"date": "2022-11-03", "beds_equivalent": 2})
    return app.run_command(ImportDaily(actor=a, programme=P, reports=[(day, s, cleaned, "upload")]))


STREAM = {"programme_allocation_gbp": "1.00", "spend_to_date_gbp": "0.00"}
SUMMARY = {
    "bed_target": 141,
    "delivered_beds_equivalent": 0,
    "planned_beds_equivalent": 0,
    "spend_to_date_gbp": "0.00",
    "spend_in_month_gbp": "0.00",
    "allocation_gbp": "1.00",
    "by_stream": {s: STREAM for s in ("capital", "revenue", "virtual_ward")},
}


def received_message() -> ReturnMessage:
    """A well-formed return message from QM7 (its artefacts' bytes stand in for the real ones)."""

    def artefact(name: str, content: bytes) -> dict[str, str]:
        return {
            "filename": name,
            "media_type": "application/octet-stream",
            "base64": base64.b64encode(content).decode(),
            "sha256": hashlib.sha256(content).hexdigest(),
        }

    csv = b"programme,month\nQM7-2022-23,2022-10\n"
    return ReturnMessage.model_validate(
        {
            "schema_version": 1,
            "programme": {
                "code": P,
                "icb_code": "QM7",
                "icb_name": "HWE",
                "region_code": "Y61",
                "winter": "2022/23",
                "period_start": "2022-10-01",
                "period_end": "2023-03-31",
                "bed_target": 141,
                "allocations": {"revenue": "1.00"},
            },
            "month": "2022-10",
            "revision": 1,
            "kind": "primary",
            "reason": "",
            "submitted_by": "finance",
            "submitted_at": "2022-11-09T10:00:00+00:00",
            "computed_at_position": 1,
            "sha256": hashlib.sha256(csv).hexdigest(),
            "return": {"programme": P, "month": "2022-10", "summary": SUMMARY},
            "artefacts": {"csv": artefact("r.csv", csv), "xlsx": artefact("r.xlsx", b"PK")},
        }
    )


QM7_KEY = generate()
SIGNED_BY_QM7 = load_region("Y61").with_keys({"QM7": [public_text(QM7_KEY)]})


def signed(message: ReturnMessage) -> Sender:
    payload = message.model_dump_json(by_alias=True).encode()
    return Sender(payload, sign(QM7_KEY, payload), message.programme.code)


SERVICE: dict[str, Call] = {
    "receive_return": lambda app, w, a, s, o: app.run_command(
        ReceiveReturn(
            actor=a, region=SIGNED_BY_QM7, message=(m := received_message()), sender=signed(m)
        )
    ),
    "open_programme": lambda app, w, a, s, o: app.run_command(
        OpenProgramme(
            actor=a,
            spec={
                "code": "QM7-2023-24",
                "icb_code": "QM7",
                "icb_name": "HWE",
                "region_code": "Y61",
                "winter": "2023/24",
                "period_start": date(2023, 10, 1),
                "period_end": date(2024, 3, 31),
                "bed_target": 100,
                "allocations": {"revenue": Decimal("1000")},
            },
        )
    ),
    "load_catalogue": lambda app, w, a, s, o: app.run_command(
        LoadCatalogue(actor=a, catalogue=load_catalogue("hwe-2022-23"), programme=P)
    ),
    "revise_bed_target": lambda app, w, a, s, o: app.run_command(
        ReviseBedTarget(actor=a, programme=P, bed_target=150, reason="NHSE ask")
    ),
    "revise_allocation": lambda app, w, a, s, o: app.run_command(
        ReviseAllocation(
            actor=a, programme=P, funding_stream="revenue", amount_gbp="7600000.00", reason="top-up"
        )
    ),
    "record_funds_received": lambda app, w, a, s, o: app.run_command(
        ReceiveFunds(
            actor=a,
            programme=P,
            funding_stream="revenue",
            amount_gbp="1000.00",
            received_on="2022-10-03",
        )
    ),
    "record_management_forecast": lambda app, w, a, s, o: app.run_command(
        RecordManagementForecast(
            actor=a,
            programme=P,
            funding_stream="revenue",
            month="2022-12",
            amount_gbp="7000000.00",
            note="two schemes will not recruit",
        )
    ),
    "divert_funding": lambda app, w, a, s, o: app.run_command(
        DivertFunding(
            actor=a,
            programme=P,
            from_scheme="other",
            to_scheme="own",
            amount_gbp="10.00",
            decision_ref="UEC-1",
            decided_on="2022-12-01",
        )
    ),
    "register_scheme": lambda app, w, a, s, o: app.run_command(
        RegisterScheme(actor=a, programme=P, spec=scheme_spec("new", planned_start=None))
    ),
    "approve_scheme": lambda app, w, a, s, o: app.run_command(
        ApproveScheme(
            actor=a, programme=P, scheme=s, approved_on="2022-10-01", decision_ref="UEC-2"
        )
    ),
    "set_kpi_target": lambda app, w, a, s, o: app.run_command(
        SetKpiTarget(
            actor=a, programme=P, scheme=s, kpi_code="hours", target=Decimal("95"), reason="agreed"
        )
    ),
    "change_planned_start": lambda app, w, a, s, o: app.run_command(
        ChangePlannedStart(
            actor=a, programme=P, scheme=s, planned_start=date(2022, 11, 7), reason="late start"
        )
    ),
    "mobilise_scheme": lambda app, w, a, s, o: app.run_command(
        MobiliseScheme(actor=a, programme=P, scheme=s, went_live_on="2022-11-01")
    ),
    "change_beds": lambda app, w, a, s, o: app.run_command(
        ChangeBeds(
            actor=a,
            programme=P,
            scheme=s,
            on="2022-11-01",
            change=2,
            bed_type="core",
            reason="open",
        )
    ),
    "change_status": lambda app, w, a, s, o: app.run_command(
        ChangeStatus(
            actor=a, programme=P, scheme=s, action="pause", on="2022-12-01", reason="review"
        )
    ),
    "update_narrative": lambda app, w, a, s, o: app.run_command(
        UpdateNarrative(actor=a, programme=P, scheme=s, narrative="Fourth bed open")
    ),
    "report_daily": lambda app, w, a, s, o: app.run_command(
        ReportDaily(
            actor=a, programme=P, scheme=s, figures={"date": "2022-11-02", "beds_equivalent": 5}
        )
    ),
    "correct_daily": lambda app, w, a, s, o: app.run_command(
        CorrectDaily(
            actor=a,
            programme=P,
            scheme=s,
            figures={"date": "2022-11-01", "beds_equivalent": 6},
            reason="typo",
        )
    ),
    "import_daily": _batch,
    "record_spend": lambda app, w, a, s, o: app.run_command(
        RecordSpend(
            actor=a, programme=P, scheme=s, month="2022-11", amount_gbp="10.00", basis="actual"
        )
    ),
    "correct_spend": lambda app, w, a, s, o: app.run_command(
        CorrectSpend(
            actor=a,
            programme=P,
            scheme=s,
            month="2022-10",
            amount_gbp="12.00",
            basis="accrual",
            reason="invoice",
        )
    ),
    "register_site": lambda app, w, a, s, o: app.run_command(
        RegisterSite(actor=a, programme=P, ods_code="RWH", name="Lister", place="ENH")
    ),
    "report_flow": lambda app, w, a, s, o: app.run_command(
        ReportFlow(actor=a, programme=P, ods_code=o, figures={**FLOW, "date": "2022-11-02"})
    ),
    "correct_flow": lambda app, w, a, s, o: app.run_command(
        CorrectFlow(
            actor=a, programme=P, ods_code=o, figures={**FLOW, "beds_occupied": 398}, reason="late"
        )
    ),
    "record_reminder": lambda app, w, a, s, o: app.run_command(
        RecordReminder(
            actor=a,
            programme=P,
            day=date(2022, 11, 1),
            lead="lead",
            email="lead@nhs.net",
            schemes=[s],
            sent_at=datetime(2022, 11, 2, 10, 30),
        )
    ),
    "add_user": lambda app, w, a, s, o: app.run_command(
        AddUser(actor=a, name="new-user", role="board")
    ),
    "grant_programme": lambda app, w, a, s, o: app.run_command(
        GrantProgramme(actor=a, name="lead", programme=P, schemes=["other"])
    ),
    "issue_token": lambda app, w, a, s, o: app.run_command(IssueToken(actor=a, name="board")),
    "revoke_token": lambda app, w, a, s, o: app.run_command(
        RevokeToken(actor=a, token=w.tokens["board"], reason="left")
    ),
    "end_sessions": lambda app, w, a, s, o: SignInService(app).end_user_sessions(
        a, "board", "left the trust"
    ),
    "submit_return": lambda app, w, a, s, o: app.run_command(
        SubmitReturn(
            actor=a,
            programme=P,
            month="2022-10",
            position=app.max_position(),
            csv_text="csv",
            generated_at="2023-01-15T09:00:00+00:00",
            reason="restated",
        )
    ),
    "sign_off_return": lambda app, w, a, s, o: app.run_command(
        SignOffReturn(
            actor=a, programme=P, month="2022-10", position=app.max_position(), sha256="0" * 64
        )
    ),
    "prepare_board_paper": _paper,
    "sign_off_board_paper": _sign_off_paper,
}

DAILY = {"date": "2022-11-02", "beds_equivalent": 5}
# command -> (method, path, body); {s} and {o} are the scheme and site acted on
API: dict[str, tuple[str, str, dict[str, Any] | None]] = {
    "open_programme": (
        "post",
        "/api/v1/programmes",
        {
            "code": "QM7-2023-24",
            "icb_code": "QM7",
            "icb_name": "HWE",
            "region_code": "Y61",
            "winter": "2023/24",
            "period_start": "2023-10-01",
            "period_end": "2024-03-31",
            "bed_target": 100,
            "allocations": {"revenue": "1000"},
        },
    ),
    "revise_bed_target": ("post", "/bed-target", {"bed_target": 150, "reason": "NHSE ask"}),
    "revise_allocation": (
        "post",
        "/allocations",
        {"funding_stream": "revenue", "amount_gbp": "7600000.00", "reason": "top-up"},
    ),
    "record_funds_received": (
        "post",
        "/funds-received",
        {"funding_stream": "revenue", "amount_gbp": "1000.00", "received_on": "2022-10-03"},
    ),
    "record_management_forecast": (
        "post",
        "/management-forecasts",
        {
            "funding_stream": "revenue",
            "month": "2022-12",
            "amount_gbp": "7000000.00",
            "note": "two schemes will not recruit",
        },
    ),
    "divert_funding": (
        "post",
        "/diversions",
        {
            "from_scheme": "other",
            "to_scheme": "own",
            "amount_gbp": "10.00",
            "decision_ref": "UEC-1",
            "decided_on": "2022-12-01",
        },
    ),
    "register_scheme": (
        "post",
        "/schemes",
        {
            "code": "new",
            "name": "New",
            "category": "acute",
            "place": "WE",
            "funding_stream": "revenue",
            "allocation_gbp": "1.00",
            "measure": "none",
        },
    ),
    "mobilise_scheme": ("post", "/schemes/{s}/mobilise", {"went_live_on": "2022-11-01"}),
    "change_beds": (
        "post",
        "/schemes/{s}/beds",
        {"date": "2022-11-01", "change": 2, "bed_type": "core", "reason": "open"},
    ),
    "change_status": (
        "post",
        "/schemes/{s}/status",
        {"action": "pause", "on": "2022-12-01", "reason": "review"},
    ),
    "update_narrative": ("post", "/schemes/{s}/narrative", {"narrative": "Fourth bed open"}),
    "report_daily": ("post", "/schemes/{s}/daily", DAILY),
    "correct_daily": (
        "put",
        "/schemes/{s}/daily/2022-11-01",
        {"date": "2022-11-01", "beds_equivalent": 6, "reason": "typo"},
    ),
    "record_spend": (
        "post",
        "/schemes/{s}/spend",
        {"month": "2022-11", "amount_gbp": "10.00", "basis": "actual"},
    ),
    "correct_spend": (
        "put",
        "/schemes/{s}/spend/2022-10",
        {"amount_gbp": "12.00", "basis": "accrual", "reason": "invoice"},
    ),
    "register_site": (
        "post",
        "/sites",
        {"ods_code": "RWH", "name": "Lister Hospital", "place": "ENH"},
    ),
    "report_flow": ("post", "/sites/{o}/flow", {**FLOW, "date": "2022-11-02"}),
    "correct_flow": (
        "put",
        "/sites/{o}/flow/2022-11-01",
        {**FLOW, "beds_occupied": 398, "reason": "late"},
    ),
    "submit_return": (
        "post",
        "/returns/2022-10/submit?reason=restated&resubmit_unchanged=true",
        None,
    ),
    "read_return": ("get", "/returns/2022-10", None),
    "read_board_paper": ("get", "/board-papers", None),
    "read_event_log": ("get", "/api/v1/events", None),
    "end_sessions": ("post", "/api/v1/users/board/end-sessions", {"reason": "left the trust"}),
    "read_sign_ins": ("get", "/api/v1/sign-ins", None),
}
# The commands the web pages offer: command -> (path, form fields)
WEB: dict[str, tuple[str, dict[str, str]]] = {
    "report_daily": ("/schemes/{s}/daily", {"date": "2022-11-02", "beds_equivalent": "5"}),
    "correct_daily": (
        "/schemes/{s}/daily",
        {"date": "2022-11-01", "beds_equivalent": "6", "reason": "typo", "confirm": "yes"},
    ),
    "submit_return": (
        "/returns/2022-10/submit",
        {"reason": "restated", "resubmit_unchanged": "yes"},
    ),
    # the confirm step of a lead's daily-figures upload (its preview stores nothing)
    "import_daily": (
        "/upload/daily/confirm",
        {"row-2-scheme_code": "{s}", "row-2-date": "2022-11-03", "row-2-beds_equivalent": "2"},
    ),
}
COUNTS: Counter[str] = Counter()


def expected(role: str, command: str) -> bool:
    who = WHO[role]
    if who is None:
        return False
    rule = POLICY[command]
    if who[0] == "admin":
        return True
    return who[0] in rule.roles and (rule.scope not in ("scheme", "site") or who[2])


def targets(role: str) -> tuple[str, str]:
    who = WHO[role]
    own = who is None or who[2]
    return ("own", "RQW") if own else ("other", "RWG")


@pytest.fixture(scope="module", autouse=True)
def counts_reported(report: Callable[[str], None]) -> Iterator[None]:
    """The matrix's figures, in the run's summary once every test of this module has run."""
    yield
    report(
        f"[policy-matrix] commands={len(POLICY)} roles={len(WHO)} "
        f"service={len(SERVICE)} api={len(API)} web={len(WEB)} checks={sum(COUNTS.values())} "
        + ", ".join(f"{k}={v}" for k, v in sorted(COUNTS.items()))
    )


def test_every_command_has_a_policy_row_and_a_way_to_try_it() -> None:
    commands = {command.policy for command in COMMANDS}
    assert commands - set(POLICY) == set(), "add these commands to capacity/policy.py"
    assert set(POLICY) - READS == set(SERVICE), "every command is tried on the service"
    assert set(API) <= set(POLICY) and set(WEB) <= set(POLICY)


@pytest.mark.parametrize("command", sorted(SERVICE))
def test_service_channel(command: str) -> None:
    for role, who in WHO.items():
        world = api_world()
        app = world.application
        actor = Actor(who[1], who[0], "cli") if who else Actor("nobody", "lead", "cli")
        scheme, site = targets(role)
        before = app.max_position()
        if expected(role, command):
            SERVICE[command](app, world, actor, scheme, site)
            assert app.max_position() > before, (command, role)
            COUNTS["service allowed"] += 1
        else:
            with pytest.raises(Forbidden):
                SERVICE[command](app, world, actor, scheme, site)
            assert app.max_position() == before, (command, role)
            COUNTS["service refused"] += 1


@pytest.mark.parametrize("command", sorted(API))
def test_api_channel(command: str) -> None:
    method, path, body = API[command]
    for role, who in WHO.items():
        world = api_world()
        scheme, site = targets(role)
        url = path if path.startswith("/api") else f"/api/v1/programmes/{P}{path}"
        url = url.format(s=scheme, o=site)
        headers = world.headers(who[0]) if who else {}
        before = world.application.max_position()
        answer = world.client.request(method, url, json=body, headers=headers)
        if expected(role, command):
            assert answer.status_code < 300, (command, role, answer.text[:300])
            COUNTS["api allowed"] += 1
        else:
            assert answer.status_code == (403 if who else 401), (command, role, answer.text[:200])
            assert world.application.max_position() == before, (command, role)
            COUNTS["api refused"] += 1


def _signed_in(world: ApiWorld, role: str) -> str:
    answer = world.client.post("/login", data={"token": world.tokens[role]}, follow_redirects=False)
    assert answer.status_code == 303
    page = world.client.get(f"/schemes/own?programme={P}")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


@pytest.mark.parametrize("command", sorted(WEB))
def test_web_channel(command: str) -> None:
    path, form = WEB[command]
    for role, who in WHO.items():
        world = api_world()
        if who is None:
            answer = world.client.post(path.format(s="own"), data=form, follow_redirects=False)
            assert answer.status_code == 303 and "/login" in answer.headers["location"]
            COUNTS["web refused"] += 1
            continue
        csrf = _signed_in(world, who[0])
        scheme, _ = targets(role)
        before = world.application.max_position()
        fields = {k: v.format(s=scheme) for k, v in form.items()}
        answer = world.client.post(path.format(s=scheme), data={**fields, "csrf": csrf})
        if expected(role, command):
            assert answer.status_code == 200, (command, role, answer.text[:300])
            assert world.application.max_position() > before, (command, role)
            COUNTS["web allowed"] += 1
        else:
            # An upload refuses another lead's rows one by one on its result page.
            per_row = command == "import_daily" and who[0] == "lead"
            assert answer.status_code == (200 if per_row else 403), (command, role)
            assert world.application.max_position() == before, (command, role)
            COUNTS["web refused"] += 1


def test_pages_offer_only_what_the_policy_permits() -> None:
    world = api_world()
    for role in ("board", "finance", "lead"):
        _signed_in(world, role)
        own = world.client.get(f"/schemes/own?programme={P}").text
        other = world.client.get(f"/schemes/other?programme={P}").text
        user = world.application.get_user(WHO[role][1])  # type: ignore[index]
        assert ('action="/schemes/own/daily' in own) == permits(user, "report_daily", P, "own")
        assert 'action="/schemes/other/daily' not in other
        world.client.post("/logout")


def test_refusal_names_the_role_needed() -> None:
    refused = refusal("board", None, "report_daily", P, "own")
    assert refused is not None and "needs lead" in refused.message


def test_a_refusal_page_names_the_roles_the_table_allows_and_admin() -> None:
    assert roles_allowed("report_daily") == ["lead", "admin"]
    assert roles_allowed("divert_funding") == [*sorted(POLICY["divert_funding"].roles), "admin"]
    world = api_world()
    _signed_in(world, "lead")
    page = world.client.get(f"/board/diversions?programme={P}")
    who = " or ".join(roles_allowed("divert_funding"))
    assert page.status_code == 403 and f"only {who} users may" in page.text


def test_the_documented_matrix_is_the_policy_table() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "authorisation.md").read_text()
    assert matrix_markdown() in doc, "regenerate the table in docs/authorisation.md"
