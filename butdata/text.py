"""Text normalisation shared by the source readers."""

from __future__ import annotations

import re
import unicodedata

_REPLACE = str.maketrans(
    {
        "\u00a0": " ",  # no-break space
        "\u202f": " ",  # narrow no-break space
        "\u2010": "-",  # hyphen
        "\u2011": "-",
        "\u2013": "-",
        "\u2019": "'",
        "\u019f": "ti",  # 'Ɵ' stands for the "ti" ligature in the damaged extraction
    }
)

_SPACES = re.compile(r"[ \t]+")
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")  # coefficients are never negative


def normalize(text: str) -> str:
    """No-break spaces to spaces, U+2010 to '-', 'Ɵ' to 'ti', runs of spaces folded."""
    return _SPACES.sub(" ", text.translate(_REPLACE)).strip()


def is_number(token: str) -> bool:
    return bool(_NUMBER.match(token))


def parse_number(token: str) -> float:
    """A printed decimal ("1,25" or "1.50") as a float; raises ValueError otherwise."""
    if not _NUMBER.match(token):
        raise ValueError(f"not a number: {token!r}")
    return float(token.replace(",", "."))


def decimals(token: str) -> int:
    """How many decimals a printed number shows (its rounding precision)."""
    token = token.replace(",", ".")
    return len(token.split(".", 1)[1]) if "." in token else 0


def slug(text: str) -> str:
    """ASCII, lower case, words joined by '-': stable ids from printed names."""
    ascii_text = unicodedata.normalize("NFKD", normalize(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
