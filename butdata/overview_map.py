"""The home page's map of the store: one square per table, one row per formation · document, one
column per semester (the parcours of a semester side by side); colour = what the table allows.

On screen it is plain HTML (:func:`map_html`): the first page of a fresh server then needs no
chart library in the browser (plotly.js is ≈ 1,2 s of the browser's work there, measured). The
print and the download keep a plotly figure (:func:`butdata.charts.overview_map`). Both take
their rows, colours and hover texts from here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from butdata import fmt
from butdata.vocab import EMPTY, MODULES_KNOWN, PARTIAL, RELIABILITIES, RELIABILITY_LABELS, UE_ONLY

RELIABILITY_COLORS = {
    MODULES_KNOWN: "#2e7d32",
    UE_ONLY: "#4f86c6",
    PARTIAL: "#ef8f00",
    EMPTY: "#9e9e9e",
}
LEGEND_TITLE = "Ce que permet le tableau : "
SEMESTERS = (1, 2, 3, 4, 5, 6)  # the columns a B.U.T. always has; others are added when present
NO_SEMESTER = "sans semestre"


@dataclass
class MapRow:
    label: str  # formation · document
    cells: dict[int | None, list[dict[str, Any]]] = field(default_factory=dict)  # semester → tables


def row_label(formation: str | None, doc: str | None) -> str:
    return f"{formation or '?'} · {doc or ''}"


def tip_lines(r: Mapping[str, Any]) -> list[str]:
    """What hovering a table's square says (plain text, the first line is its heading): the
    table, what it allows and its counts, and where it is in its source file."""
    counts = (
        f"{RELIABILITY_LABELS[r['reliability']]} · {r['n_ue']} UE · "
        f"{fmt.integer(r['n_coefficients'])} coefficients"
    )
    if r["n_unattributed"]:
        counts += f" dont {fmt.integer(r['n_unattributed'])} non attribuables à un module"
    return [
        f"{r['formation'] or '?'} · {r['label']}",
        r["title"] or "",
        counts,
        f"avertissements : {r['n_warnings']}",
        f"fichier {r['source']}, ligne {r['source_line']}",
    ]


def map_rows(tables: pl.DataFrame) -> list[MapRow]:
    """Rows top to bottom in document order (source file, then the first table's place in it);
    in each row, the tables of a semester in document order. ``tables``: ``overview_tables``."""
    rows: dict[str, MapRow] = {}
    first: dict[str, tuple[str, int]] = {}
    for r in tables.iter_rows(named=True):
        label = row_label(r["formation"], r["doc"])
        row = rows.setdefault(label, MapRow(label))
        row.cells.setdefault(r["semester"], []).append(r)
        place = (r["source"] or "", r["ord"] if r["ord"] is not None else 0)
        first[label] = min(first.get(label, place), place)
    for row in rows.values():
        for cell in row.cells.values():
            cell.sort(key=lambda t: (t["source"] or "", t["ord"] if t["ord"] is not None else 0))
    return sorted(rows.values(), key=lambda row: first[row.label])


def columns(rows: list[MapRow]) -> list[int | None]:
    """S1-S6, then any other semester found, then the tables without a semester."""
    found = {s for row in rows for s in row.cells}
    numbered = sorted(set(SEMESTERS) | {s for s in found if s is not None})
    return [*numbered, *([None] if None in found else [])]


_e = html.escape
# a table's id as a hook for tests and styles (ids are slugs, but a template may carry any text)
_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_.-]")

_CSS = """<style>
.bd-map {overflow-x: auto; margin: 0.25rem 0 0.5rem 0}
.bd-map table {border-collapse: collapse; font-size: 1rem; margin: 0}
.bd-map th {font-weight: 600; text-align: center; padding: 2px 10px;
  border-bottom: 2px solid #d9d9d9; background: #fff}
.bd-map th.bd-row, .bd-map td.bd-row {text-align: left; padding-right: 16px}
.bd-map td {padding: 3px 10px; border-bottom: 1px solid #eeeeee; text-align: center;
  white-space: nowrap; vertical-align: middle}
.bd-map td.bd-row {white-space: normal; max-width: 32rem}
.bd-sq {display: inline-block; width: 18px; height: 18px; margin: 1px 2px; border-radius: 3px;
  position: relative; vertical-align: middle; outline-offset: 2px}
.bd-sq .bd-tip {display: none; position: absolute; top: 24px; left: -8px; z-index: 20;
  background: #fff; color: #111; border: 1px solid #999; border-radius: 4px;
  padding: 6px 9px; font-size: 1rem; line-height: 1.35; text-align: left; white-space: normal;
  width: max-content; max-width: 26rem;
  box-shadow: 0 2px 6px rgba(0,0,0,.25); pointer-events: none}
.bd-sq.bd-end .bd-tip {left: auto; right: -8px}
.bd-sq:hover .bd-tip, .bd-sq:focus .bd-tip {display: block}
.bd-legend {display: flex; flex-wrap: wrap; gap: 4px 18px; align-items: center;
  margin: 0.25rem 0 0.5rem 0}
.bd-legend .bd-sq {cursor: default}
</style>"""


def _square(r: Mapping[str, Any], end: bool) -> str:
    """``end``: a right-hand column, its hover text opens leftwards (stays on screen)."""
    head, *rest = (_e(line) for line in tip_lines(r))
    tip = f"<b>{head}</b><br>" + "<br>".join(line for line in rest if line)
    colour = RELIABILITY_COLORS.get(r["reliability"], "#9e9e9e")
    return (
        f"<span class='bd-sq{' bd-end' if end else ''}' tabindex='0' "
        f"data-table='{_UNSAFE_ID.sub('_', str(r['table_id']))}' style='background:{colour}'>"
        f"<span class='bd-tip'>{tip}</span></span>"
    )


def legend_html() -> str:
    items = "".join(
        f"<span><span class='bd-sq' style='background:{RELIABILITY_COLORS[code]}'></span> "
        f"{_e(RELIABILITY_LABELS[code])}</span>"
        for code in RELIABILITIES
    )
    return f"<div class='bd-legend'><b>{_e(LEGEND_TITLE.strip())}</b>{items}</div>"


def map_html(tables: pl.DataFrame) -> str:
    """The map as one HTML block (styles included): a table whose squares show their hover
    text on mouse-over and on keyboard focus, then the legend. Every text is escaped (titles
    and names come from source documents)."""
    if tables.height == 0:
        return "<p>Aucun tableau dans la base.</p>"
    rows = map_rows(tables)
    cols = columns(rows)
    head = "".join(f"<th>{'S' + str(s) if s is not None else _e(NO_SEMESTER)}</th>" for s in cols)
    body = []
    for row in rows:
        cells = "".join(
            f"<td>{''.join(_square(r, i >= len(cols) // 2) for r in row.cells.get(s, []))}</td>"
            for i, s in enumerate(cols)
        )
        body.append(f"<tr><td class='bd-row'>{_e(row.label)}</td>{cells}</tr>")
    return (
        f"{_CSS}<div class='bd-map'><table><thead><tr><th class='bd-row'>Formation · document"
        f"</th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>{legend_html()}"
    )
