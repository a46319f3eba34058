"""Template rows: typed cell by cell, then checked one by one (formation, semester, UE code,
numbers at the door), every problem a French row-level error."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from butdata.formations import acronym
from butdata.tidy.cells import number_text, parse_cell, parse_float
from butdata.tidy.columns import BY_NAME, EXACT_LAYOUTS, MODULE_CELLS, RowError
from butdata.vocab import (
    KINDS,
    STATUSES,
    coefficient_problem,
    ects_problem,
    parse_ue_code,
    ue_key,
)


@dataclass
class Row:
    row: int
    values: dict[str, Any]  # machine name -> typed value (None when empty)
    coefficient_text: str | None = None  # the coefficient as typed

    def get(self, name: str) -> Any:
        return self.values.get(name)

    @property
    def has_module(self) -> bool:
        return any(self.values.get(n) is not None for n in MODULE_CELLS)


def _is_blank(cells: list[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


KnownUEs = dict[tuple[str, int], set[str]]  # (formation, semester) -> UE codes in the store


def parse_rows(
    mapping: dict[int, str],
    raw_rows: list[tuple[int, list[Any]]],
    known_ues: KnownUEs | None = None,
    imported: bool = False,
) -> tuple[list[Row], list[RowError]]:
    """Typed rows and per-cell errors (text in a number cell, negative numbers, unknown UE…).
    ``imported``: every row is validated in full (no exact restore, see ``build_document``)."""
    rows: list[Row] = []
    errors: list[RowError] = []
    for row_no, cells in raw_rows:
        if _is_blank(cells):
            continue
        values: dict[str, Any] = {}
        coefficient_text = None
        for i, name in mapping.items():
            raw = cells[i] if i < len(cells) else None
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                values[name] = None
                continue
            try:
                values[name] = parse_cell(BY_NAME[name], raw)
            except ValueError as exc:
                errors.append(RowError(row_no, name, str(exc)))
                values[name] = None
                continue
            if name == "coefficient":
                coefficient_text = number_text(raw)
        row = Row(row_no, values, coefficient_text)
        errors.extend(_check_row(row, known_ues or {}, imported))
        rows.append(row)
    return rows, errors


def _check_row(row: Row, known_ues: KnownUEs, imported: bool = False) -> list[RowError]:
    errs: list[RowError] = []
    v = row.values

    def err(column: str | None, message: str) -> None:
        errs.append(RowError(row.row, column, message))

    # Rows exported from a text document are checked for types only: what the document did
    # not determine (formation, semester of a damaged table) stays empty there.
    exact = not imported and v.get("layout") in EXACT_LAYOUTS and v.get("table_id") is not None
    semester = v.get("semester")
    if not exact:
        if v.get("formation") is None:
            err("formation", "formation manquante")
        if semester is None:
            err("semester", "semestre manquant")
        elif not 1 <= semester <= 6:
            err("semester", f"semestre {semester} hors de 1 à 6")
    ue = v.get("ue")
    if ue is not None and not exact:
        parsed = parse_ue_code(ue)
        if parsed is None:
            err("ue", f"UE inconnue « {ue} » (attendu : UE31, UE 3.1 ou C3.1)")
        elif semester is not None and 1 <= semester <= 6 and parsed[0] != semester:
            err(
                "ue",
                f"UE inconnue « {ue} » au semestre {semester} (les UE du semestre "
                f"{semester} s'écrivent UE{semester}1, UE{semester}2…)",
            )
        elif v.get("competence") is not None and v["competence"] != parsed[1]:
            err("competence", f"compétence {v['competence']} ≠ celle de l'UE « {ue} »")
        elif (
            known := known_ues.get((acronym(v.get("formation") or "") or "", int(semester or 0)))
        ) and ue_key(ue) not in {ue_key(k) for k in known}:
            err(
                "ue",
                f"UE inconnue « {ue} » pour {acronym(v['formation'])} S{semester} (UE de "
                f"la base : {', '.join(sorted(known))})",
            )
    elif ue is None and v.get("coefficient") is not None:
        err("ue", "UE manquante pour ce coefficient")
    if exact and ue is not None and v.get("competence") is None and parse_ue_code(ue) is None:
        err("competence", "compétence manquante (code d'UE non standard)")
    for name in (
        "coefficient",
        "ects",
        "ue_total",
        "semester_coefficient",
        "declared_total",
        "declared_ects",
        "declared_aop",
        "aop_total",
        "sae_share",
    ):
        if v.get(name) is not None and v[name] < 0:
            err(
                name,
                f"{'coefficient négatif' if name == 'coefficient' else 'valeur négative'} "
                f"({number_text(v[name])})",
            )
    # Numbers at the door: an absurd coefficient or UE total, ECTS outside 0-30.
    if (c := v.get("coefficient")) is not None and c >= 0 and (problem := coefficient_problem(c)):
        err("coefficient", problem)
    if v.get("ects") is not None and v["ects"] >= 0 and (problem := ects_problem(v["ects"])):
        err("ects", problem)
    for name in (
        "position",
        "source_line",
        "grid_column",
        "source_page",
        "ue_line",
        "table_line",
        "ects_line",
        "total_line",
        "totals_line",
        "competence",
    ):
        if v.get(name) is not None and v[name] < 1:
            err(name, f"entier ≥ 1 attendu ({v[name]})")
    if v.get("kind") is not None and v["kind"] not in KINDS:
        err("kind", f"type inconnu « {v['kind']} » (attendu : {', '.join(KINDS)})")
    if v.get("status") is not None and v["status"] not in STATUSES:
        err("status", f"statut inconnu « {v['status']} » (attendu : {', '.join(STATUSES)})")
    if v.get("printed") is not None and v.get("coefficient") is not None:
        try:
            if parse_float(v["printed"]) != v["coefficient"]:
                row.values["printed"] = None  # stale after an edit: the typed value wins
        except ValueError:
            row.values["printed"] = None
    return errs
