"""Stable table ids: built from a table's identity, the same on every rebuild of the same
sources, unique within a document. Every reader names its tables through ``assign_table_ids``."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from butdata.model import Table
from butdata.text import slug


def source_key(file_name: str) -> str:
    """Short stable key of a source file: '000' for '000_f0acc9a397de0cbd.txt'."""
    stem = file_name.rsplit(".", 1)[0]
    m = re.match(r"^(\d+)_[0-9a-f]+$", stem)
    return m.group(1) if m else slug(stem)


def make_table_id(
    source: str,
    formation: str | None,
    site: str | None,
    semester: int | None,
    parcours: str | None,
    alternance: bool,
) -> str:
    """``000-qlio-s3-alt-qmi``: source key, formation, site, semester, alternance, parcours."""
    parts = [source_key(source), (formation or "x").lower()]
    if site:
        parts.append(slug(site))
    parts.append(f"s{semester}" if semester else "s0")
    if alternance:
        parts.append("alt")
    if parcours:
        parts.append(slug(parcours)[:40].strip("-"))
    return "-".join(parts)


def dedupe_ids(ids_and_lines: Sequence[tuple[str, int]]) -> list[str]:
    """Make ids unique within a document by suffixing the title line on collisions."""
    seen = Counter(tid for tid, _ in ids_and_lines)
    return [f"{tid}-l{line}" if seen[tid] > 1 else tid for tid, line in ids_and_lines]


def assign_table_ids(tables: Sequence[Table], source: str) -> list[Table]:
    """Give every table without an id one made from its identity (``source`` is the file that
    holds it), unique among the made ids. Returns the tables whose made id equals an id given
    by the file itself (a template may carry ids): the caller reports them."""
    todo = [t for t in tables if not t.table_id]
    made = dedupe_ids(
        [
            (
                make_table_id(source, t.formation, t.site, t.semester, t.parcours, t.alternance),
                t.line,
            )
            for t in todo
        ]
    )
    given = {t.table_id for t in tables if t.table_id}
    clashes = []
    for table, table_id in zip(todo, made):
        table.table_id = table_id
        if table_id in given:
            clashes.append(table)
    return clashes


NAMESPACE_SEPARATOR = ":"  # never in an id made above (slugs are [a-z0-9-])
# Leading qualifications by an imported file's name (an id exported from an import).
_QUALIFIED = re.compile(r"^(?:[A-Za-z0-9_-]+\.(?:csv|xlsx|pdf|xml):)+")


def namespaced_id(file_name: str, table_id: str) -> str:
    """The id of a table of a file imported through the page: ``mcc_gea.csv:gea-s1``, the file
    name then the id the file gives or the one made for it (without the file's own key, which
    the name already says). Ids of two files never meet, and none meets the id of a text
    document (no ``:`` there), so no file can take another's ids. An id already qualified (an
    export of an import, imported again) is qualified once, by the file that now holds it."""
    local = _QUALIFIED.sub("", table_id) or table_id
    own = source_key(file_name) + "-"
    if local.startswith(own) and len(local) > len(own):
        local = local[len(own) :]
    return f"{file_name}{NAMESPACE_SEPARATOR}{local}"
