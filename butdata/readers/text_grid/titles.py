"""Table titles of the grid document and the bodies printed under them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from butdata.formations import acronym
from butdata.readers.text_grid.rows import Row
from butdata.readers.text_grid.tokens import Final

TITLE = re.compile(
    r"^(?:B\.U\.T\.|BUT)\s+(?P<name>.+?)\s*(?:\((?P<site>[^)]*)\))?\s*-?\s*"
    r"Semestre\s+(?P<sem>\d)(?:\s+Parcours\s+(?P<parcours>.*))?$"
)
PASS_BUT = re.compile(r"\"?Pass'BUT\"?")


@dataclass
class Body:
    """The text between a title (or a final line) and the next final line or title."""

    rows: list[Row] = field(default_factory=list)
    final: Final | None = None
    header_lines: list[tuple[int, str]] = field(default_factory=list)
    leftover: list[int] = field(default_factory=list)  # text lines followed by no values
    labelled: list[tuple[int | None, str]] = field(default_factory=list)  # (competence, text)
    lost: list[int] = field(default_factory=list)  # label lines of rows whose values are lost


@dataclass
class Title:
    line: int
    text: str
    formation: str | None
    formation_name: str | None
    site: str | None
    semester: int | None
    parcours: str | None
    bodies: list[Body] = field(default_factory=list)


def parse_title(line: int, text: str) -> Title | None:
    """``B.U.T. <formation> [(site)] Semestre N [Parcours <parcours>]``, or None."""
    m = TITLE.match(text)
    if not m:
        return None
    name = m.group("name").strip()
    parcours = m.group("parcours")
    if PASS_BUT.search(name):
        name = PASS_BUT.sub("", name).strip()
        parcours = "Pass'BUT"
    name = name.rstrip(" -")
    acr = acronym(name)
    return Title(
        line,
        text,
        acr,
        name,
        (m.group("site") or "").strip() or None,
        int(m.group("sem")),
        (parcours or "").strip() or None,
    )
