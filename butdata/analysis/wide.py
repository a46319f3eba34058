"""One table as printed in the MCC documents: module rows, one column per UE, then the totals,
ECTS and SAÉ share rows (the Données page and the XLSX export show it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb
import polars as pl

from butdata import fmt
from butdata.errors import ButdataError
from butdata.store.read import records
from butdata.vocab import KIND_LABELS

SHARE_ROW = "Part des SAÉ"

# What a row of the wide table is: ("m", position) a module of the table; ("v", position, code,
# name) the values at that position of the UE rows when no module of the table holds them.
RowKey = tuple[str, int] | tuple[str, int, str | None, str | None]


def _cell(value: Any, share: bool) -> str:
    if value is None:
        return ""
    return fmt.percent(value) if share else fmt.number(value, 4)


@dataclass
class WideTable:
    """One table as printed in the MCC documents: module rows, one column per UE."""

    table: dict[str, Any]  # the table's row of the store (column -> value)
    ues: list[str]
    rows: list[list[Any]] = field(default_factory=list)  # code, name, kind, semester coef, UE...
    printed: list[list[str | None]] = field(default_factory=list)  # printed text per UE cell
    footer: list[list[Any]] = field(default_factory=list)  # totals, ECTS, SAÉ share
    note: str | None = None
    row_keys: list[RowKey] = field(default_factory=list)  # what each row is

    @property
    def headers(self) -> list[str]:
        return ["Code", "Module", "Type", "Coeff. semestre", *self.ues]

    def frame(self) -> pl.DataFrame:
        schema = {h: (pl.String if i < 3 else pl.Float64) for i, h in enumerate(self.headers)}
        return pl.DataFrame([*self.rows, *self.footer], schema=schema, orient="row")

    def text_frame(self) -> pl.DataFrame:
        """The same table as people read it: French numbers (« 1,5 »), the SAÉ share row as
        percentages (« 41,25 % »), « — » for an unknown text, an empty cell where the module has
        no coefficient."""
        out = []
        for row in [*self.rows, *self.footer]:
            share = row[0] == SHARE_ROW
            cells = [
                ("—" if v is None else str(v)) if i < 3 else _cell(v, share)
                for i, v in enumerate(row)
            ]
            if row in self.footer:
                cells[1] = cells[2] = ""
            out.append(cells)
        return pl.DataFrame(out, schema={h: pl.String for h in self.headers}, orient="row")


def wide_table(con: duckdb.DuckDBPyConnection, table_id: str) -> WideTable:
    tables = records(con, "SELECT * FROM tables WHERE table_id = ?", [table_id])
    if not tables:
        raise ButdataError(f"tableau inconnu : {table_id}")
    ues = records(con, "SELECT * FROM ues WHERE table_id = ? ORDER BY ord", [table_id])
    coefs = records(
        con,
        "SELECT * FROM coefficients WHERE table_id = ? ORDER BY position, source_line",
        [table_id],
    )
    modules = records(con, "SELECT * FROM modules WHERE table_id = ? ORDER BY position", [table_id])
    wide = WideTable(tables[0], [u["ue"] for u in ues])
    column = {u["competence"]: i for i, u in enumerate(ues)}
    by_position = {m["position"]: m for m in modules}
    by_code = {(m["module_code"], m["module_name"]): m for m in modules}
    lines: dict[RowKey, int] = {}  # row key -> index in wide.rows

    def line(key: RowKey, head: list[Any]) -> int:
        if key not in lines:
            lines[key] = len(wide.rows)
            wide.row_keys.append(key)
            wide.rows.append(head + [None] * len(ues))
            wide.printed.append([None] * len(ues))
        return lines[key]

    clean = wide.table["layout"] != "grid"
    for m in modules:
        line(
            ("m", m["position"]),
            [
                m["module_code"],
                m["module_name"],
                KIND_LABELS.get(m["kind"]),
                m["semester_coefficient"],
            ],
        )
    unplaced = False
    for c in coefs:
        module = (
            by_position.get(c["position"])
            if clean
            else by_code.get((c["module_code"], c["module_name"]))
        )
        if module is not None and (c["module_code"], c["module_name"]) == (
            module["module_code"],
            module["module_name"],
        ):
            i = lines[("m", module["position"])]
        else:
            unplaced = unplaced or c["module_code"] is None
            i = line(
                ("v", c["position"], c["module_code"], c["module_name"]),
                [
                    c["module_code"],
                    c["module_name"] or f"valeur n° {c['position']}",
                    KIND_LABELS.get(c["kind"]),
                    None,
                ],
            )
        if c["competence"] in column:
            wide.rows[i][4 + column[c["competence"]]] = c["coefficient"]
            wide.printed[i][column[c["competence"]]] = c["printed"]
    t = wide.table
    wide.footer = [
        ["Total des coefficients", None, None, t["declared_total"], *[u["total"] for u in ues]],
        ["Crédits ECTS", None, None, t["declared_ects"], *[u["ects"] for u in ues]],
        [SHARE_ROW, None, None, None, *[u["sae_share"] for u in ues]],
    ]
    if unplaced:
        wide.note = (
            "Le document ne dit pas à quel module appartient chaque valeur : la ligne "
            "« valeur n° k » est la k-ième valeur imprimée dans la ligne de l'UE."
        )
    return wide
