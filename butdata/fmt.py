"""French formatting of numbers and dates, in one place: decimal comma, narrow no-break space
between thousands and before « % », « — » for a missing value. Pages, charts, exports, the CLI
and printed documents all format through these functions."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

NNBSP = "\u202f"  # narrow no-break space: thousands separator, before « % »
NBSP = "\u00a0"  # no-break space: before « : »
MISSING = "—"
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
# Float noise guard when rounding toward a bound (9.99999999999 is 10 for display).
_NOISE = 1e-9


def _group(digits: str) -> str:
    """'3090659' -> '3 090 659' (narrow no-break spaces)."""
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return NNBSP.join(parts)


def _fixed(x: float | int, digits: int) -> str:
    """``x`` with ``digits`` decimals, a half rounded up on its shortest decimal form, as a
    person rounds the printed number (41,25 -> 41,3); an f-string rounds the binary value half to
    even (41.25 -> "41.2")."""
    try:
        exact = Decimal(x) if isinstance(x, int) else Decimal(repr(float(x)))
        return f"{exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP):f}"
    except InvalidOperation:  # beyond the decimal context's precision: huge numbers
        return f"{x:.{digits}f}"


def number(
    x: float | int | None, digits: int = 2, *, trim: bool = True, missing: str = MISSING
) -> str:
    """French decimal: ``number(0.25) == "0,25"``, ``number(1.5) == "1,5"``,
    ``number(1.5, trim=False) == "1,50"``, ``number(3090659) == "3 090 659"``, ``None`` -> « — »."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return missing
    if isinstance(x, float) and math.isinf(x):
        return "∞" if x > 0 else "-∞"
    text = _fixed(x, max(digits, 0))
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    sign = "-" if text.startswith("-") else ""
    whole, _, frac = text.lstrip("-").partition(".")
    if sign and not whole.strip("0") and not frac.strip("0"):
        sign = ""  # no sign on a zero
    return sign + _group(whole) + ("," + frac if frac else "")


def integer(n: int | None, missing: str = MISSING) -> str:
    """``integer(3090659) == "3 090 659"``."""
    return missing if n is None else number(n, 0)


def percent(share: float | None, digits: int = 2, *, missing: str = MISSING) -> str:
    """A share in 0-1 as a French percentage, at most ``digits`` decimals:
    ``percent(0.4125) == "41,25 %"``, ``percent(0.475) == "47,5 %"``, ``percent(0.4) == "40 %"``,
    ``percent(0.4125, 1) == "41,3 %"``."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return missing
    return f"{number(100 * share, digits)}{NNBSP}%"


def floor_to(x: float, digits: int) -> float:
    """Round down, tolerant of float noise (9.99999999999 shows as 10 only when it counts as 10)."""
    f = 10.0**digits
    return math.floor(x * f + _NOISE * f) / f


def ceil_to(x: float, digits: int) -> float:
    """Round up, so that obtaining the shown grade does reach the mark."""
    f = 10.0**digits
    return math.ceil(x * f - _NOISE * f) / f


def seconds(s: float | None) -> str:
    """A duration: ``seconds(0.5) == "0,5 s"``."""
    return MISSING if s is None else f"{number(s, 1 if s < 10 else 0)}{NNBSP}s"


def day(d: date | datetime) -> str:
    """``day(date(2026, 12, 1)) == "1er décembre 2026"`` (« 1er », as French writes the first
    of the month), ``day(date(2026, 3, 15)) == "15 mars 2026"``."""
    first = "1er" if d.day == 1 else str(d.day)
    return f"{first} {MONTHS[d.month - 1]} {d.year}"


def timestamp(t: datetime) -> str:
    """``timestamp(datetime(2026, 12, 1, 10, 42)) == "1er décembre 2026 à 10:42"``."""
    return f"{day(t)} à {t:%H:%M}"


def selection(items: Iterable[tuple[str, str]]) -> str:
    """``[("Formation", "QLIO"), ("Semestre", "S3")]`` -> ``Formation : QLIO · Semestre : S3``."""
    return " · ".join(f"{label}{NBSP}: {value}" for label, value in items)


def cell(
    value: object, *, digits: int | None = None, percent_: bool = False, missing: str = MISSING
) -> str:
    """One table cell as text: numbers in French (``digits=None``: at most 2 decimals, trailing
    zeros dropped; else exactly ``digits``), shares as percentages, booleans as oui/non, lists
    joined with commas, dates as ``01/12/2026``; a missing value as ``missing``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, int | float):
        if percent_:
            return percent(value, 1 if digits is None else digits, missing=missing)
        if digits is None:
            return number(value, 2 if isinstance(value, float) else 0, missing=missing)
        return number(value, digits, trim=False, missing=missing)
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, str):
        return value
    if isinstance(value, Sequence):
        return ", ".join(cell(v, digits=digits, percent_=percent_, missing=missing) for v in value)
    return str(value)
