"""French text for the printed page: numbers, percentages, dates, the selection line.

Rules (French typography, as the committees write them):
- decimal comma (``0,25``), thousands grouped with a narrow no-break space (``12 345``);
- a percentage is a ratio printed ×100 with one decimal and a narrow no-break space before
  ``%`` (``0.413`` → ``41,3 %``);
- a missing value (``None``, NaN) is printed as a placeholder (``—`` unless told otherwise),
  never as ``None``;
- dates in words: ``1er décembre 2026 à 10:42``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal

NNBSP = "\u202f"  # narrow no-break space: thousands, before « % »
NBSP = "\u00a0"  # no-break space: before « : »
PLACEHOLDER = "—"

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")

Number = int | float


def format_number(value: Number | None, decimals: int | None = None,
                  placeholder: str = PLACEHOLDER) -> str:
    """``1234.5`` → ``1 234,5``. ``decimals=None``: at most 2 decimals, trailing zeros dropped
    (``0.25`` → ``0,25``, ``2.0`` → ``2``), as the dashboard shows them; an int keeps no decimals
    unless ``decimals`` is given."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return placeholder
    if isinstance(value, float) and math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if isinstance(value, int) and decimals is None:
        text = f"{value:,d}"
    else:
        text = f"{value:,.{2 if decimals is None else decimals}f}"
        if decimals is None and "." in text:
            text = text.rstrip("0").rstrip(".")
    if text.lstrip("-").strip("0.,") == "":  # "-0", "-0.00": no sign on a zero
        text = text.lstrip("-")
    return text.replace(",", NNBSP).replace(".", ",")


def format_percent(ratio: Number | None, decimals: int = 1,
                   placeholder: str = PLACEHOLDER) -> str:
    """A ratio as a French percentage: ``0.413`` → ``41,3 %`` (fixed decimals)."""
    if ratio is None or (isinstance(ratio, float) and math.isnan(ratio)):
        return placeholder
    return f"{format_number(100 * ratio, decimals)}{NNBSP}%"


def _day(day: int) -> str:
    return "1er" if day == 1 else str(day)


def format_date_fr(value: dt.date) -> str:
    """``2026-12-01`` → ``1er décembre 2026``."""
    return f"{_day(value.day)} {MONTHS[value.month - 1]} {value.year}"


def format_datetime_fr(value: dt.datetime) -> str:
    """``2026-12-01 10:42`` → ``1er décembre 2026 à 10:42`` (in the datetime's own time zone)."""
    return f"{format_date_fr(value)} à {value:%H:%M}"


def format_selection(selection: Iterable[tuple[str, str]]) -> str:
    """``[("Formation", "QLIO"), ("Semestre", "S3")]`` → ``Formation : QLIO · Semestre : S3``."""
    return " · ".join(f"{label}{NBSP}: {value}" for label, value in selection)


def format_cell(value: object, *, decimals: int | None = None, percent: bool = False,
                placeholder: str = PLACEHOLDER) -> str:
    """One table cell as text: numbers in French, booleans as oui/non, lists joined with
    commas, dates as ``01/12/2026``; a missing value as ``placeholder``."""
    if value is None:
        return placeholder
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, int | float):
        if percent:
            return format_percent(value, 1 if decimals is None else decimals, placeholder)
        return format_number(value, decimals, placeholder)
    if isinstance(value, dt.datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, str):
        return value
    if isinstance(value, Sequence):
        return ", ".join(format_cell(v, decimals=decimals, percent=percent, placeholder=placeholder)
                         for v in value)
    return str(value)
