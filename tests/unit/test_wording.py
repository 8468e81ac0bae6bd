"""The wording guide's helpers (docs/wording.md): labels not field names, pounds with
separators, UK dates, codes as words, singular for one."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from api.wording import cell_words, count, day, error_line, field_label, figure, money, words


def test_errors_name_the_label_not_the_field() -> None:
    assert error_line("beds_occupied", "must not be negative") == (
        "Beds occupied must not be negative"
    )
    assert error_line("amount-imc-beds-enh", "must be a number") == (
        "Amount for imc-beds-enh must be a number"
    )
    assert error_line("csrf", "the form expired") == "The form: the form expired"
    assert error_line("date", "must be an ISO date, e.g. 2022-11-02 (got 'x')") == (
        "Date must be a real date, such as 2 Nov 2022 (got 'x')"
    )
    assert field_label("forecast_outturn_gbp") == "Forecast outturn"


def test_money_dates_and_words() -> None:
    assert money("2500000.00") == "£2,500,000.00"
    assert money(Decimal("-1250")) == "-£1,250.00"
    assert money("£31,250.00") == "£31,250.00"
    assert money("not known") == "not known"
    assert day("2023-01-16") == day(date(2023, 1, 16)) == "16 Jan 2023"
    assert day("someday") == "someday"
    assert (words("virtual_ward"), words("dta"), words("core")) == ("virtual ward", "DTA", "core")
    assert (count(1, "core bed"), count(-2, "core bed")) == ("1 core bed", "-2 core beds")
    assert figure("forecast_outturn_gbp", "215430.90") == "£215,430.90"
    assert cell_words("2026-12-03 17:31:20") == "3 Dec 2026 17:31"
    assert cell_words("virtual_ward") == "virtual ward"


def test_explain_says_what_a_beds_open_scheme_reported_never_none() -> None:
    from projections.explain import beds_said, reported_said

    said = reported_said({"beds_open": 4, "beds_occupied": 3})
    assert said == "4 beds open, 3 beds occupied (the beds-equivalent is counted from beds open)"
    assert "no beds-equivalent" not in reported_said({})
    assert reported_said({"beds_equivalent": 8.4}) == "beds-equivalent 8.4"
    assert (beds_said(-1, "core"), beds_said(2, "dta")) == ("1 core bed", "2 DTA beds")
