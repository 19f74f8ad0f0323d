import re

import pytest

from cpms.lib.csvdata import CsvDataError, CsvFile, unique

COLUMNS = ("code", "name", "active", "position")


def rows_of(tmp_path, text: str | bytes, columns=COLUMNS) -> list:
    path = tmp_path / "things.csv"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return list(CsvFile(path, columns).rows())


def refusal(tmp_path, text) -> str:
    with pytest.raises(CsvDataError) as excinfo:
        for row in rows_of(tmp_path, text):
            row.code("code", re.compile(r"[a-z]+"), "lower-case letters")
            row.text("name", max_length=10)
            row.flag("active")
            row.whole_number("position", default=0)
    return str(excinfo.value)


def test_it_reads_rows_with_their_line_numbers_in_any_column_order(tmp_path):
    rows = rows_of(
        tmp_path, '\ufeffname,code,position,active\nOne,a,,yes\n\n"Two\nlines",b,7,0\nThree,c,1,1\n'
    )
    assert [row.line for row in rows] == [2, 4, 6]
    assert [row["code"] for row in rows] == ["a", "b", "c"]
    assert rows[1].text("name", max_length=20) == "Two\nlines"
    assert rows[0].flag("active") is True and rows[1].flag("active") is False
    assert rows[0].whole_number("position", default=10) == 10 and rows[1].whole_number("position", 0) == 7


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "line 1: no header row"),
        ("code,name,active\n", "line 1: missing column 'position'"),
        ("code,name,active,position,colour\n", "line 1: unexpected column 'colour'"),
        ("code,code,name,active,position\n", "line 1: duplicate column 'code'"),
        ("code,name,active,position\na,A,yes\n", "line 2: 3 fields, expected 4"),
        ("code,name,active,position\na,A,yes,1\nB,B,yes,1\n", "line 3: code 'B' does not match lower-case"),
        ("code,name,active,position\na,,yes,1\n", "line 2: empty name"),
        ("code,name,active,position\na,Far too long a name,yes,1\n", "line 2: name is longer than 10"),
        ("code,name,active,position\na,A,maybe,1\n", "line 2: active 'maybe' is not true or false"),
        ("code,name,active,position\na,A,yes,-1\n", "line 2: position '-1' is not a whole number"),
        ("code,name,active,position\na,A,yes,١\n", "line 2: position '١' is not a whole number"),
        ('code,name,active,position\na,"A"x,yes,1\n', "line 2: malformed CSV"),
        (b"code,name,active,position\na,\xff,yes,1\n", "line 2: not valid UTF-8"),
    ],
)
def test_it_refuses_a_malformed_line_with_its_file_and_line(tmp_path, text, reason):
    message = refusal(tmp_path, text)
    assert message.startswith(f"{tmp_path / 'things.csv'}, line ")
    assert reason in message


def test_it_names_a_missing_file(tmp_path):
    with pytest.raises(CsvDataError, match=r"missing\.csv: file not found"):
        list(CsvFile(tmp_path / "missing.csv", COLUMNS).rows())


def test_it_refuses_a_duplicate_with_the_first_line(tmp_path):
    seen = {}
    rows = rows_of(tmp_path, "code,name,active,position\na,A,1,1\nb,B,1,1\na,C,1,1\n")
    unique(rows[0], seen, "a", "code 'a'")
    unique(rows[1], seen, "b", "code 'b'")
    with pytest.raises(CsvDataError, match="line 4: duplicate code 'a' \\(first on line 2\\)"):
        unique(rows[2], seen, "a", "code 'a'")


def test_it_raises_the_error_class_of_the_caller(tmp_path):
    class MyError(CsvDataError):
        pass

    (tmp_path / "x.csv").write_text("code\n")
    with pytest.raises(MyError):
        list(CsvFile(tmp_path / "x.csv", COLUMNS, error=MyError).rows())
