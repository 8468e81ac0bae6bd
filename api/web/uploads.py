"""Spreadsheet uploads from a browser: a CSV or XLSX file read into rows of text, with limits on
the bytes sent, the rows and columns read and (for an XLSX, which is a zip) the decompressed
size, checked before any parser sees the file so a small zip bomb cannot exhaust memory.

A workbook's own ``<dimension>`` is ignored: the reader would otherwise pad every row to the
declared width (a 17 KB file declaring ``A1:ZZZ5001`` asks for 91 million cells). Only the
header's columns are read, and rows times columns is capped. Reading is synchronous work:
routes call it in a worker thread (``run_in_threadpool``), never on the event loop."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

MAX_BYTES = 2_000_000
MAX_ROWS = 5_000
MAX_UNZIPPED = 20_000_000
MAX_CELL = 500  # characters kept of one cell
MAX_COLUMNS = 100  # columns of the header row
MAX_CELLS = 250_000  # rows times columns read from one file


class UploadRefused(ValueError):
    """The file as a whole cannot be read; names the form field, like InputRefused."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class Row:
    line: int  # the spreadsheet's own line number (the header is line 1)
    values: dict[str, str]


@dataclass(frozen=True)
class Sheet:
    columns: list[str]
    rows: list[Row]


ROW_FIELD = re.compile(r"row-(\d{1,7})-")  # a preview's hidden fields: row-{line}-{column}


def row_lines(values: Iterable[str]) -> list[int]:
    """The line numbers a confirmation form carries, ignoring any field not of that shape
    (a hand-made post must not answer 500)."""
    return sorted({int(m.group(1)) for v in values if (m := ROW_FIELD.match(v))})


def read_upload(name: str, data: bytes, field: str = "file", max_rows: int = MAX_ROWS) -> Sheet:
    """Reads the first sheet of an .xlsx or a .csv (UTF-8, with or without a BOM)."""
    if not data:
        raise UploadRefused(field, "the file is empty")
    if len(data) > MAX_BYTES:
        raise UploadRefused(field, f"the file is larger than {MAX_BYTES // 1_000_000} MB")
    lower = name.lower()
    if lower.endswith(".xlsx"):
        table = _xlsx_rows(data, field, max_rows)
    elif lower.endswith(".csv"):
        table = _csv_rows(data, field, max_rows)
    else:
        raise UploadRefused(field, "must be a .csv or .xlsx file")
    if not table:
        raise UploadRefused(field, "the file has no header row")
    columns = [c.strip().lower() for c in table[0]]
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if not any(c.strip() for c in cells):
            continue  # blank lines between blocks are common in ledger extracts
        padded = list(cells) + [""] * (len(columns) - len(cells))
        rows.append(Row(number, {c: v.strip() for c, v in zip(columns, padded, strict=False)}))
    return Sheet(columns, rows)


def _rows_allowed(field: str, width: int, max_rows: int) -> int:
    if width > MAX_COLUMNS:
        raise UploadRefused(field, f"the header row has more than {MAX_COLUMNS} columns")
    return min(max_rows, MAX_CELLS // max(width, 1))


def _csv_rows(data: bytes, field: str, max_rows: int) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadRefused(field, "a CSV file must be UTF-8 text") from None
    table: list[list[str]] = []
    width, allowed = 0, max_rows
    try:
        for cells in csv.reader(io.StringIO(text, newline="")):
            if not table:
                width = len(cells)
                allowed = _rows_allowed(field, width, max_rows)
            elif len(table) > allowed:
                raise UploadRefused(field, f"the file has more than {allowed} rows")
            table.append([c[:MAX_CELL] for c in cells[: max(width, 1)]])
    except csv.Error as error:
        raise UploadRefused(field, f"not a readable CSV file ({error})") from None
    return table


def _xlsx_rows(data: bytes, field: str, max_rows: int) -> list[list[str]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise UploadRefused(field, "not a readable .xlsx file") from None
    if unzipped > MAX_UNZIPPED:
        raise UploadRefused(
            field, f"the workbook unpacks to more than {MAX_UNZIPPED // 1_000_000} MB"
        )
    # openpyxl parses its XML with defusedxml when that is installed (entity expansion refused).
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        raise UploadRefused(field, f"not a readable .xlsx file ({type(error).__name__})") from None
    try:
        return _sheet_rows(book.worksheets[0], field, max_rows)
    except UploadRefused:
        raise
    except Exception as error:  # a damaged sheet is found only while it is read
        raise UploadRefused(field, f"not a readable .xlsx file ({type(error).__name__})") from None
    finally:
        book.close()


def _sheet_rows(sheet: Any, field: str, max_rows: int) -> list[list[str]]:
    sheet.reset_dimensions()  # the declared <dimension> is the sender's claim: not believed
    header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
    while header and header[-1] is None:
        header = header[:-1]
    allowed = _rows_allowed(field, len(header), max_rows)
    table = [["" if c is None else _cell(c)[:MAX_CELL] for c in header]]
    if not header:
        return table
    # One row past the cap is read, to tell "too many rows" from "exactly the cap".
    rows = sheet.iter_rows(min_row=2, max_row=allowed + 2, max_col=len(header), values_only=True)
    for cells in rows:
        if len(table) > allowed:
            raise UploadRefused(field, f"the file has more than {allowed} rows")
        table.append(["" if c is None else _cell(c)[:MAX_CELL] for c in cells])
    return table


def _cell(value: object) -> str:
    # A whole-number float from Excel (e.g. 12000.0) reads back as its plain decimal text.
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    if isinstance(value, date):  # a datetime is a date too: keep the day only
        return value.isoformat()[:10]
    return str(value)
