"""Reading exports: CSV (any delimiter, UTF-8 or cp1251) and .xlsx, then dates and amounts.

Everything is read as text first, so that a bad value can be reported with its row as written.
Rows are numbered as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import importlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import DataError, MappingError

DELIMITERS = (",", ";", "\t", "|")
DATE_FORMATS = "ISO yyyy-mm-dd, dd.mm.yyyy, dd/mm/yyyy or mm/dd/yyyy (a time after the date is ignored)"
_TIME = r"(?:[T ,]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: ?[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?)?"
ISO = re.compile(rf"^(\d{{4}})-(\d{{1,2}})-(\d{{1,2}}){_TIME}$")
DOTTED = re.compile(rf"^(\d{{1,2}})\.(\d{{1,2}})\.(\d{{4}}){_TIME}$")
SLASHED = re.compile(rf"^(\d{{1,2}})/(\d{{1,2}})/(\d{{4}}){_TIME}$")
NUMBER_NOISE = r"[\s\u00a0\u202f'’$€£₽¥]|^[A-Z]{3}|[A-Z]{3}$|руб\.?$|р\.$"


@dataclass
class Table:
    """One export file as text: its columns, the spreadsheet row of each record, what was detected."""

    file: str  # as shown in messages
    frame: pd.DataFrame
    rows: np.ndarray
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)

    def column(self, table: str, key: str, name: str) -> pd.Series:
        """The column a mapping key names, or an error with 'did you mean'."""
        if name not in self.frame.columns:
            columns = [str(c) for c in self.frame.columns]
            close = difflib.get_close_matches(name, columns, n=1, cutoff=0.5)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise MappingError(
                f"{self.file}: [{table}] {key} = {name!r} names no column of this file{hint}; "
                f"columns: {', '.join(repr(c) for c in columns)}"
            )
        return self.frame[name]

    def row_of(self, mask: Any) -> int:
        """The spreadsheet row of the first record where ``mask`` holds."""
        return int(self.rows[int(np.argmax(np.asarray(mask)))])


def decode(raw: bytes, encoding: str | None) -> tuple[str, str]:
    """The file's text and its encoding: UTF-8 (with or without BOM), else cp1251, unless one is given."""
    if encoding:
        try:
            return raw.decode(encoding), encoding
        except (LookupError, UnicodeDecodeError) as error:
            raise MappingError(f"cannot decode as {encoding!r} ({error}); allowed: utf-8, cp1251, ...") from None
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1251", errors="replace"), "cp1251"


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same number (>1) of fields, the most fields winning."""
    lines = text.splitlines()[:50]
    best, best_score = ",", (False, 0)
    for delimiter in DELIMITERS:
        counts = [len(row) for row in csv.reader(lines, delimiter=delimiter) if row]
        if not counts:
            continue
        score = (min(counts) == max(counts) and counts[0] > 1, counts[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv(path: Path, shown: str, options: dict[str, Any]) -> Table:
    """A CSV export as text; delimiter and encoding detected unless the mapping gives them."""
    text, encoding = decode(path.read_bytes(), options.get("encoding"))
    if not text.strip():
        raise DataError(shown, None, "-", "", "a header row and at least one record")
    delimiter = options.get("delimiter") or sniff_delimiter(text)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.ParserError as error:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
        if found:
            expected, line, saw = found.groups()
            raise MappingError(
                f"{shown}, row {line}: {saw} fields where the header has {expected} (delimiter {delimiter!r}); "
                "allowed: the same number of fields on every row (quote values that contain the delimiter)"
            ) from None
        raise MappingError(f"{shown}: not a readable CSV file ({error})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    rows = np.arange(2, len(frame) + 2)
    shown_delimiter = {"\t": "tab"}.get(delimiter, repr(delimiter))
    return Table(shown, frame, rows, delimiter, [f"CSV, {encoding}, delimiter {shown_delimiter}"])


def cell_text(value: Any) -> str:
    """An Excel cell as the text a CSV export would hold (dates as ISO, numbers with a decimal point)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def read_xlsx(path: Path, shown: str, options: dict[str, Any]) -> Table:
    """The first sheet (or the mapping's ``sheet``) of an .xlsx export as text."""
    try:
        openpyxl = importlib.import_module("openpyxl")
    except ImportError:
        raise MappingError(f"{shown}: reading .xlsx needs openpyxl (pip install openpyxl)") from None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise MappingError(f"{shown}: not a readable .xlsx file ({error})") from None
    sheet_name = options.get("sheet")
    if sheet_name is not None and sheet_name not in book.sheetnames:
        raise MappingError(f"{shown}: no sheet {sheet_name!r}; sheets: {', '.join(book.sheetnames)}")
    sheet = book[sheet_name] if sheet_name else book.worksheets[0]
    records = [[cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    if not records:
        raise DataError(shown, None, "-", "", "a header row and at least one record")
    header = [c or f"column {k + 1}" for k, c in enumerate(records[0])]
    body = [r + [""] * (len(header) - len(r)) for r in records[1:]]
    frame = pd.DataFrame([r[: len(header)] for r in body], columns=header, dtype=str)
    return Table(shown, frame, np.arange(2, len(frame) + 2), None, [f"Excel sheet '{sheet.title}'"])


def read_table(path: Path, shown: str, options: dict[str, Any]) -> Table:
    """An export file by its extension: ``.xlsx`` or CSV (anything else)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx(path, shown, options)
    if path.suffix.lower() == ".xls":
        raise MappingError(f"{shown}: old Excel .xls files are not read; allowed: save it as .xlsx or CSV")
    return read_csv(path, shown, options)


def text(values: pd.Series) -> pd.Series:
    """Values stripped of surrounding spaces."""
    return values.astype(str).str.strip()


def _split_dates(unique: pd.Series) -> dict[str, pd.DataFrame]:
    return {name: unique.str.extract(pattern) for name, pattern in (("iso", ISO), ("dot", DOTTED), ("slash", SLASHED))}


def date_order(table: Table, columns: dict[str, pd.Series], given: str | None) -> tuple[str, str]:
    """Day or month first for dates written a/b/yyyy, from the data across ``columns`` (or the mapping).

    Returns the order and how it was decided; refuses when the data cannot tell or contradicts itself.
    """
    if given:
        return given, f"a/b/yyyy dates read as {'dd/mm' if given == 'dmy' else 'mm/dd'} (mapping's date_order)"
    day_first = month_first = None
    any_slashed = False
    for name, values in columns.items():
        parts = text(values).str.extract(SLASHED)
        found = parts[0].notna()
        if not found.any():
            continue
        any_slashed = True
        first, second = parts[0][found].astype(int), parts[1][found].astype(int)
        if day_first is None and (first > 12).any():
            k = int(np.flatnonzero(found.to_numpy())[np.argmax((first > 12).to_numpy())])
            day_first = (name, table.rows[k], values.iloc[k])
        if month_first is None and (second > 12).any():
            k = int(np.flatnonzero(found.to_numpy())[np.argmax((second > 12).to_numpy())])
            month_first = (name, table.rows[k], values.iloc[k])
    if not any_slashed:
        return "dmy", ""
    if day_first and month_first:
        raise DataError(
            table.file,
            int(month_first[1]),
            month_first[0],
            month_first[2],
            f"one date order per file, but row {day_first[1]} has {day_first[2]!r} (day first) and this one "
            "has the month first; fix the export or set date_order",
        )
    if day_first:
        return "dmy", f"a/b/yyyy dates read as dd/mm/yyyy ({day_first[2]!r} in row {day_first[1]} has day > 12)"
    if month_first:
        return "mdy", f"a/b/yyyy dates read as mm/dd/yyyy ({month_first[2]!r} in row {month_first[1]} has day > 12)"
    raise MappingError(
        f"{table.file}: dates written a/b/yyyy never have a part above 12, so day and month cannot be told apart; "
        'allowed: set date_order = "dmy" or "mdy" in the mapping\'s table for this file'
    )


def parse_dates(table: Table, column: str, values: pd.Series, order: str) -> pd.Series:
    """Dates (datetime64, NaT where empty); a value in no known format stops with its row."""
    values = text(values)
    unique = pd.Series(values[values != ""].unique(), dtype=str)
    if unique.empty:
        return pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    parts = _split_dates(unique)
    year = parts["iso"][0].fillna(parts["dot"][2]).fillna(parts["slash"][2])
    dot_day, dot_month = parts["dot"][0], parts["dot"][1]
    slash_day, slash_month = (
        (parts["slash"][0], parts["slash"][1]) if order == "dmy" else (parts["slash"][1], parts["slash"][0])
    )
    month = parts["iso"][1].fillna(dot_month).fillna(slash_month)
    day = parts["iso"][2].fillna(dot_day).fillna(slash_day)
    unknown = year.isna()
    if unknown.any():
        bad = unique[unknown].iloc[0]
        raise DataError(table.file, table.row_of(values == bad), column, bad, DATE_FORMATS)
    stamps = pd.to_datetime(
        pd.DataFrame({"year": year.astype(int), "month": month.astype(int), "day": day.astype(int)}), errors="coerce"
    )
    if stamps.isna().any():
        bad = unique[stamps.isna()].iloc[0]
        raise DataError(table.file, table.row_of(values == bad), column, bad, "a calendar date (" + DATE_FORMATS + ")")
    lookup = dict(zip(unique, stamps, strict=True))
    return pd.to_datetime(values.map(lookup))


def _decimal_votes(clean: pd.Series) -> tuple[str | None, str | None]:
    """An example value proving a decimal comma, and one proving a decimal point (None: no proof)."""
    comma, dot = clean.str.rfind(","), clean.str.rfind(".")
    both = (comma >= 0) & (dot >= 0)
    comma_only, dot_only = (comma >= 0) & (dot < 0), (dot >= 0) & (comma < 0)
    comma_proof = (both & (comma > dot)) | (comma_only & ~clean.str.fullmatch(r"[-+]?\d{1,3}(,\d{3})+"))
    dot_proof = (both & (dot > comma)) | (dot_only & ~clean.str.fullmatch(r"[-+]?\d{1,3}(\.\d{3})+"))
    return (
        clean[comma_proof].iloc[0] if comma_proof.any() else None,
        clean[dot_proof].iloc[0] if dot_proof.any() else None,
    )


def parse_amounts(table: Table, column: str, values: pd.Series, decimal: str | None) -> tuple[pd.Series, str]:
    """Numbers (NaN where empty), decimal comma or point detected per column; returns how it was read."""
    raw = text(values)
    clean = raw.str.replace(NUMBER_NOISE, "", regex=True)
    filled = clean[clean != ""]
    note = f"'{column}': decimal {decimal!r} (mapping)" if decimal else ""
    if decimal is None:
        comma, dot = _decimal_votes(pd.Series(filled.unique(), dtype=str))
        if comma and dot:
            raise DataError(
                table.file,
                table.row_of(clean == dot),
                column,
                dot,
                f"one decimal separator per column, but {comma!r} uses a decimal comma; set decimal in the mapping",
            )
        decimal = "," if comma else "."
        note = f"'{column}': decimal {'comma' if comma else 'point'}" + (f" (e.g. {comma!r})" if comma else "")
    thousands = "." if decimal == "," else ","
    number = clean.str.replace(thousands, "", regex=False)
    if decimal == ",":
        number = number.str.replace(",", ".", regex=False)
    parsed = pd.to_numeric(number.where(number != ""), errors="coerce")
    bad = parsed.isna() & (clean != "")
    if bad.any():
        raise DataError(table.file, table.row_of(bad), column, raw[bad].iloc[0], "a number such as 1234.5 or 1 234,5")
    return parsed.astype(float), note
