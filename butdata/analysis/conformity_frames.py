"""The frames the conformity checks read, as one object per table: its row of ``tables``, its
UEs with their values (``coefficients`` rows) and its listed modules, plus the derivations every
UE rule shares (coefficient total, SAÉ share, decimals of a value). A frame may lack optional
columns: they are read as NULL, so a hand-made table or an edited proposal needs only its
meaningful columns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import polars as pl

from butdata.vocab import COMPLETE, SAE_KINDS, module_kind

# Columns a check may read, with their type; a frame without one gets it as NULL, so that a
# hand-made table or an edited proposal needs only its meaningful columns.
COLUMNS: Mapping[str, Mapping[str, Any]] = {
    "tables": {
        "table_id": pl.String,
        "status": pl.String,
        "semester": pl.Int64,
        "source": pl.String,
        "formation": pl.String,
        "site": pl.String,
        "parcours": pl.String,
        "alternance": pl.Boolean,
    },
    "ues": {
        "table_id": pl.String,
        "ue": pl.String,
        "competence": pl.Int64,
        "ects": pl.Float64,
        "total": pl.Float64,
        "sae_share": pl.Float64,
        "sae_share_printed": pl.Boolean,
        "aop_total": pl.Float64,
        "row_layout": pl.String,
        "sum_ok": pl.Boolean,
        "source_line": pl.Int64,
        "ects_line": pl.Int64,
        "total_line": pl.Int64,
        "ord": pl.Int64,
    },
    "coefficients": {
        "table_id": pl.String,
        "competence": pl.Int64,
        "module_code": pl.String,
        "module_name": pl.String,
        "kind": pl.String,
        "position": pl.Int64,
        "coefficient": pl.Float64,
        "printed": pl.String,
        "source_line": pl.Int64,
    },
    "modules": {
        "table_id": pl.String,
        "module_code": pl.String,
        "module_name": pl.String,
        "kind": pl.String,
        "position": pl.Int64,
        "source_line": pl.Int64,
    },
}


def records(frame: pl.DataFrame, view: str) -> list[dict[str, Any]]:
    columns = COLUMNS[view]
    missing = [pl.lit(None, dtype).alias(name) for name, dtype in columns.items()]
    frame = frame.with_columns(c for c in missing if c.meta.output_name() not in frame.columns)
    return frame.select(pl.col(name).cast(dtype) for name, dtype in columns.items()).to_dicts()


@dataclass
class Value:
    competence: int
    code: str | None
    name: str | None
    kind: str | None
    coefficient: float
    printed: str | None
    line: int | None
    position: int | None

    @property
    def attributed(self) -> bool:
        return self.code is not None or self.name is not None

    def label(self, rank: int) -> str:
        """How a message names it: its module, else its rank among the UE's values."""
        if self.code:
            return self.code
        if self.name:
            return f"« {self.name} »"
        return f"{rank}ᵉ valeur"


@dataclass
class UEView:
    code: str
    competence: int
    row: dict[str, Any]
    values: list[Value] = field(default_factory=list)

    @property
    def line(self) -> int | None:
        line: int | None = self.row["source_line"]
        return line

    @property
    def values_sum(self) -> float:
        return sum(v.coefficient for v in self.values)

    @property
    def attributed(self) -> bool:
        return all(v.attributed for v in self.values)


@dataclass
class TableView:
    table_id: str
    row: dict[str, Any]
    ues: list[UEView]
    modules: list[dict[str, Any]]
    values: list[Value]  # every value of the table, UE row or not

    @property
    def status(self) -> str:
        status: str = self.row["status"] or COMPLETE  # no status: a proposal, not a reading
        return status


def _by_table(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(r["table_id"], []).append(r)
    return out


def prepare(
    tables: pl.DataFrame, ues: pl.DataFrame, coefficients: pl.DataFrame, modules: pl.DataFrame
) -> list[TableView]:
    t_rows = records(tables, "tables")
    u_rows = records(ues, "ues")
    c_rows = records(coefficients, "coefficients")
    m_rows = records(modules, "modules")
    ids = list(dict.fromkeys([r["table_id"] for r in t_rows + u_rows + c_rows + m_rows]))
    by_id = {r["table_id"]: r for r in t_rows}
    kinds = {(m["table_id"], m["module_code"]): m["kind"] for m in m_rows if m["module_code"]}
    u_of, c_of, m_of = _by_table(u_rows), _by_table(c_rows), _by_table(m_rows)
    out = []
    for tid in ids:
        row = by_id.get(tid) or {k: None for k in COLUMNS["tables"]} | {"table_id": tid}
        t_ues = sorted(
            u_of.get(tid, []),
            key=lambda r: (r["competence"], r["ord"] if r["ord"] is not None else 0),
        )
        table = TableView(
            tid,
            row,
            [UEView(r["ue"], r["competence"], r) for r in t_ues],
            list(m_of.get(tid, [])),
            [],
        )
        of_comp = {u.competence: u for u in table.ues}
        for c in sorted(c_of.get(tid, []), key=lambda c: (c["competence"], c["position"] or 0)):
            if not c["coefficient"]:
                # a 0 counts nowhere (the store keeps none); a module seen only with zeros is
                # still a module of the table
                code = c["module_code"]
                if code and all(m["module_code"] != code for m in table.modules):
                    table.modules.append(
                        {
                            "table_id": tid,
                            "module_code": code,
                            "module_name": c["module_name"],
                            "kind": c["kind"],
                            "position": c["position"],
                            "source_line": c["source_line"],
                        }
                    )
                continue
            kind = c["kind"]
            if kind is None and c["module_code"]:
                kind = kinds.get((tid, c["module_code"])) or module_kind(
                    c["module_code"], c["module_name"]
                )
            value = Value(
                c["competence"],
                c["module_code"],
                c["module_name"],
                kind,
                c["coefficient"],
                c["printed"],
                c["source_line"],
                c["position"],
            )
            table.values.append(value)
            if c["competence"] in of_comp:
                of_comp[c["competence"]].values.append(value)
        out.append(table)
    return out


# --------------------------------------------------------------------------- derivations


def decimals_of(value: float, printed: str | None) -> int:
    """Significant decimals of a coefficient: of its printed text when there is one (« 1.50 »
    has one), else of its value (float noise below 1e-9 ignored)."""
    number: Decimal | None = None
    if printed:
        try:
            number = Decimal(printed.strip().replace(",", "."))
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite():
        number = Decimal(repr(round(value, 9)))
    exponent = number.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def ue_total(ue: UEView) -> float:
    """The UE's coefficient total: its values, plus the AOP cell of grid layout C."""
    extra = (ue.row["aop_total"] or 0.0) if ue.row["row_layout"] == "C" else 0.0
    return ue.values_sum + extra


def ue_share(ue: UEView) -> tuple[float | None, str]:
    """SAÉ share of a UE and how it is known: ``computed`` from the module kinds (every value's
    kind known), else ``printed`` (the document's « rapport SAE/UE »), else ``unknown``;
    ``empty`` when the UE has no coefficient."""
    if ue.values and all(v.kind is not None for v in ue.values):
        total = ue_total(ue)
        if total <= 0:
            return None, "empty"
        return sum(v.coefficient for v in ue.values if v.kind in SAE_KINDS) / total, "computed"
    if ue.row["sae_share_printed"] and ue.row["sae_share"] is not None:
        return float(ue.row["sae_share"]), "printed"
    if not ue.values:
        return None, "empty"
    return None, "unknown"
