"""Each role's home page: a lead's schemes and what they owe today, the finance team's month
due. The board's home is the dashboard; an administrator's is the users page; a region user's
is their region's tracker."""

from __future__ import annotations

from datetime import datetime

from fastapi import Request
from fastapi.responses import HTMLResponse

from api.deps import Session
from api.web.common import render_page
from projections.home import finance_home, lead_home
from projections.readmodel import ReadModel
from schemes.deadlines import LONDON


def lead_page(request: Request, session: Session, read: ReadModel, programme: str) -> HTMLResponse:
    facts = read.facts(programme)
    now = datetime.now(LONDON).time()
    home = lead_home(facts, list(session[0].schemes), read.today(), now)
    # Acute sites are assigned like schemes (by ODS code): each with whether today is in.
    sites = [
        (ods, facts.sites[ods][0], (ods, home.day) in facts.flow)
        for ods in session[0].schemes
        if ods in facts.sites
    ]
    with_kpis = {c for c in session[0].schemes if c in facts.schemes and facts.schemes[c].kpis}
    context = {
        "_session": session,
        "home": home,
        "programme": programme,
        "sites": sites,
        "with_kpis": with_kpis,
    }
    return render_page(request, "home_lead.html", context)


def finance_page(
    request: Request, session: Session, read: ReadModel, programme: str
) -> HTMLResponse:
    home = finance_home(read.facts(programme), read.today())
    submitted = read.submissions(programme, str(home.month)) if home.month else []
    context = {
        "_session": session,
        "home": home,
        "programme": programme,
        "latest": submitted[-1] if submitted else None,
    }
    return render_page(request, "home_finance.html", context)
