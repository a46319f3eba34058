"""What the import page shows of each table found in a file, before anything is written: its
reading status and what it allows (``vocab`` labels), its checks (printed totals that hold or
not, reading warnings), and a mini-matrix (module × UE, French numbers) to recognise it.

Pure functions of a ``model.Table``: nothing is computed twice (the status and the sums' verdicts
are the reader's, ``checks``), only laid out."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import polars as pl

from butdata import fmt
from butdata.checks import ue_checked_sum
from butdata.labels import parcours_label
from butdata.model import Table
from butdata.vocab import (
    RELIABILITY_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    reliability,
    warning_label,
)

TOTAL_ROW, ECTS_ROW = "Total imprimé", "Crédits ECTS"


@dataclass(frozen=True)
class Check:
    """One verdict on a table: ``holds`` True (checked, right), False (checked, wrong) or None
    (could not be checked: what is missing is said)."""

    holds: bool | None
    text: str  # French


@dataclass(frozen=True)
class SourceCell:
    """Where a PDF prints one stored value (« voir la source »: ``snippet.cell_image``)."""

    label: str  # French: « R1.02 — Fondamentaux de la vente × UE 1.2 : « 7,5 » (page 1) »
    page: int
    bbox: tuple[float, float, float, float]


@dataclass
class TableDetail:
    status: str  # vocab.STATUSES
    reliability: str  # vocab.RELIABILITIES
    checks: list[Check] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # French, with their line or page
    matrix: pl.DataFrame | None = None  # « Module », then one column per UE (French text)
    # What the table is, in French: (« Formation », « TC — Techniques de commercialisation »),
    # then « Site », « Semestre », « Parcours »; what the file does not say is said so.
    identity: list[tuple[str, str]] = field(default_factory=list)
    cells: list[SourceCell] = field(default_factory=list)  # PDF values with their cell

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def reliability_label(self) -> str:
        return RELIABILITY_LABELS.get(self.reliability, self.reliability)

    def checks_summary(self) -> str:
        """« 3 totaux justes sur 3 », « 1 total faux sur 2 », « totaux non imprimés »."""
        checked = [c for c in self.checks if c.holds is not None]
        if not checked:
            return "totaux non vérifiables"
        wrong = sum(c.holds is False for c in checked)
        if wrong:
            return f"{wrong} total(aux) faux sur {len(checked)}"
        return f"{len(checked)} total(aux) juste(s) sur {len(checked)}"


def table_detail(table: Table, unit: str = "ligne") -> TableDetail:
    """``unit``: how a line of this document is named in the warnings (« page » for a PDF)."""
    stored = [c for c in table.coefficients if c.coefficient != 0]  # the store drops zeros
    unattributed = sum(c.module_code is None and c.module_name is None for c in stored)
    detail = TableDetail(table.status, reliability(table.status, len(stored), unattributed))
    detail.checks = table_checks(table)
    detail.warnings = [
        f"{SEVERITY_LABELS.get(i.severity, i.severity)}"
        f"{f', {unit} {i.line}' if i.line else ''} ({warning_label(i.code)}) : "
        f"{i.message.removeprefix(f'{unit} {i.line} : ')}"  # the PDF readers say the page too
        for i in table.issues
    ]
    detail.matrix = table_matrix(table)
    detail.identity = table_identity(table)
    detail.cells = source_cells(table)
    return detail


NOT_READ = "non indiqué par le fichier"


def table_identity(table: Table) -> list[tuple[str, str]]:
    """Formation, site, semestre and parcours as the file gives them (never guessed)."""
    if table.formation and table.formation_name:
        formation = f"{table.formation} — {table.formation_name}"
    else:
        formation = table.formation or table.formation_name or NOT_READ
    semester = f"S{table.semester}" if table.semester is not None else NOT_READ
    return [
        ("Formation", formation),
        ("Site", table.site or NOT_READ),
        ("Semestre", semester),
        ("Parcours", parcours_label(table.parcours, table.alternance)),
    ]


def source_cells(table: Table) -> list[SourceCell]:
    """The stored (non-zero) values a PDF locates, in the table's order, named module × UE."""
    ue_code = {u.competence: u.code for u in table.ues}
    out = []
    for c in table.coefficients:
        if c.coefficient == 0 or c.page is None or c.bbox is None:
            continue
        module = _row_name(c.module_code, c.module_name, c.position)
        ue = ue_code.get(c.competence, f"compétence {c.competence}")
        out.append(SourceCell(f"{module} × {ue} : « {c.printed} » (page {c.page})", c.page, c.bbox))
    return out


def table_checks(table: Table) -> list[Check]:
    """Per UE: its values' sum against the printed total (the reader's verdict, ``sum_ok``), and
    its ECTS when they are missing."""
    sums: dict[int, float] = defaultdict(float)
    for c in table.coefficients:
        sums[c.competence] += c.coefficient
    out = []
    for ue in table.ues:
        total = ue_checked_sum(sums.get(ue.competence, 0.0), ue.aop_total, ue.row_layout)
        shown = fmt.number(total, 4)
        aop = " (AOP comprise)" if ue.row_layout == "C" and ue.aop_total else ""
        if ue.total is None:
            out.append(Check(None, f"{ue.code} : total non imprimé, somme {shown} non vérifiée"))
        elif ue.sum_ok is None:
            out.append(
                Check(None, f"{ue.code} : total imprimé {fmt.number(ue.total, 4)}, non vérifié")
            )
        else:
            sign = "=" if ue.sum_ok else "≠"
            out.append(
                Check(
                    ue.sum_ok,
                    f"{ue.code} : somme des coefficients {shown}{aop} {sign} total imprimé "
                    f"{fmt.number(ue.total, 4)}",
                )
            )
        if ue.ects is None:
            out.append(Check(None, f"{ue.code} : crédits ECTS non imprimés"))
    return out


def _row_name(code: str | None, name: str | None, position: int) -> str:
    if code and name:
        return f"{code} — {name}"
    return code or name or f"valeur n° {position}"


def table_matrix(table: Table) -> pl.DataFrame:
    """Module rows (in the table's order, then the values no module holds, « valeur n° k » as in
    the exports), one column per UE with its non-zero coefficients, then the printed totals and
    ECTS."""
    ues = [u.code for u in table.ues]
    column = {u.competence: u.code for u in table.ues}
    rows: dict[tuple[object, ...], dict[str, str]] = {}
    names: dict[tuple[object, ...], str] = {}
    for m in sorted(table.modules, key=lambda m: m.position):
        key: tuple[object, ...] = ("m", m.code, m.name)
        rows.setdefault(key, {})
        names[key] = _row_name(m.code, m.name, m.position)
    for c in table.coefficients:
        if c.coefficient == 0 or c.competence not in column:
            continue
        if c.module_code is None and c.module_name is None:
            key = ("v", c.position)
        else:
            key = ("m", c.module_code, c.module_name)
        names.setdefault(key, _row_name(c.module_code, c.module_name, c.position))
        rows.setdefault(key, {})[column[c.competence]] = fmt.number(c.coefficient, 4)
    body = [[names[k], *(cells.get(u, "") for u in ues)] for k, cells in rows.items()]
    body.append([TOTAL_ROW, *(fmt.number(u.total, 4, missing="") for u in table.ues)])
    body.append([ECTS_ROW, *(fmt.number(u.ects, 4, missing="") for u in table.ues)])
    schema = {"Module": pl.String, **{u: pl.String for u in _unique(ues)}}
    return pl.DataFrame(body, schema=schema, orient="row")


def _unique(codes: list[str]) -> list[str]:
    """Column names for the UE codes (a code printed twice gets « (2) »)."""
    seen: dict[str, int] = {}
    out = []
    for code in codes:
        seen[code] = seen.get(code, 0) + 1
        out.append(code if seen[code] == 1 else f"{code} ({seen[code]})")
    return out
