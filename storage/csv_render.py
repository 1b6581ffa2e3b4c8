"""The CSV bytes: RFC 4180 quoting (the csv module's QUOTE_MINIMAL), UTF-8, `\\n` line ends, formula guard."""

from __future__ import annotations

import operator
import re
from typing import Iterable

from contracts.row import CSV_HEADER, TEXT_COLUMNS

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_INDEX = tuple(CSV_HEADER.index(c) for c in TEXT_COLUMNS)
GUARDED = frozenset(TEXT_INDEX)  # the only cells the formula guard applies to
_text_values = operator.itemgetter(*TEXT_INDEX)
_NEEDS_WORK = re.compile('(?:^|\x00)[=+\\-@\t\r]|[,"\r\n]')  # over the text cells joined by NUL
_cell_needs_work = re.compile('^[=+\\-@\t\r]|[,"\r\n]').search
_quote_worthy = re.compile('[,"\r\n]').search


def guard_cell(value: str) -> str:
    """Prefix a cell a spreadsheet would run as a formula with `'`."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def quote_cell(value: str) -> str:
    """RFC 4180 minimal quoting of one cell: quoted when it holds , " CR or LF; quotes doubled."""
    return '"' + value.replace('"', '""') + '"' if _quote_worthy(value) else value


def csv_line(row: tuple[str, ...]) -> str:
    """One checked row as a CSV line: formula guard, then RFC 4180 quoting, then `\\n`.

    The same bytes as the csv module's writer (QUOTE_MINIMAL, with the RFC's CRLF
    terminator so a bare CR is quoted too, then `\\n`): tests/unit/test_storage.py
    compares them on the simulator's data and on random cells. Only the free-text
    columns can hold a quote-worthy character or a formula start (the row
    contract's patterns keep every other column plain, and phones stay E.164), so
    a clean row is a plain join and an awkward one touches its text cells only.
    csv.writer itself costs about 10 µs a row, too much at a million rows.
    """
    if not _NEEDS_WORK.search("\x00".join(_text_values(row))):
        return ",".join(row) + "\n"
    cells = list(row)
    for i, value in zip(TEXT_INDEX, _text_values(row)):
        if _cell_needs_work(value):
            cells[i] = quote_cell(guard_cell(value))
    return ",".join(cells) + "\n"


HEADER_LINE = (",".join(CSV_HEADER) + "\n").encode("utf-8")


def render_rows(rows: Iterable[tuple[str, ...]]) -> bytes:
    """CSV lines for checked rows, without the header: one job's block."""
    return "".join(map(csv_line, rows)).encode("utf-8")
