"""CSV cells that a spreadsheet shows as typed and never runs."""

import pytest

from app.printouts.csv_export import neutralise, write_csv


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 7700 900000", "'+44 7700 900000"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rReturn", "'\rReturn"),
        ('=HYPERLINK("http://evil.test")', '\'=HYPERLINK("http://evil.test")'),
        ("Accrington", "Accrington"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (-2, -2),
        (3.5, 3.5),
        (True, "yes"),
        (False, "no"),
    ],
)
def test_neutralise_cell_as_typed(value: object, expected: object) -> None:
    assert neutralise(value) == expected


def test_write_csv_has_bom_crlf_and_quotes() -> None:
    body = write_csv(["name", "note"], [["Zoë Ńowak", 'says "hi", then\nleaves'], ["=cmd", 5]])
    assert body == (
        b"\xef\xbb\xbfname,note\r\n" + 'Zoë Ńowak,"says ""hi"", then\nleaves"\r\n'.encode() + b"'=cmd,5\r\n"
    )
