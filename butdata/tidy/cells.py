"""One template cell as a typed value: text, number (decimal point or comma), integer, yes/no."""

from __future__ import annotations

import math
import re
from typing import Any

from butdata.tidy.columns import FLOAT, INT, TEXT, Column

TRUE = {"true", "vrai", "oui", "o", "yes", "y", "1", "x"}
FALSE = {"false", "faux", "non", "n", "no", "0"}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\u00a0", " ").strip()
    return text or None


def parse_float(value: Any) -> float:
    """A cell as a number: XLSX numbers as they are, text with a decimal point or comma."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ValueError
        return float(value)
    text = str(value).replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if not re.fullmatch(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?", text):
        raise ValueError
    number = float(text.replace(",", "."))
    if not math.isfinite(number):  # "1e309" reads as infinity
        raise ValueError
    return number


def parse_cell(column: Column, value: Any) -> Any:
    """The typed value of a non-empty cell; ValueError with a French reason otherwise."""
    if column.type == TEXT:
        return _text(value)
    if column.type == FLOAT:
        try:
            return parse_float(value)
        except ValueError:
            raise ValueError(f"« {_text(value)} » n'est pas un nombre") from None
    if column.type == INT:
        try:
            number = parse_float(value)
        except ValueError:
            raise ValueError(f"« {_text(value)} » n'est pas un nombre entier") from None
        if not number.is_integer():
            raise ValueError(f"« {_text(value)} » n'est pas un nombre entier")
        return int(number)
    if isinstance(value, bool):
        return value
    text = (_text(value) or "").lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValueError(f"« {_text(value)} » : oui ou non attendu")


def number_text(value: Any) -> str:
    """The text of a typed number: kept as typed for text cells, shortest exact form otherwise."""
    if isinstance(value, str):
        return value.strip()
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)
