"""One validating reader for CSV data, as spreadsheets save it; every fault names its line.

A spreadsheet's CSV may start with a byte-order mark, end with empty rows or empty trailing
columns, or use another delimiter: the mark and the empty cells are accepted, anything that
cannot be read as the table its header announces is a :class:`DataError` with the file's line.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


class DataError(Exception):
    """A fault in a data file, at a 1-based line."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


@dataclass
class Row:
    line: int  # where the record starts
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values[column]


@dataclass
class Table:
    path: Path
    columns: list[str]
    rows: list[Row] = field(default_factory=list)

    def require(self, *columns: str) -> None:
        """Each named column is in the header (line 1)."""
        for column in columns:
            if column not in self.columns:
                known = ", ".join(repr(c) for c in self.columns)
                raise DataError(self.path, 1, f"has no column {column!r}; its columns are {known}")

    def text(self, row: Row, column: str) -> str:
        """The cell's text, which may not be blank."""
        value = row[column].strip()
        if not value:
            raise DataError(self.path, row.line, f"column {column!r} is blank")
        return value

    def number(self, row: Row, column: str) -> float:
        """The cell as a finite number (a blank, NaN or word is a fault)."""
        value = self.text(row, column)
        try:
            number = float(value.replace("\u2212", "-"))
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise DataError(self.path, row.line, f"column {column!r}: {value!r} is not a number")
        return number

    def texts(self, column: str) -> list[str]:
        """Every row's cell of ``column`` as text, none blank."""
        return [self.text(row, column) for row in self.rows]

    def numbers(self, column: str) -> list[float]:
        """Every row's cell of ``column`` as a finite number (a blank, NaN or word a fault)."""
        return [self.number(row, column) for row in self.rows]

    def numbers_or_gaps(self, column: str) -> list[float | None]:
        """Every row's cell of ``column`` as a finite number, or None where it is blank (a gap
        in a series); a word or NaN is a fault."""
        return [self.number(row, column) if row[column].strip() else None for row in self.rows]


def read_table(path: Path) -> Table:
    """The header and the rows of a comma-separated UTF-8 file (a byte-order mark is fine)."""
    try:
        data = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raw = path.read_bytes()
        line = raw.count(b"\n", 0, error.start) + 1
        raise DataError(path, line, "is not UTF-8: save the file as CSV UTF-8") from error
    records = csv.reader(io.StringIO(data, newline=""), strict=True)
    table: Table | None = None
    end = 0  # the line the previous record ended on
    try:
        for values in records:
            start, end = end + 1, records.line_num
            if not any(v.strip() for v in values):
                continue  # blank lines and rows of empty cells
            if table is None:
                table = _header(path, start, values)
                continue
            table.rows.append(_row(table, start, values))
    except csv.Error as error:
        raise DataError(path, records.line_num, f"is not valid CSV: {error}") from error
    if table is None:
        raise DataError(path, 1, "is empty: it needs a header row and data rows")
    if not table.rows:
        raise DataError(path, end or 1, "has a header but no data rows")
    return table


def _header(path: Path, line: int, values: list[str]) -> Table:
    columns = [v.strip() for v in values]
    while columns and not columns[-1]:
        columns.pop()  # empty trailing columns a spreadsheet saved
    if len(columns) == 1:
        for delimiter, name in OTHER_DELIMITERS.items():
            if delimiter in columns[0]:
                raise DataError(
                    path, line, f"separates its columns with {name}: save it as comma-separated"
                )
    for index, name in enumerate(columns, 1):
        if not name:
            raise DataError(path, line, f"column {index} of the header has no name")
        if columns.index(name) != index - 1:
            raise DataError(path, line, f"the header names column {name!r} twice")
    return Table(path, columns)


def _row(table: Table, line: int, values: list[str]) -> Row:
    width = len(table.columns)
    extra = values[width:]
    if any(v.strip() for v in extra):
        raise DataError(
            table.path,
            line,
            f"the row has {len(values)} values but the header names {width} columns",
        )
    if len(values) < width:
        missing = ", ".join(repr(c) for c in table.columns[len(values) :])
        raise DataError(
            table.path,
            line,
            f"the row has {len(values)} values but the header names {width} columns "
            f"(no value for {missing})",
        )
    return Row(line, dict(zip(table.columns, values, strict=False)))
