"""Commands of the monthly return and the board's paper, and the region receiving returns.

The aliases are the keys fingerprints were stored with before commands were data: never
rename one (``capacity/commands_base.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from capacity.board_papers import Cover
from capacity.commands_base import Command, Fingerprint, Key, Receipt, Write, flag
from capacity.return_message import ReturnMessage, Sender
from schemes.regions import Region

Outcome = Literal["stored", "duplicate"]


@dataclass(frozen=True, kw_only=True)
class SubmitReturn(Command[tuple[Receipt, int]]):
    """A submission (a restatement when not the first) of the month's return as computed at
    ``position``, with its JSON and workbook; ``log`` is the "as of" day it was computed for
    and the log's digest at a position. ``changed``: the figures differ from the latest
    revision; ``unchanged``: the submitter chose to resubmit them unchanged (see
    ``capacity/return_rules.py``). Answered with the receipt and the revision stored."""

    programme: str
    month: str
    position: int
    csv_text: str
    generated_at: str
    reason: str = ""
    xlsx: bytes = b""
    revision: int | None = None
    log: tuple[str | None, int | None, str | None] = (None, None, None)
    report_json: str = ""
    changed: bool = True
    unchanged: bool = False
    figures_sha256: str | None = None

    policy = "submit_return"
    # The request is "submit this month": a retry recomputes at a later position, so the
    # fingerprint is the request, not the computed return.
    fingerprint = Fingerprint(
        "submit",
        {
            "programme": Key("p"),
            "month": Key("m"),
            "reason": Key("reason"),
            "unchanged": flag("unchanged"),
        },
        frozenset(
            {
                "position",
                "csv_text",
                "generated_at",
                "xlsx",
                "revision",
                "log",
                "report_json",
                "changed",
                "figures_sha256",
            }
        ),
    )

    def answer(self, receipt: Receipt, outcome: object) -> tuple[Receipt, int]:
        return receipt, int(receipt.ids.get("revision", 0))


@dataclass(frozen=True, kw_only=True)
class SignOffReturn(Write):
    programme: str
    month: str
    position: int
    sha256: str

    policy = "sign_off_return"
    fingerprint = Fingerprint(
        "sign_off_return",
        {"programme": Key("programme"), "month": Key("month"), "sha256": Key("sha256")},
        frozenset({"position"}),
    )


@dataclass(frozen=True, kw_only=True)
class PrepareBoardPaper(Command[tuple[Receipt, int]]):
    """The next revision of the month's paper: its cover, the figures' position and "as of"
    day (``figures``), what it says (JSON text) and its PDF as rendered. Answered with the
    receipt and the revision kept."""

    programme: str
    month: str
    cover: Cover
    figures: tuple[int, str]
    contents: str
    pdf: bytes

    policy = "prepare_board_paper"
    # A retry renders again at a later position: the fingerprint is the request.
    fingerprint = Fingerprint(
        "prepare_paper",
        {"programme": Key("p"), "month": Key("m"), "cover": Key("cover", Cover.as_dict)},
        frozenset({"figures", "contents", "pdf"}),
    )

    def answer(self, receipt: Receipt, outcome: object) -> tuple[Receipt, int]:
        return receipt, int(receipt.ids.get("revision", 0))


@dataclass(frozen=True, kw_only=True)
class SignOffBoardPaper(Write):
    programme: str
    month: str
    revision: int

    policy = "sign_off_board_paper"
    fingerprint = Fingerprint(
        "sign_off_paper",
        {"programme": Key("p"), "month": Key("m"), "revision": Key("revision")},
    )


@dataclass(frozen=True, kw_only=True)
class ReceiveReturn(Command[tuple[Outcome, Receipt | None]]):
    """A return an ICB sent its region, recorded once: answered ``("stored", receipt)``, or
    ``("duplicate", None)`` for a revision already received with the same SHA-256."""

    region: Region
    message: ReturnMessage
    sender: Sender

    policy = "receive_return"
    scope = (None, None)
    retries = 1  # another follower stored something meanwhile: look again

    def answer(self, receipt: Receipt, outcome: object) -> tuple[Outcome, Receipt | None]:
        return ("duplicate", None) if outcome == "duplicate" else ("stored", receipt)
