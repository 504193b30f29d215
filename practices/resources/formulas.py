"""Cells a spreadsheet would run as a formula: neutralised on export, read back on import.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and some a tab or a carriage
return first) as a formula. Which cells it sees depends on how it opens the file:

- CSV: a spreadsheet that opens the file with another delimiter than the one it was written
  with (`;` or tab, as some locales do) splits a cell at that delimiter, and the part after
  it starts a cell of its own: `x;=1+1` would be two cells, the second a formula. So a CSV
  export quotes every cell (which keeps most spreadsheets from splitting it at all), and puts
  an apostrophe, which makes a spreadsheet read a cell as text, at the start of the cell and
  after every `,` `;` tab or line break where a formula character follows (after any
  apostrophes or double quotes, which a spreadsheet may drop): `'=1+1`, `x;'=1+1`.
- XLSX: a text cell is written as text (never as a formula, whatever it starts with), so the
  value stays as it is.
- JSON: not opened by spreadsheets; the value stays as it is.

Reading back removes exactly what was added, so that any value survives an export and an
import unchanged: an apostrophe is added only where the value, at that place, already reads
`'…'"…"=` (apostrophes and quotes, any number of each, then a formula character) once it is
added; an import removes one apostrophe where it finds that. In XLSX and JSON the same holds
at the start of the value only: a value that itself starts with an apostrophe before a
formula character gets one more, so that older exports, which put one before every such
value in every format, read back as they were meant.
"""

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Where a spreadsheet opening a CSV with any common delimiter may start a cell.
SEPARATORS = ",;\t\r\n"

_DANGER = "'*\"*[" + re.escape("".join(FORMULA_STARTS)) + "]"
_PART_START = f"(?:^|(?<=[{re.escape(SEPARATORS)}]))"
_AT_EVERY_PART = re.compile(f"{_PART_START}(?={_DANGER})")
_ADDED_TO_EVERY_PART = re.compile(f"{_PART_START}'(?={_DANGER})")
_ADDED_AT_START = re.compile(f"^'(?={_DANGER})")
_ESCAPE_AT_START = re.compile(f"^(?='+\"*[{re.escape(''.join(FORMULA_STARTS))}])")


def neutralise(value):
    """A CSV cell's text with an apostrophe at the start of every part a spreadsheet might
    run as a formula (see the module docstring)."""
    if isinstance(value, str):
        return _AT_EVERY_PART.sub("'", value)
    return value


def restore(text):
    """The value of a CSV cell written by `neutralise`."""
    return _ADDED_TO_EVERY_PART.sub("", text)


def escape_start(value):
    """A value for an XLSX or JSON export: as it is, unless it starts with apostrophes
    before a formula character, which `restore_start` would take one of."""
    if isinstance(value, str):
        return _ESCAPE_AT_START.sub("'", value, count=1)
    return value


def restore_start(text):
    """The value of an XLSX or JSON cell: one apostrophe less before a formula character."""
    return _ADDED_AT_START.sub("", text, count=1)
