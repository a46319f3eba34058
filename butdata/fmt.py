"""French formatting of numbers and dates, in one place: decimal comma, narrow no-break space
between thousands and before « % », « — » for a missing value. Pages, charts, exports, the CLI
and printed documents all format through these functions."""

from __future__ import annotations

import math
from datetime import date, datetime

NNBSP = "\u202f"  # narrow no-break space: thousands separator, before « % »
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


def number(
    x: float | int | None, digits: int = 2, *, trim: bool = True, missing: str = MISSING
) -> str:
    """French decimal: ``number(0.25) == "0,25"``, ``number(1.5) == "1,5"``,
    ``number(1.5, trim=False) == "1,50"``, ``number(3090659) == "3 090 659"``, ``None`` -> « — »."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return missing
    if isinstance(x, float) and math.isinf(x):
        return "∞" if x > 0 else "-∞"
    text = f"{x:.{digits}f}" if digits > 0 else f"{round(x):d}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    sign = "-" if text.startswith("-") else ""
    text = text.lstrip("-")
    whole, _, frac = text.partition(".")
    out = sign + _group(whole) + ("," + frac if frac else "")
    return "0" if out in ("-0", "") else out


def integer(n: int | None, missing: str = MISSING) -> str:
    """``integer(3090659) == "3 090 659"``."""
    return missing if n is None else number(n, 0)


def percent(share: float | None, digits: int = 1, *, missing: str = MISSING) -> str:
    """A share in 0-1 as a French percentage: ``percent(0.4125) == "41,3 %"``,
    ``percent(0.475) == "47,5 %"``, ``percent(0.4) == "40 %"``."""
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
    """``day(date(2026, 12, 1)) == "1 décembre 2026"``."""
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def timestamp(t: datetime) -> str:
    """``timestamp(datetime(2026, 12, 1, 10, 42)) == "1 décembre 2026 à 10:42"``."""
    return f"{day(t)} à {t:%H:%M}"
