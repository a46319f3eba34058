"""Hand-made MCC tables as frames shaped like the store views (``tables``, ``ues``,
``coefficients``, ``modules``), built from code so that each test states its table in a few
lines. Totals default to the exact sum of the printed values (Decimal arithmetic), so a table is
conforming unless a test says otherwise."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

import polars as pl

from butdata.vocab import module_kind

TABLES_SCHEMA = {
    "table_id": pl.String,
    "source": pl.String,
    "source_line": pl.Int32,
    "formation": pl.String,
    "formation_name": pl.String,
    "site": pl.String,
    "semester": pl.Int32,
    "parcours": pl.String,
    "alternance": pl.Boolean,
    "status": pl.String,
    "n_ue": pl.Int32,
    "title": pl.String,
    "layout": pl.String,
    "identity_inferred": pl.Boolean,
    "year": pl.String,
    "declared_total": pl.Float64,
    "declared_ects": pl.Float64,
    "declared_aop": pl.Float64,
    "totals_line": pl.Int32,
    "ord": pl.Int32,
}
UES_SCHEMA = {
    "table_id": pl.String,
    "ue": pl.String,
    "competence": pl.Int32,
    "name": pl.String,
    "level": pl.String,
    "ects": pl.Float64,
    "total": pl.Float64,
    "sae_share": pl.Float64,
    "sae_share_printed": pl.Boolean,
    "aop_total": pl.Float64,
    "source_line": pl.Int32,
    "ects_line": pl.Int32,
    "total_line": pl.Int32,
    "sum_ok": pl.Boolean,
    "ratio_ok": pl.Boolean,
    "row_layout": pl.String,
    "ord": pl.Int32,
}
COEFFICIENTS_SCHEMA = {
    "table_id": pl.String,
    "ue": pl.String,
    "competence": pl.Int32,
    "module_code": pl.String,
    "module_name": pl.String,
    "kind": pl.String,
    "position": pl.Int32,
    "coefficient": pl.Float64,
    "printed": pl.String,
    "source_line": pl.Int32,
    "grid_column": pl.Int32,
}
MODULES_SCHEMA = {
    "table_id": pl.String,
    "module_code": pl.String,
    "module_name": pl.String,
    "kind": pl.String,
    "position": pl.Int32,
    "semester_coefficient": pl.Float64,
    "section": pl.String,
    "source_line": pl.Int32,
}
SCHEMAS = {
    "tables": TABLES_SCHEMA,
    "ues": UES_SCHEMA,
    "coefficients": COEFFICIENTS_SCHEMA,
    "modules": MODULES_SCHEMA,
}

Grid = Sequence[tuple[str, Mapping[str, str]]]  # (module code, {UE code: printed value})


def competence(ue: str) -> int:
    return int(ue[-1])


def table(
    table_id: str,
    semester: int,
    grid: Grid,
    ects: Mapping[str, float | None],
    *,
    totals: Mapping[str, float | None] | None = None,
    status: str = "complete",
    kinds: Mapping[str, str | None] | None = None,
    names: Mapping[str, str] | None = None,
    source: str = "main.txt",
    parcours: str | None = None,
    unattributed: bool = False,
    printed_shares: Mapping[str, float] | None = None,
    sum_ok: Mapping[str, bool | None] | None = None,
    row_layout: Mapping[str, str] | None = None,
    aop: Mapping[str, float] | None = None,
    values: Mapping[tuple[str, str], float] | None = None,
) -> dict[str, pl.DataFrame]:
    """One table. ``grid``: module lines in order (line number = 100 + index), each with its
    printed values per UE; ``ects``: the UEs in order with their ECTS (UE line = 10 + index).
    ``totals`` overrides declared totals (default: exact sum of the printed values, plus ``aop``
    in layout C); ``unattributed`` drops module codes and names (damaged grid) and keeps only
    ``kinds`` given for positions as ``"#n"``; ``values`` overrides a float value, printing
    nothing (``(code, ue) -> value``)."""
    kinds = dict(kinds or {})
    names = dict(names or {})
    sums = {ue: Decimal(0) for ue in ects}
    coef_rows, module_rows = [], []
    for i, (code, cells) in enumerate(grid):
        line, position = 100 + i, i + 1
        kind = kinds.get(code, module_kind(code, names.get(code)))
        module_rows.append(
            (
                table_id,
                code,
                names.get(code, f"module {code}"),
                kind,
                position,
                float(sum(Decimal(v) for v in cells.values())),
                None,
                line,
            )
        )
        for ue, printed in cells.items():
            value = Decimal(printed)
            sums[ue] += value
            if value == 0:
                continue
            row_kind = kinds.get(f"#{position}") if unattributed else kind
            number = (values or {}).get((code, ue), float(value))
            shown = None if (code, ue) in (values or {}) else printed
            coef_rows.append(
                (
                    table_id,
                    ue,
                    competence(ue),
                    None if unattributed else code,
                    None if unattributed else names.get(code, f"module {code}"),
                    row_kind,
                    position,
                    number,
                    shown,
                    line,
                    None,
                )
            )
    ue_rows = []
    for j, (ue, credits) in enumerate(ects.items()):
        layout = (row_layout or {}).get(ue)
        extra = Decimal(str((aop or {}).get(ue, 0))) if layout == "C" else Decimal(0)
        total = (totals or {}).get(ue, float(sums[ue] + extra))
        share = (printed_shares or {}).get(ue)
        ue_rows.append(
            (
                table_id,
                ue,
                competence(ue),
                f"compétence {competence(ue)}",
                None,
                credits,
                total,
                share,
                share is not None,
                (aop or {}).get(ue),
                10 + j,
                90,
                91,
                (sum_ok or {}).get(ue, True if total is not None else None),
                None,
                layout,
                j,
            )
        )
    tables = [
        (
            table_id,
            source,
            1,
            "QLIO",
            "Qualité, logistique industrielle et organisation",
            None,
            semester,
            parcours,
            False,
            status,
            len(ects),
            f"Semestre {semester}",
            "grid" if unattributed else "modules",
            False,
            "2025-2026",
            None,
            None,
            None,
            91,
            0,
        )
    ]
    if unattributed:
        module_rows = []
    return {
        "tables": pl.DataFrame(tables, schema=TABLES_SCHEMA, orient="row"),
        "ues": pl.DataFrame(ue_rows, schema=UES_SCHEMA, orient="row"),
        "coefficients": pl.DataFrame(coef_rows, schema=COEFFICIENTS_SCHEMA, orient="row"),
        "modules": pl.DataFrame(module_rows, schema=MODULES_SCHEMA, orient="row"),
    }


def combine(*parts: Mapping[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Several tables in one set of frames (as the store holds them)."""
    return {view: pl.concat([p[view] for p in parts]) for view in SCHEMAS}


# A conforming S3 (2 UEs, 15 + 15 ECTS): UE31 = R3.01 2 + R3.02 1 + SAE3.01 3 = 6, SAÉ 3/6 = 50 %;
# UE32 = 1 + 2 + 3 = 6, 50 %. Its S4 pairs competences 1 and 2.
S3_GRID: Grid = [
    ("R3.01", {"UE31": "2", "UE32": "1"}),
    ("R3.02", {"UE31": "1", "UE32": "2"}),
    ("SAE3.01", {"UE31": "3", "UE32": "3"}),
]
S3_ECTS = {"UE31": 15.0, "UE32": 15.0}
S4_GRID: Grid = [
    ("R4.01", {"UE41": "1.5", "UE42": "1.5"}),
    ("SAE4.01", {"UE41": "1.5", "UE42": "1.5"}),
]
S4_ECTS = {"UE41": 15.0, "UE42": 15.0}


def s3(**changes) -> dict[str, pl.DataFrame]:
    args = {"grid": S3_GRID, "ects": S3_ECTS} | changes
    return table("t-s3", 3, **args)


def s4(**changes) -> dict[str, pl.DataFrame]:
    args = {"grid": S4_GRID, "ects": S4_ECTS} | changes
    return table("t-s4", 4, **args)
