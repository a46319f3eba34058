"""Which layout a table is, from its own rows (its header or its block labels)."""

from __future__ import annotations

import re

from butdata.readers.pdf.cells import Group, fold

BLOCKS, MODULES, GRID = "blocks", "modules", "grid"


def sniff(group: Group) -> str | None:
    """Which layout a table's own rows say it is (None: they do not say)."""
    for row in group.rows:
        texts = [fold(c.text).rstrip(" :") for c in row.cells if c.text]
        if not texts:
            continue
        first = texts[0]
        if re.match(r"^(ressources?|saes?|competences?)$", first) or first.startswith(
            ("total ressources", "total des ressources", "total sae", "total niveau")
        ):
            return BLOCKS
        if re.match(r"^c ?\d\.\d{1,2}\b", first):  # competence codes « C3.1 »: blocks only
            return BLOCKS
        if any(re.match(r"^code( pn| module)?$", t) for t in texts) and any(
            re.search(r"\bue ?\d", t) for t in texts
        ):
            return MODULES
        if any(t.startswith("total des coef") for t in texts[1:]) and any(
            t.startswith("rapport sae") or t == "ects" for t in texts
        ):
            return GRID
    return None
