"""The house wording for what a person reads (docs/wording.md): money as £2,500,000.00,
dates as 16 Jan 2023, codes as words, field names as the form's labels."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

# Codes whose plain words are not the code with spaces (acronyms stay in capitals).
WORDS = {
    "dta": "DTA",
    "virtual_ward": "virtual ward",
    "mental_health": "mental health",
    "imc": "IMC",
}

# How a scheme's delivery is measured, as its page says it.
MEASURES = {
    "beds_open": "counted from beds open",
    "reported": "reports its beds-equivalent",
    "none": "not measured in beds-equivalent",
}

# Field names whose label is not the name in words.
LABELS = {
    "amount_gbp": "Amount (£)",
    "forecast_outturn_gbp": "Forecast outturn",
    "spend_to_date_gbp": "Spend to date",
    "allocation_gbp": "Allocation",
    "programme_allocation_gbp": "Programme allocation",
    "csrf": "The form",
    "idempotency_key": "The form",
    "confirm_repeat": "Record it again",
    "went_live_on": "Go-live date",
    "decided_on": "Decision date",
    "effective_on": "Effective from",
    "decision_ref": "Decision reference",
    "from_scheme": "From scheme",
    "to_scheme": "To scheme",
    "bed_type": "Bed type",
}

# A cell of the spend sheet is named by its column and the scheme's code: amount-QM7-01.
_PER_SCHEME = re.compile(r"^(amount|basis|reason|comment)-(.+)$")
_VERBS = ("must", "is ", "are ", "cannot", "may ", "has ", "was ", "needs", "should")


def words(code: str) -> str:
    """A code as words: virtual_ward → virtual ward, dta → DTA."""
    return WORDS.get(code, code.replace("_", " "))


def field_label(name: str) -> str:
    """The label a form shows for a field: beds_occupied → Beds occupied."""
    if name in LABELS:
        return LABELS[name]
    cell = _PER_SCHEME.match(name)
    if cell:
        column = {
            "amount": "Amount",
            "basis": "Basis",
            "reason": "Reason for correction",
            "comment": "Comment confirming the amount",
        }
        return f"{column[cell.group(1)]} for {cell.group(2)}"
    text = words(name.removesuffix("_gbp").replace("-", "_"))
    return text[:1].upper() + text[1:]


_ISO_EXAMPLE = re.compile(r"must be an ISO date, e\.g\. \d{4}-\d{2}-\d{2}")


_CODES = re.compile(r"\b(virtual_ward|mental_health)\b")


def plain_reason(message: str) -> str:
    """A refusal's reason in the words of this guide (the rules speak for the API too)."""
    message = _ISO_EXAMPLE.sub("must be a real date, such as 2 Nov 2022", message)
    return _CODES.sub(lambda found: WORDS[found.group(0)], message)


def error_line(name: str, message: str) -> str:
    """One line of an error summary: "Beds occupied must not be negative"."""
    label = field_label(name)
    message = plain_reason(message)
    if message.startswith(_VERBS):
        return f"{label} {message}"
    return f"{label}: {message}"


def money(value: Decimal | float | int | str) -> str:
    """£2,500,000.00; what cannot be read as an amount is shown as typed."""
    try:
        amount = Decimal(str(value).replace("£", "").replace(",", "").strip())
    except InvalidOperation:
        return str(value)
    if not amount.is_finite():
        return str(value)
    return f"-£{-amount:,.2f}" if amount < 0 else f"£{amount:,.2f}"


def day(value: date | str) -> str:
    """16 Jan 2023; what is not an ISO date is shown as typed."""
    try:
        found = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{found.day} {found:%b %Y}"


def count(n: int | str, noun: str, plural: str | None = None) -> str:
    """1 core bed, 2 core beds."""
    try:
        one = abs(int(n)) == 1
    except ValueError:
        one = False
    return f"{n} {noun if one else plural or noun + 's'}"


def figure(name: str, value: object) -> str:
    """A figure of a return as people read it: amounts in pounds, dates as dates."""
    if value is None or value == "":
        return "none"
    if name.endswith("_gbp"):
        return money(str(value))
    if name.endswith(("_on", "date")):
        return day(str(value))
    return str(value)


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def cell_words(value: object) -> str:
    """A text cell of a return as people read it: dates as dates, codes as words."""
    text = str(value)
    if _ISO_DAY.match(text):
        return day(text)
    if _ISO_MOMENT.match(text):
        return f"{day(text)} {text[11:16]}"
    return WORDS.get(text, text)
