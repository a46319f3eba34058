"""Cells safe to open in a spreadsheet: the one rule against formula injection in CSV files.

A CSV cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a
formula by Excel or LibreOffice when the file is opened (``=HYPERLINK(…)``,
``+cmd|' /C calc'!A0``, ``@SUM(1+1)``). Following the OWASP recommendation, every CSV this
project writes (the tidy template from the page and the CLI, the tables of the pages) prefixes
such a cell with ``'``, which spreadsheets take as "this is text". A number (``-0.5``, ``+3``)
is left alone: it is not a formula.

The template reader undoes exactly what was written, so that the round trip stays exact: a
cell that is quotes followed by a dangerous start loses one quote. Text that itself begins with
quotes and a dangerous character gets one more quote on the way out, so that both directions
are inverse of each other. XLSX files need none of this: their cells are typed, and this
project writes strings as strings (never as formulas).
"""

from __future__ import annotations

import re

import polars as pl

# Quotes, then a character a spreadsheet starts a formula with.
DANGEROUS = r"^'*[=+\-@\t\r]"
# A plain number (what parse_float accepts), which no spreadsheet runs.
NUMBER = r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$"
_DANGEROUS = re.compile(DANGEROUS)
_NUMBER = re.compile(NUMBER)
_QUOTED = re.compile(r"^'+[=+\-@\t\r]")


def neutralise(text: str) -> str:
    """``=HYPERLINK(…)`` -> ``'=HYPERLINK(…)``; numbers and ordinary text unchanged."""
    if _DANGEROUS.match(text) and not _NUMBER.match(text):
        return "'" + text
    return text


def restore(text: str) -> str:
    """The inverse of ``neutralise`` for the cells of a CSV being read."""
    return text[1:] if _QUOTED.match(text) and not _NUMBER.match(text) else text


def neutralise_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Every text column of a frame with ``neutralise`` applied (vectorised, same rule)."""
    return df.with_columns(
        pl.when(pl.col(name).str.contains(DANGEROUS) & ~pl.col(name).str.contains(NUMBER))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name, dtype in df.schema.items()
        if dtype == pl.String
    )
