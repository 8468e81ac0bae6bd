"""When a month's return is due at the region (docs/rules.md §14): the n-th working day of the
following month, skipping weekends and England's bank holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from schemes.deadlines import deadline, is_working_day, status, working_day_of_month
from schemes.months import YearMonth
from schemes.regions import load_region
from schemes.rules import InputRefused


@pytest.mark.parametrize(
    ("month", "due"),
    [
        ("2022-10", date(2022, 11, 14)),  # no holidays: 1-4, 7-11, 14 Nov
        ("2022-11", date(2022, 12, 14)),
        ("2022-12", date(2023, 1, 16)),  # 2 Jan 2023 (New Year substitute) skipped
        ("2023-03", date(2023, 4, 18)),  # Good Friday 7 Apr and Easter Monday 10 Apr skipped
        ("2023-04", date(2023, 5, 16)),  # May Day 1 May and the Coronation 8 May skipped
        ("2022-08", date(2022, 9, 14)),  # 19 Sep 2022 (the State Funeral) comes after it
        ("2022-09", date(2022, 10, 14)),
    ],
)
def test_the_tenth_working_day_of_the_next_month(month: str, due: date) -> None:
    assert deadline(YearMonth.parse(month)) == due


def test_one_off_bank_holidays_and_weekends_are_not_working_days() -> None:
    assert not is_working_day(date(2022, 9, 19))  # State Funeral
    assert not is_working_day(date(2022, 12, 27))  # Christmas Day substitute
    assert not is_working_day(date(2022, 11, 12))  # a Saturday
    assert is_working_day(date(2022, 12, 28))
    # September 2022: 1-2, 5-9, 12-16, then the 19th is skipped
    assert working_day_of_month(YearMonth(2022, 9), 13) == date(2022, 9, 20)


def test_the_working_day_is_configurable() -> None:
    assert deadline(YearMonth(2022, 12), working_day=1) == date(2023, 1, 3)
    assert deadline(YearMonth(2022, 12), working_day=5) == date(2023, 1, 9)
    with pytest.raises(ValueError):
        working_day_of_month(YearMonth(2022, 12), 0)


def test_status_late_only_after_the_due_day_in_london() -> None:
    due = date(2022, 11, 14)
    on_time = datetime(2022, 11, 14, 23, 30, tzinfo=UTC)  # 23:30 GMT on the 14th
    assert status(on_time, 1, due) == "submitted"
    assert status(on_time, 2, due) == "resubmitted"
    assert status(datetime(2022, 11, 15, 0, 1, tzinfo=UTC), 1, due) == "late"
    assert status(datetime(2022, 11, 15, 0, 1, tzinfo=UTC), 3, due) == "late"
    assert status(None, 0, due) == "missing"
    # British Summer Time: 23:30 UTC on 17 April is already the 15th in London
    assert status(datetime(2023, 4, 17, 23, 30, tzinfo=UTC), 1, date(2023, 4, 17)) == "late"


def test_the_built_in_region_lists_the_six_east_of_england_icbs() -> None:
    y61 = load_region("Y61")
    assert y61.icb_codes == ["QHG", "QUE", "QM7", "QH8", "QMM", "QJG"]
    assert y61.deadline_working_day == 10
    with pytest.raises(InputRefused) as refused:
        load_region("Y99")
    assert refused.value.field == "region"


def test_the_deadline_rule_is_the_regions_setting() -> None:
    region = load_region("Y61")
    assert region.deadline_rule == "working_day"
    assert region.due(YearMonth(2022, 10)) == date(2022, 11, 14)
    assert "working day 10" in region.deadline_text
    month_end = region.model_copy(update={"deadline_rule": "month_end"})
    assert month_end.due(YearMonth(2022, 10)) == date(2022, 11, 30)
    assert month_end.due(YearMonth(2023, 3)) == date(2023, 4, 30)
    assert month_end.deadline_text == "at the end of the following month"
    with pytest.raises(InputRefused):
        from schemes.regions import parse_region

        parse_region('{"code": "Y61", "name": "x", "deadline_rule": "whenever", "icbs": []}')
