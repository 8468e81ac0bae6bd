"""Writes docs/authorisation.md from the policy table in capacity/policy.py."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.main import create_app
from api.reads import read_matrix_markdown
from capacity.application import WinterApplication
from capacity.policy import matrix_markdown
from projections.db import ViewDatabase
from projections.projector import Projector
from projections.readmodel import ReadModel

head = """# Who may do what

Wintertrack decides every permission in one place, the policy table in
`capacity/policy.py`, and the application service applies it to every command whatever the
channel: the JSON API, the web pages, the command line, file uploads and the Kafka edge.
This page is that table: a test checks that it matches the code, and
`python scripts/write_authorisation_doc.py` rewrites it.

- **admin** may do everything; so may the system's own processes (the Kafka ingest, the demo
  generator), which have no sign-in.
- A user bound to a programme acts only in that programme.
- A **lead** acts only on the schemes and acute sites assigned to them ("own schemes").
- The board, finance and leads read the dashboard, the delivery figures, the schemes and
  their history. The monthly return and its submissions are for finance and the board (not
  leads); the whole event log and the users page are for administrators.
- A **region** user (NHS England's regional team, on the region's own instance) is bound to
  one region (e.g. `Y61`) and may only read that region: its ICBs, the submission tracker, the
  artefacts the ICBs sent and the regional roll-up. A region user may write nothing, in the
  region or in any ICB; ICB users may not read the region. The returns themselves are recorded
  by the region's `region follow` process (a system process, like the Kafka ingest).
- A refused command stores nothing and answers 403 (a page says why instead of showing the
  form); a page only offers the forms its reader may use.

## The policy table (writes and reads)

"""
reads_head = """
## Every page and API read, by route

Every page and every API read asks the same table before it shows anything: each route
declares the row it is decided by (a page's form is read by those who may send it), and the
navigation links only to the pages its reader may open. A refused page answers 403 and shows
nothing of what was asked for; a refused API read answers 403; a signed-out reader is sent to
sign in (pages) or answered 401 (API). This table is generated from the routes themselves.

"""


def routes() -> list[object]:
    """The routes of an app over an empty in-memory store (only their gates are read)."""
    application = WinterApplication()
    read = ReadModel(Projector(application, ViewDatabase("memory://")))
    return list(create_app(application, read, "doc", follow=False).routes)


if __name__ == "__main__":
    out = Path(__file__).resolve().parents[1] / "docs" / "authorisation.md"
    out.write_text(head + matrix_markdown() + reads_head + read_matrix_markdown(routes()))
