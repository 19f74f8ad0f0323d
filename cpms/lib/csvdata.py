"""Reference data in CSV files: declared columns, per-column checks, and errors that say where.

Every reference file (applications, profiles, ERNs, countries, institutions, thematic areas) is
read with `CsvFile(path, columns).rows()`: UTF-8 (a BOM is fine), one header row naming exactly
the declared columns in any order, then one record per line (a quoted field may span lines;
blank lines are skipped). Each `Row` checks its own fields. The first problem raises
`CsvDataError(path, line, reason)`, shown as "data/hcps.csv, line 12: unknown ERN 'ERN-XYZ'";
line 1 is the header row.
"""

import csv
import io
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

FLAGS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


class CsvDataError(Exception):
    """A problem in a data file, located by path and line (None for the whole file)."""

    def __init__(self, path: Path | str, line: int | None, reason: str):
        self.path = Path(path)
        self.line = line
        self.reason = reason
        super().__init__(str(self))

    def __str__(self) -> str:
        where = display_path(self.path)
        if self.line is None:
            return f"{where}: {self.reason}"
        return f"{where}, line {self.line}: {self.reason}"


def display_path(path: Path) -> str:
    """Relative to the working directory when inside it ("data/hcps.csv"), else as given."""
    try:
        return os.path.relpath(path) if Path(path).resolve().is_relative_to(Path.cwd()) else str(path)
    except ValueError:  # another drive on Windows
        return str(path)


def quoted(names: Iterable[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)


class CsvFile:
    """One CSV file with declared columns; `error` makes the exception raised for it."""

    def __init__(self, path: Path | str, columns: tuple[str, ...], *, error=CsvDataError):
        self.path = Path(path)
        self.columns = tuple(columns)
        self.error_class = error

    def error(self, line: int | None, reason: str) -> CsvDataError:
        return self.error_class(self.path, line, reason)

    def rows(self) -> Iterator["Row"]:
        reader = csv.reader(io.StringIO(self._text(), newline=""), strict=True)
        try:
            header = next(reader, None)
            if not header or not any(name.strip() for name in header):
                raise self.error(1, f"no header row; expected: {','.join(self.columns)}")
            header = [name.strip() for name in header]
            self._check_header(header)
            end = reader.line_num
            for values in reader:
                line, end = end + 1, reader.line_num  # where the record starts, even if it spans lines
                if not values:  # a blank line
                    continue
                if len(values) != len(header):
                    raise self.error(line, f"{len(values)} fields, expected {len(header)}")
                yield Row(
                    self, line, {name: value.strip() for name, value in zip(header, values, strict=True)}
                )
        except csv.Error as exc:
            raise self.error(reader.line_num, f"malformed CSV ({exc})") from None

    def _text(self) -> str:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            raise self.error(None, "file not found") from None
        except OSError as exc:
            raise self.error(None, f"cannot be read ({exc.strerror})") from None
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise self.error(raw[: exc.start].count(b"\n") + 1, "not valid UTF-8") from None

    def _check_header(self, header: list[str]) -> None:
        if duplicated := sorted({name for name in header if header.count(name) > 1}):
            raise self.error(1, f"duplicate column {quoted(duplicated)}")
        if missing := [name for name in self.columns if name not in header]:
            raise self.error(1, f"missing column {quoted(missing)}")
        if extra := [name for name in header if name not in self.columns]:
            raise self.error(1, f"unexpected column {quoted(extra)}; expected: {','.join(self.columns)}")


class Row:
    """One record: its line and stripped values, with checks whose failures name the file and line."""

    def __init__(self, file: CsvFile, line: int, values: dict[str, str]):
        self.file, self.line, self.values = file, line, values

    def __getitem__(self, column: str) -> str:
        return self.values[column]

    def fail(self, reason: str) -> CsvDataError:
        return self.file.error(self.line, reason)

    def text(self, column: str, *, max_length: int, required: bool = True) -> str:
        value = self.values[column]
        if required and not value:
            raise self.fail(f"empty {column}")
        if len(value) > max_length:
            raise self.fail(f"{column} is longer than {max_length} characters")
        return value

    def code(self, column: str, pattern: re.Pattern, expected: str, *, max_length: int = 40) -> str:
        value = self.text(column, max_length=max_length)
        if not pattern.fullmatch(value):
            raise self.fail(f"{column} '{value}' does not match {expected}")
        return value

    def flag(self, column: str) -> bool:
        value = self.text(column, max_length=10)
        try:
            return FLAGS[value.lower()]
        except KeyError:
            raise self.fail(f"{column} '{value}' is not true or false") from None

    def whole_number(self, column: str, default: int) -> int:
        value = self.text(column, max_length=10, required=False)
        if not value:
            return default
        if not (value.isascii() and value.isdigit()):
            raise self.fail(f"{column} '{value}' is not a whole number")
        return int(value)


def unique(row: Row, seen: dict, key, what: str) -> None:
    """Refuse a second row with the same key, naming the line of the first."""
    if key in seen:
        raise row.fail(f"duplicate {what} (first on line {seen[key]})")
    seen[key] = row.line
