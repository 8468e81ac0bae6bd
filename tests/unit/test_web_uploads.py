"""The upload reader: CSV and XLSX rows with their line numbers, and each limit refused with
the form field named before any parser reads an oversize file."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from api.web import uploads
from api.web.uploads import UploadRefused, read_upload


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_csv_rows_keep_their_line_numbers_and_skip_blank_lines() -> None:
    data = "\ufeffScheme,Amount_GBP\r\na,1\r\n,\r\nb,2.50\r\n".encode()
    sheet = read_upload("ledger.CSV", data)
    assert sheet.columns == ["scheme", "amount_gbp"]
    assert [(r.line, r.values["scheme"], r.values["amount_gbp"]) for r in sheet.rows] == [
        (2, "a", "1"),
        (4, "b", "2.50"),
    ]


def test_xlsx_rows_read_numbers_as_plain_text() -> None:
    sheet = read_upload("ledger.xlsx", xlsx([["scheme", "amount"], ["a", 12000.0], ["b", 1.25]]))
    assert [(r.line, r.values["amount"]) for r in sheet.rows] == [(2, "12000"), (3, "1.25")]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("a.csv", b"", "empty"),
        ("a.txt", b"x", ".csv or .xlsx"),
        ("a.csv", b"\xff\xfe\x00bad", "UTF-8"),
        ("a.xlsx", b"not a zip", "not a readable .xlsx"),
        ("a.csv", b"x" * (uploads.MAX_BYTES + 1), "larger than"),
    ],
)
def test_unreadable_files_are_refused_naming_the_field(name: str, data: bytes, reason: str) -> None:
    with pytest.raises(UploadRefused) as refused:
        read_upload(name, data)
    assert refused.value.field == "file"
    assert reason in refused.value.reason


def test_too_many_rows_are_refused() -> None:
    data = ("scheme\n" + "a\n" * 11).encode()
    with pytest.raises(UploadRefused, match="more than 10 rows"):
        read_upload("a.csv", data, max_rows=10)
    with pytest.raises(UploadRefused, match="more than 10 rows"):
        read_upload("a.xlsx", xlsx([["scheme"]] + [["a"]] * 11), max_rows=10)


def test_a_zip_that_unpacks_too_large_is_refused_before_openpyxl_opens_it() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (uploads.MAX_UNZIPPED + 1))
    assert len(buffer.getvalue()) < uploads.MAX_BYTES  # small on the wire, huge unpacked
    with pytest.raises(UploadRefused, match="unpacks to more than"):
        read_upload("bomb.xlsx", buffer.getvalue())


def test_a_confirmation_form_reads_only_well_formed_row_fields() -> None:
    fields = ["row-3-scheme", "row-3-amount", "row-12-basis", "row-x-scheme", "row-", "rowing"]
    assert uploads.row_lines(fields) == [3, 12]
