"""The numbers of a grid line: its numeric tail, the row endings it allows (A, B, C) and their
sums, and the final line of column totals."""

from __future__ import annotations

import re
from dataclasses import dataclass

from butdata import fmt
from butdata.text import decimals, parse_number

NBSP = "\u00a0"
NUMBER = re.compile(r"^[0-9]+(?:,[0-9]+)?$")  # ASCII digits, never negative
EPS = 1e-6


@dataclass
class Token:
    printed: str  # "" for an empty cell (a lone no-break space)
    value: float | None


@dataclass
class Number(Token):
    """A printed number (a token that is not an empty cell)."""

    value: float


@dataclass
class Final:
    line: int
    grand: float | None
    ects: float | None
    aop: float | None
    columns: list[float]
    extras: list[str]


def shown(x: float | None) -> str:
    """A number as messages quote it (``?`` when unknown)."""
    return fmt.number(x, 4, missing="?")


def numeric_tail(raw: str) -> tuple[str, list[Token]]:
    """Split a raw line into its text prefix and its trailing numbers / empty cells."""
    parts = raw.split(" ")
    tokens: list[Token] = []
    i = len(parts)
    while i > 0:
        part = parts[i - 1]
        bare = part.strip(NBSP)
        if bare and NUMBER.match(bare):
            tokens.append(Number(bare, parse_number(bare)))
        elif not bare and part:
            tokens.append(Token("", None))  # lone no-break space(s): an empty cell
        elif part:
            break
        i -= 1
    tokens.reverse()
    while tokens and tokens[0].value is None:  # an empty cell needs a number on its left
        tokens.pop(0)
    return " ".join(parts[:i]), tokens


def is_ratio(token: Number) -> bool:
    return 0 <= token.value <= 1 and ("," in token.printed or token.value == 0)


def numbers(tokens: list[Token]) -> list[Number]:
    return [t for t in tokens if isinstance(t, Number)]


def half_unit(printed: str) -> float:
    """Half a unit of the last printed decimal: the rounding a printed number may carry."""
    return 0.5 * 10.0 ** -decimals(printed)


def ending(
    nums: list[Number], family: str | None
) -> tuple[list[Number], Number, Number, Number, Number | None]:
    """(cells, total, ects, ratio, aop) for a row-ending family ("AC"; otherwise "B")."""
    if family == "AC":
        return nums[:-4], nums[-4], nums[-3], nums[-2], nums[-1]
    return nums[:-3], nums[-3], nums[-2], nums[-1], None


def families(nums: list[Number]) -> list[str]:
    """Row-ending families the shape of the numbers allows."""
    fams = []
    if len(nums) >= 5 and is_ratio(nums[-2]) and nums[-3].value > 0:
        fams.append("AC")
    if len(nums) >= 4 and is_ratio(nums[-1]) and nums[-2].value > 0:
        fams.append("B")
    return fams


def sum_holds(
    cells: list[Number], total: Number, extra: float = 0.0, rounded: bool = False
) -> bool:
    diff = abs(sum(c.value for c in cells) + extra - total.value)
    if not rounded:
        return diff < EPS
    tol = half_unit(total.printed) + sum(half_unit(c.printed) for c in cells)
    return diff <= tol + EPS


def layouts_that_hold(nums: list[Number]) -> list[str]:
    """Row endings (A, B, C) whose sum holds for these numbers."""
    held = []
    for fam in families(nums):
        cells, total, _, _, aop = ending(nums, fam)
        if aop is not None:  # family AC
            if sum_holds(cells, total):
                held.append("A")
            if aop.value and sum_holds(cells, total, aop.value):
                held.append("C")
            if aop.value == 0 and "A" in held:
                held.append("C")
        elif sum_holds(cells, total, rounded=True):
            held.append("B")
    return held


def parse_final(tokens: list[Token], line: int) -> Final | None:
    """``[column totals] GRAND ECTS [empty] [AOP]``; None when the numbers don't fit."""
    nums = numbers(tokens)
    if len(nums) < 2:
        return None
    empty = next((i for i, t in enumerate(tokens) if t.value is None), None)
    aop: Number | None
    if empty is not None:
        before, after = numbers(tokens[:empty]), numbers(tokens[empty + 1 :])
        if len(before) < 2 or len(after) > 1:
            return None
        grand, ects, aop, cols = before[-2], before[-1], (after[0] if after else None), before[:-2]
    elif len(nums) == 2:
        grand, ects, aop, cols = nums[0], nums[1], None, []
    else:
        grand, ects, aop, cols = nums[-3], nums[-2], nums[-1], nums[:-3]
    columns = [c.value for c in cols] if len(cols) >= 2 else []
    extras = [c.printed for c in cols] if len(cols) == 1 else []
    return Final(line, grand.value, ects.value, aop.value if aop else None, columns, extras)
