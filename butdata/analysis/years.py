"""Which tables make a year: the odd-semester table and the even one of the next semester that
together form the RCUEs. One pairing rule, used by the simulation's choices
(:func:`butdata.analysis.queries.year_options`) and by the conformity checks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl


def _same_offer(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Same document, formation, site and alternance (a missing alternance is « no »)."""
    return (
        a.get("source") == b.get("source")
        and a.get("formation") == b.get("formation")
        and a.get("site") == b.get("site")
        and bool(a.get("alternance")) == bool(b.get("alternance"))
    )


def pair_records(records: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """``(odd table_id, even table_id)`` of every year among rows shaped like the ``tables``
    view: the even table of the next semester, same document, formation, site, alternance and
    parcours; a parcours year may pair with the tronc commun table of the other semester when
    that is the only one. Odd tables in their order, then their even tables in theirs."""
    pairs: list[tuple[str, str]] = []
    for a in records:
        sem = a.get("semester")
        if sem is None or sem % 2 != 1:
            continue
        evens = [b for b in records if b.get("semester") == sem + 1 and _same_offer(a, b)]
        same = [b for b in evens if b.get("parcours") == a.get("parcours")]
        if not same and a.get("parcours") is None:
            continue  # a tronc commun odd semester whose even semesters all have a parcours
        if not same:
            same = [b for b in evens if b.get("parcours") is None]
        pairs += [(str(a["table_id"]), str(b["table_id"])) for b in same]
    return pairs


def year_pairs(tables: pl.DataFrame) -> list[tuple[str, str]]:
    """:func:`pair_records` on a frame shaped like the ``tables`` view (``table_id``,
    ``semester``, ``source``, ``site``, ``alternance``, ``parcours``; ``formation`` when
    present)."""
    return pair_records(tables.to_dicts())
