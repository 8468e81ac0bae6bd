"""The view tables: versioned facts, so any read can be asked "as known at" a position.

Every row carries the position of the event that created it; rows replaced by a later event get
``superseded_at`` set to that event's position. As known at N: ``position <= N`` and
(``superseded_at`` IS NULL or ``superseded_at > N``).
"""

from __future__ import annotations

VERSIONED = "position BIGINT NOT NULL, superseded_at BIGINT"
TABLES: dict[str, str] = {
    "v_tracking": "name TEXT PRIMARY KEY, position BIGINT NOT NULL",
    "v_programme_head": "programme TEXT PRIMARY KEY, position BIGINT NOT NULL",
    "v_programme": f"agg TEXT NOT NULL, code TEXT NOT NULL, data TEXT NOT NULL, {VERSIONED}",
    "v_scheme": (
        f"agg TEXT NOT NULL, programme TEXT NOT NULL, code TEXT NOT NULL, data TEXT NOT NULL, "
        f"{VERSIONED}"
    ),
    "v_bed_change": (
        "programme TEXT NOT NULL, scheme TEXT NOT NULL, day TEXT NOT NULL, "
        "change INTEGER NOT NULL, bed_type TEXT NOT NULL, reason TEXT NOT NULL, "
        "position BIGINT NOT NULL"
    ),
    "v_status_change": (
        "programme TEXT NOT NULL, scheme TEXT NOT NULL, day TEXT NOT NULL, "
        "status TEXT NOT NULL, position BIGINT NOT NULL"
    ),
    "v_diversion": (
        "programme TEXT NOT NULL, scheme TEXT NOT NULL, amount_gbp TEXT NOT NULL, "
        "counterpart TEXT NOT NULL, decision_ref TEXT NOT NULL, decided_on TEXT NOT NULL, "
        "position BIGINT NOT NULL"
    ),
    "v_daily": (
        "agg TEXT NOT NULL, programme TEXT NOT NULL, scheme TEXT NOT NULL, day TEXT NOT NULL, "
        f"data TEXT NOT NULL, actor TEXT NOT NULL, recorded_at TEXT NOT NULL, {VERSIONED}"
    ),
    "v_spend": (
        "agg TEXT NOT NULL, programme TEXT NOT NULL, scheme TEXT NOT NULL, month TEXT NOT NULL, "
        "amount_gbp TEXT NOT NULL, basis TEXT NOT NULL, actor TEXT NOT NULL, "
        f"recorded_at TEXT NOT NULL, {VERSIONED}"
    ),
    "v_site": (
        "programme TEXT NOT NULL, ods TEXT NOT NULL, name TEXT NOT NULL, place TEXT NOT NULL, "
        "position BIGINT NOT NULL"
    ),
    "v_flow": (
        "agg TEXT NOT NULL, programme TEXT NOT NULL, ods TEXT NOT NULL, day TEXT NOT NULL, "
        f"data TEXT NOT NULL, {VERSIONED}"
    ),
    "v_return": (
        "programme TEXT NOT NULL, month TEXT NOT NULL, revision INTEGER NOT NULL, "
        "kind TEXT NOT NULL, data TEXT NOT NULL, position BIGINT NOT NULL"
    ),
    # the board's monthly papers: every preparation and sign-off; a preparation's contents
    # (JSON) and PDF (base64) in their own columns, so listing papers never reads them
    "v_board_paper": (
        "programme TEXT NOT NULL, month TEXT NOT NULL, revision INTEGER NOT NULL, "
        "kind TEXT NOT NULL, data TEXT NOT NULL, contents TEXT NOT NULL, pdf TEXT NOT NULL, "
        "position BIGINT NOT NULL"
    ),
    # a region's store: every return revision received from its ICBs (artefact bytes stay in
    # the event store; the row keeps their SHA-256)
    "v_received": (
        "region TEXT NOT NULL, programme TEXT NOT NULL, icb_code TEXT NOT NULL, "
        "month TEXT NOT NULL, revision INTEGER NOT NULL, sha256 TEXT NOT NULL, "
        "submitted_at TEXT NOT NULL, data TEXT NOT NULL, position BIGINT NOT NULL"
    ),
    # chase reminders emailed to leads, per reporting day
    "v_reminder": (
        "programme TEXT NOT NULL, day TEXT NOT NULL, lead TEXT NOT NULL, email TEXT NOT NULL, "
        "schemes TEXT NOT NULL, sent_at TEXT NOT NULL, position BIGINT NOT NULL"
    ),
}

# Looked up by the projector while it writes (the current row of an aggregate).
LOOKUP_INDEXES: tuple[str, ...] = (
    "CREATE INDEX IF NOT EXISTS ix_programme_agg ON v_programme (agg, superseded_at)",
    "CREATE INDEX IF NOT EXISTS ix_scheme_agg ON v_scheme (agg, superseded_at)",
    "CREATE INDEX IF NOT EXISTS ix_daily_agg ON v_daily (agg, superseded_at)",
    "CREATE INDEX IF NOT EXISTS ix_spend_agg ON v_spend (agg, superseded_at)",
    "CREATE INDEX IF NOT EXISTS ix_flow_agg ON v_flow (agg, superseded_at)",
)
# Used by reads only: a rebuild creates them once at the end rather than row by row.
READ_INDEXES: tuple[str, ...] = (
    "CREATE INDEX IF NOT EXISTS ix_scheme ON v_scheme (programme, code, position)",
    "CREATE INDEX IF NOT EXISTS ix_bed ON v_bed_change (programme, scheme)",
    "CREATE INDEX IF NOT EXISTS ix_status ON v_status_change (programme, scheme)",
    "CREATE INDEX IF NOT EXISTS ix_div ON v_diversion (programme, scheme)",
    "CREATE INDEX IF NOT EXISTS ix_daily ON v_daily (programme, scheme, day)",
    "CREATE INDEX IF NOT EXISTS ix_daily_day ON v_daily (programme, day)",
    "CREATE INDEX IF NOT EXISTS ix_spend ON v_spend (programme, scheme, month)",
    "CREATE INDEX IF NOT EXISTS ix_flow ON v_flow (programme, ods, day)",
    "CREATE INDEX IF NOT EXISTS ix_return ON v_return (programme, month, revision)",
    "CREATE INDEX IF NOT EXISTS ix_board_paper ON v_board_paper (programme, month, revision)",
    "CREATE INDEX IF NOT EXISTS ix_received ON v_received (region, month, icb_code)",
    "CREATE INDEX IF NOT EXISTS ix_reminder ON v_reminder (programme, day)",
)

KNOWN_AT = "position <= ? AND (superseded_at IS NULL OR superseded_at > ?)"
