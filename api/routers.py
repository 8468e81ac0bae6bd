"""Every router the service answers, in the order a request is matched against them: the JSON
API, then the pages. The one place a router is registered (``api/main.py`` includes these)."""

from __future__ import annotations

from fastapi import APIRouter

from api.routes import (
    board,
    board_papers,
    events,
    explain,
    people,
    programmes,
    regions,
    reports,
    returns,
    schemes,
    sites,
)
from api.web import (
    admin_users,
    board_tasks,
    finance,
    finance_ledger,
    finance_tasks,
    history,
    lead,
    lead_kpis,
    lead_tasks,
    lead_upload,
    region,
    signin,
    signin_oidc,
    site_flow,
)
from api.web import board as board_pages
from api.web import board_papers as board_paper_pages
from api.web import explain as explain_pages

API = (
    programmes,
    schemes,
    reports,
    sites,
    board,
    explain,
    returns,
    board_papers,
    events,
    people,
    regions,
)
PAGES = (
    signin,
    board_pages,
    lead,
    finance,
    signin_oidc,
    finance_tasks,
    finance_ledger,
    board_tasks,
    board_paper_pages,
    admin_users,
    lead_tasks,
    lead_upload,
    site_flow,
    lead_kpis,
    history,
    explain_pages,
    region,
)
ROUTERS: tuple[APIRouter, ...] = tuple(module.router for module in (*API, *PAGES))
