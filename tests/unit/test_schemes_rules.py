"""Input rules, NHS numbers and financial months."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from schemes.months import (
    YearMonth,
    financial_month,
    financial_month_label,
    financial_year,
    months_in_period,
    window_days,
)
from schemes.rules import (
    InputRefused,
    check_beds_equivalent,
    check_count,
    check_money,
    check_number,
    check_text,
    contains_nhs_number,
    is_nhs_number,
    parse_date,
    parse_decimal,
    parse_uk_money,
    uk_amount,
)

START, END = date(2022, 10, 1), date(2023, 3, 31)


def test_financial_months_start_in_april() -> None:
    assert financial_month(date(2022, 4, 1)) == 1
    assert financial_month_label(YearMonth(2022, 10)) == "M7"
    assert financial_month_label(YearMonth(2023, 3)) == "M12"
    assert financial_year(date(2023, 1, 15)) == "2022/23"
    assert financial_year(date(2022, 10, 1)) == "2022/23"
    assert financial_year(date(2023, 4, 1)) == "2023/24"


def test_months_of_the_winter() -> None:
    assert [str(m) for m in months_in_period(START, END)] == [
        "2022-10",
        "2022-11",
        "2022-12",
        "2023-01",
        "2023-02",
        "2023-03",
    ]
    assert YearMonth(2022, 12).next() == YearMonth(2023, 1)
    assert YearMonth(2023, 1).previous() == YearMonth(2022, 12)


def test_window_is_clipped_by_as_of_and_the_period() -> None:
    assert len(window_days(YearMonth(2022, 10), START, END, date(2022, 10, 10))) == 10
    assert len(window_days(YearMonth(2022, 9), START, END, date(2023, 1, 1))) == 0
    assert len(window_days(YearMonth(2023, 3), START, date(2023, 3, 15), date(2023, 6, 1))) == 15


@pytest.mark.parametrize("text", ["2022-13", "22-10", "October", "2022-1x", ""])
def test_bad_months_are_refused(text: str) -> None:
    with pytest.raises(InputRefused) as caught:
        YearMonth.parse(text)
    assert caught.value.field == "month"


def test_nhs_number_checksum() -> None:
    assert is_nhs_number("9434765919")
    assert not is_nhs_number("9434765918")
    assert contains_nhs_number("patient 943 476 5919 discharged")
    assert contains_nhs_number("ref 943-476-5919")
    assert not contains_nhs_number("call 01234 567890 or 943476591")
    assert not contains_nhs_number("94347659190 is eleven digits")
    assert not contains_nhs_number("beds 12, discharges 10")


def test_text_rules_name_the_field() -> None:
    with pytest.raises(InputRefused, match="narrative: must be at most 2,000"):
        check_text("narrative", "x" * 2001)
    with pytest.raises(InputRefused, match="NHS number"):
        check_text("reason", "pt 9434765919")
    assert check_text("reason", "typo") == "typo"


@pytest.mark.parametrize(
    ("value", "reason"),
    [(-1, "negative"), (2.5, "whole"), ("NaN", "finite"), ("abc", "number"), (2001, "at most")],
)
def test_count_refusals(value: object, reason: str) -> None:
    with pytest.raises(InputRefused, match=reason):
        check_count("beds_occupied", value, 2000)


def test_money_in_pounds_and_pence() -> None:
    assert check_money("amount_gbp", "48333") == Decimal("48333.00")
    assert check_money("amount_gbp", 7916.56) == Decimal("7916.56")
    with pytest.raises(InputRefused, match="100,000,000"):
        check_money("amount_gbp", "100000000.01")
    with pytest.raises(InputRefused, match="pence"):
        check_money("amount_gbp", "1.005")


@pytest.mark.parametrize("value", ["1E+1000000", "-1e999999", "1" * 40, "1E-1000000", "NaN"])
def test_a_number_out_of_range_is_refused_naming_the_field(value: str) -> None:
    for check in (check_beds_equivalent, check_money, check_number):
        with pytest.raises(InputRefused) as refused:
            check("beds_equivalent", value)
        assert refused.value.field == "beds_equivalent"


@pytest.mark.parametrize(
    "value",
    ["1E+1000000", "-1E+1000000", "1e-1000000", "9" * 31, "1" + "0" * 13, "NaN", "-Infinity"],
)
def test_a_number_too_large_or_too_fine_to_compute_with_is_refused_before_arithmetic(
    value: str,
) -> None:
    for check in (
        lambda: check_beds_equivalent("beds_equivalent", value),
        lambda: check_money("amount_gbp", value),
        lambda: check_count("discharges.p1", value, 10_000),
    ):
        with pytest.raises(InputRefused) as refused:
            check()
        assert refused.value.field in ("beds_equivalent", "amount_gbp", "discharges.p1")


def test_the_figure_ceiling_itself_is_accepted() -> None:
    assert parse_decimal("x", "1E+12") == Decimal("1000000000000")
    assert parse_decimal("x", "0.5") == Decimal("0.5")


@pytest.mark.parametrize(
    ("typed", "pounds"),
    [
        ("31,250.00", "31250.00"),
        ("£1,000", "1000.00"),
        ("£45,000.00", "45000.00"),
        (" £ 2,500,000.5 ", "2500000.50"),
        ("1000", "1000.00"),
    ],
)
def test_money_as_a_uk_user_types_it(typed: str, pounds: str) -> None:
    assert parse_uk_money("amount_gbp", typed) == Decimal(pounds)


def test_a_negative_amount_keeps_its_sign_for_the_check_that_refuses_it() -> None:
    assert uk_amount("-£1,000") == uk_amount("£-1,000") == "-1000"
    with pytest.raises(InputRefused, match="must not be negative"):
        parse_uk_money("amount_gbp", "-£1,000")


@pytest.mark.parametrize("typed", ["1,00", "12,34,567", "£", "£1,000,00", "1.000,50", "--1"])
def test_misplaced_separators_are_refused_not_guessed(typed: str) -> None:
    assert uk_amount(typed) == typed  # left as typed, for the number check to refuse
    with pytest.raises(InputRefused) as refused:
        parse_uk_money("amount_gbp", typed)
    assert refused.value.field == "amount_gbp"


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("16/01/2023", date(2023, 1, 16)),
        ("2023-01-16", date(2023, 1, 16)),
        ("1/2/2023", date(2023, 2, 1)),
    ],
)
def test_dates_typed_the_uk_way_or_iso(typed: str, day: date) -> None:
    assert parse_date("received_on", typed) == day


@pytest.mark.parametrize("typed", ["31/02/2023", "01/16/2023", "16-01-2023", "tomorrow", ""])
def test_an_impossible_date_is_refused_with_an_example(typed: str) -> None:
    with pytest.raises(InputRefused) as refused:
        parse_date("received_on", typed)
    assert refused.value.field == "received_on"
    assert "for example 16/01/2023" in refused.value.reason
