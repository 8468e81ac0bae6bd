"""Every page, composed from one module per audience: sign-in, the board's dashboard, the
lead's scheme page, finance's return."""

from __future__ import annotations

from fastapi import APIRouter

from api.web import board, finance, lead, signin
from api.web.common import LoginRequired

router = APIRouter(include_in_schema=False)
for module in (signin, board, lead, finance):
    router.include_router(module.router)

__all__ = ["LoginRequired", "router"]
