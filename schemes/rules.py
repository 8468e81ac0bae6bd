"""Input rules (docs/rules.md §13): every refusal names the field and the reason."""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

MAX_BEDS = 2000
MAX_DISCHARGES = 10000
MAX_MONEY = Decimal("100000000")
MAX_TEXT = 2000
# no figure or amount needs more: a longer one is refused before any arithmetic, which would
# overflow the decimal context on 1E+1000000 (or take seconds on a million digits)
MAX_DIGITS = 30


class InputRefused(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


MAX_DIGITS = 30  # significant digits of any number we accept (money needs 11, beds 6)
MAX_FIGURE = Decimal("1e12")  # the ceiling of any figure, before each field's own maximum


def parse_decimal(field: str, value: Any) -> Decimal:
    """A finite number with bounded digits and exponent, checked before any arithmetic: a
    decimal such as ``1E+1000000`` overflows the moment it is compared or rounded."""
    if isinstance(value, bool) or value is None:
        raise InputRefused(field, f"must be a number (got {value!r})")
    if isinstance(value, float) and not math.isfinite(value):
        raise InputRefused(field, f"must be a finite number (got {value})")
    text = str(value).strip()
    if len(text) > 2 * MAX_DIGITS:
        raise InputRefused(field, f"must be a number of at most {MAX_DIGITS} digits")
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise InputRefused(field, f"must be a number (got {text[:40]!r})") from None
    if not number.is_finite():
        raise InputRefused(field, f"must be a finite number (got {text[:40]})")
    _, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)  # finite, so never 'n', 'N' or 'F'
    if len(digits) > MAX_DIGITS or exponent < -MAX_DIGITS:
        raise InputRefused(field, f"must be a number of at most {MAX_DIGITS} digits")
    if any(digits) and len(digits) + exponent > 13:  # digits before the point of 1e12
        raise InputRefused(field, f"is implausibly large (got {text[:40]})")
    return number


_decimal = parse_decimal


def check_number(field: str, value: Any, allow_negative: bool = False) -> Decimal:
    number = _decimal(field, value)
    if number < 0 and not allow_negative:
        raise InputRefused(field, f"must not be negative (got {number})")
    if abs(number) > MAX_FIGURE:
        raise InputRefused(field, f"is implausibly large (got {number})")
    return number


def check_count(field: str, value: Any, maximum: int) -> int:
    number = check_number(field, value)
    if number != number.to_integral_value():
        raise InputRefused(field, f"must be a whole number (got {number})")
    if number > maximum:
        raise InputRefused(field, f"must be at most {maximum:,} (got {number})")
    return int(number)


def check_beds_equivalent(field: str, value: Any) -> Decimal:
    number = check_number(field, value)
    if number > MAX_BEDS:
        raise InputRefused(field, f"must be at most {MAX_BEDS:,} (got {number})")
    return number


def check_money(field: str, value: Any, allow_negative: bool = False) -> Decimal:
    amount = _decimal(field, value)
    if amount < 0 and not allow_negative:
        raise InputRefused(field, f"must not be negative (got {amount})")
    if abs(amount) > MAX_MONEY:
        raise InputRefused(field, f"must be at most £100,000,000.00 (got {amount})")
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise InputRefused(field, f"must be in pounds and pence (got {amount})")
    return amount.quantize(Decimal("0.01"))


_DIGIT_RUN = re.compile(r"(?<![0-9])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![0-9])")


def is_nhs_number(digits: str) -> bool:
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def contains_nhs_number(text: str) -> bool:
    return any(is_nhs_number("".join(m.groups())) for m in _DIGIT_RUN.finditer(text))


# Control characters other than tab and line breaks, lone surrogates and non-characters: no
# person types them, and a spreadsheet or a UTF-8 encoder refuses them later.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def check_text(field: str, value: Any, max_len: int = MAX_TEXT) -> str:
    if not isinstance(value, str):
        raise InputRefused(field, "must be text")
    if len(value) > max_len:
        raise InputRefused(field, f"must be at most {max_len:,} characters (got {len(value):,})")
    unprintable = _UNPRINTABLE.search(value)
    if unprintable:
        raise InputRefused(
            field, f"must not contain control characters (found U+{ord(unprintable.group()):04X})"
        )
    if contains_nhs_number(value):
        raise InputRefused(
            field, "looks like an NHS number; this system holds aggregate figures only"
        )
    return value


# a UK amount as people type it: "31,250.00", "£1,000", "-£45,000.00"; commas only in
# groups of three, so "1,00" is refused rather than read as 100
_UK_AMOUNT = re.compile(r"^(-?)\s*£?\s*(-?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?$")
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
DATE_EXAMPLE = "for example 16/01/2023"


def uk_amount(value: str) -> str:
    """The plain decimal a UK-typed amount stands for ("£31,250.00" -> "31250.00"); text
    that is not such an amount comes back unchanged, for the number check to refuse."""
    match = _UK_AMOUNT.match(value.strip())
    if not match or (match[1] and match[2]):
        return value
    return f"{match[1] or match[2]}{match[3].replace(',', '')}{match[4] or ''}"


def parse_uk_money(field: str, value: Any) -> Decimal:
    """A sum of money typed on a form or in a sheet: pounds sign and thousands separators
    allowed, then the same bounds as any amount."""
    return check_money(field, uk_amount(value) if isinstance(value, str) else value)


def parse_date(field: str, value: Any) -> date:
    """A day as ``DD/MM/YYYY`` (as typed in the UK, whatever the browser's locale) or ISO."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not value.strip():
        raise InputRefused(field, f"must be a date, {DATE_EXAMPLE}")
    text = value.strip()
    uk = _UK_DATE.match(text)
    try:
        if uk:
            return date(int(uk[3]), int(uk[2]), int(uk[1]))
        return date.fromisoformat(text)
    except ValueError:
        raise InputRefused(
            field, f"must be a real date, {DATE_EXAMPLE} (got {value[:20]!r})"
        ) from None


def check_date_in_period(field: str, day: date, start: date, end: date, today: date) -> date:
    if not start <= day <= end:
        raise InputRefused(
            field, f"{day.isoformat()} is outside the programme period {start} to {end}"
        )
    if day > today:
        raise InputRefused(field, f"{day.isoformat()} is in the future")
    return day


def check_month_in_period(field: str, month: Any, start: date, end: date) -> Any:
    first = date(month.year, month.month, 1)
    if not date(start.year, start.month, 1) <= first <= end:
        raise InputRefused(field, f"{month} is outside the programme period {start} to {end}")
    return month


def check_code(field: str, value: Any, known: Collection[str], what: str) -> str:
    if not isinstance(value, str) or value not in known:
        raise InputRefused(field, f"unknown {what} '{value}'")
    return value


EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s.]{2,}$")


def check_email(value: str) -> str:
    """An email address, lower-cased (the identity provider's verified address is matched)."""
    address = str(value or "").strip().lower()
    if not EMAIL.match(address):
        raise InputRefused("email", "must be an email address")
    return address


def check_streams_compatible(source: str, target: str) -> None:
    """NHS capital and revenue are not interchangeable: capital moves only to capital, and
    revenue or virtual-ward money never becomes capital (docs/rules.md §9)."""
    if (source == "capital") != (target == "capital"):
        raise InputRefused(
            "to_scheme",
            f"cannot divert {source} funding to a {target} scheme: capital and revenue "
            "are not interchangeable",
        )


def check_divertible(scheme: str, amount: Decimal, allocation: Decimal, spent: Decimal) -> None:
    """A diversion takes no more than the scheme's unspent money (docs/rules.md §9)."""
    unspent = allocation - spent
    if amount > unspent:
        raise InputRefused(
            "amount_gbp",
            f"cannot divert £{amount:,.2f}: {scheme} has £{max(unspent, Decimal(0)):,.2f} "
            f"unspent (allocation £{allocation:,.2f}, spend recorded £{spent:,.2f})",
        )


KPI_TYPES: tuple[str, ...] = ("count", "hours", "percent", "money", "date")
KPI_AGGREGATIONS: tuple[str, ...] = ("sum", "mean", "latest")
_TYPE_OF_UNIT = {
    "gbp": "money",
    "£": "money",
    "hours": "hours",
    "percent": "percent",
    "%": "percent",
}


def kpi_type(kpi: Mapping[str, Any]) -> str:
    """A KPI's type: given, or (for schemes registered before KPIs had one) read from its unit."""
    given = kpi.get("type")
    if given in KPI_TYPES:
        return str(given)
    unit = str(kpi.get("unit") or "count")
    return "date" if unit == "date" else _TYPE_OF_UNIT.get(unit, "count")


def check_kpi_value(field: str, kind: str, value: Any) -> Decimal | date:
    """A reported KPI value: an ISO date for a ``date`` KPI (a milestone), else a number."""
    if kind == "date":
        return parse_date(field, value)
    if isinstance(value, date):
        raise InputRefused(field, "must be a number: this KPI is not a date")
    return check_number(field, value)
