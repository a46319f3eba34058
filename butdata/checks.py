"""Printed totals of a table (per UE: total coefficient and ECTS) and the arithmetic every reader
checks against them, so that all layouts record and judge alike."""

from __future__ import annotations

from collections import defaultdict

from butdata import fmt
from butdata.model import Issue, Table
from butdata.vocab import is_sae, sums_agree, table_status


def set_printed_totals(
    table: Table, by_ue: dict[str, float], semester_value: float | None, line: int, ects: bool
) -> None:
    """Record a "Total des coefficients" (``ects=False``) or "Crédits ECTS" line: per UE code
    and for the whole semester, with the line they were read from."""
    for ue in table.ues:
        if ue.code in by_ue:
            if ects:
                ue.ects, ue.ects_line = by_ue[ue.code], line
            else:
                ue.total, ue.total_line = by_ue[ue.code], line
    if ects:
        table.declared_ects = semester_value
    else:
        table.declared_total, table.totals_line = semester_value, line


def ue_checked_sum(
    values_sum: float, aop_total: float | None = None, row_layout: str | None = None
) -> float:
    """What a UE's printed total is checked against: the sum of its values, plus the AOP cell in
    the grid row layout C (Génie biologique), where the total holds it but the values do not."""
    return values_sum + ((aop_total or 0.0) if row_layout == "C" else 0.0)


def ue_sum_holds(
    values_sum: float,
    n_values: int,
    total: float,
    aop_total: float | None = None,
    row_layout: str | None = None,
) -> bool:
    """Whether a UE's values add up to its printed total within their rounding
    (``ue_checked_sum``)."""
    return sums_agree(ue_checked_sum(values_sum, aop_total, row_layout), total, n_values)


def check_ue_totals(table: Table) -> None:
    """Per UE: the sum of its values against the printed total (``sum_ok``, a warning when they
    differ by more than the values' rounding), and the SAÉ share from the module kinds where the
    source does not print it."""
    sums: dict[int, float] = defaultdict(float)
    counts: dict[int, int] = defaultdict(int)
    sae: dict[int, float] = defaultdict(float)
    for c in table.coefficients:
        sums[c.competence] += c.coefficient
        counts[c.competence] += 1
        if is_sae(c.kind):
            sae[c.competence] += c.coefficient
    for ue in table.ues:
        total = sums.get(ue.competence, 0.0)
        if ue.total is not None:
            ue.sum_ok = ue_sum_holds(
                total, counts.get(ue.competence, 0), ue.total, ue.aop_total, ue.row_layout
            )
            if not ue.sum_ok:
                table.issues.append(
                    Issue(
                        ue.total_line or ue.line,
                        "total_mismatch",
                        f"{ue.code} : somme des coefficients "
                        f"{fmt.number(total, 2, trim=False)} ≠ total imprimé "
                        f"{fmt.number(ue.total, 4)}",
                    )
                )
        if ue.total and not ue.sae_share_printed:
            ue.sae_share = sae.get(ue.competence, 0.0) / ue.total


def close_module_table(
    table: Table, has_rows: bool, *, rows_ok: bool = True, semester_totals: bool = True
) -> None:
    """Checks and status of a table read one module per row (text, spreadsheet, template):
    ``complete`` when every UE has its printed total and ECTS and its sum holds (and, with
    ``semester_totals``, the semester's total and ECTS are printed), and ``rows_ok``."""
    check_ue_totals(table)
    checked = rows_ok and all(
        u.total is not None and u.ects is not None and u.sum_ok is not False for u in table.ues
    )
    if semester_totals:
        checked = checked and table.declared_total is not None and table.declared_ects is not None
    table.status = table_status(has_rows, checked)
