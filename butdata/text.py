"""Text normalisation shared by the source readers."""

from __future__ import annotations

import re
import unicodedata

_REPLACE = str.maketrans({
    "\u00a0": " ",  # no-break space
    "\u202f": " ",  # narrow no-break space
    "\u2010": "-",  # hyphen
    "\u2011": "-",
    "\u2013": "-",
    "\u2019": "'",
    "\u019f": "ti",  # 'Ɵ' stands for the "ti" ligature in the damaged extraction
})

_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")  # coefficients are never negative


def normalize(text: str) -> str:
    """No-break spaces to spaces, U+2010 to '-', 'Ɵ' to 'ti', runs of spaces folded."""
    return re.sub(r"[ \t]+", " ", text.translate(_REPLACE)).strip()


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


def source_key(file_name: str) -> str:
    """Short stable key of a source file: '000' for '000_f0acc9a397de0cbd.txt'."""
    stem = file_name.rsplit(".", 1)[0]
    m = re.match(r"^(\d+)_[0-9a-f]+$", stem)
    return m.group(1) if m else slug(stem)


def make_table_id(source: str, formation: str | None, site: str | None, semester: int | None,
                  parcours: str | None, alternance: bool) -> str:
    """Stable id built from the table's identity (the same on every rebuild of the same sources)."""
    parts = [source_key(source), (formation or "x").lower()]
    if site:
        parts.append(slug(site))
    parts.append(f"s{semester}" if semester else "s0")
    if alternance:
        parts.append("alt")
    if parcours:
        parts.append(slug(parcours)[:40].strip("-"))
    return "-".join(parts)


def dedupe_ids(ids_and_lines: list[tuple[str, int]]) -> list[str]:
    """Make ids unique within a document by suffixing the title line on collisions."""
    seen: dict[str, int] = {}
    for tid, _ in ids_and_lines:
        seen[tid] = seen.get(tid, 0) + 1
    return [f"{tid}-l{line}" if seen[tid] > 1 else tid for tid, line in ids_and_lines]
