"""Printed totals of a table (per UE: total coefficient and ECTS) and the arithmetic every reader
checks against them, so that all layouts record and judge alike."""

from __future__ import annotations

from collections import defaultdict

from butdata.model import Issue, Table

# SAE-coded modules, portfolio and stage included (they are SAÉ in the national programme).
SAE_KINDS = frozenset({"sae", "portfolio", "stage"})
# Printed values have at most two decimals: each may carry half a hundredth of rounding.
ROUNDING = 0.005


def set_printed_totals(table: Table, by_ue: dict[str, float], semester_value: float | None,
                       line: int, ects: bool) -> None:
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
        if c.kind in SAE_KINDS:
            sae[c.competence] += c.coefficient
    for ue in table.ues:
        total = sums.get(ue.competence, 0.0)
        if ue.total is not None:
            ue.sum_ok = abs(total - ue.total) <= ROUNDING * max(1, counts.get(ue.competence, 0))
            if not ue.sum_ok:
                table.issues.append(Issue(ue.total_line or ue.line, "total_mismatch",
                                          f"{ue.code} : somme des coefficients {total:.2f} ≠ "
                                          f"total imprimé {ue.total:g}"))
        if ue.total and not ue.sae_share_printed:
            ue.sae_share = sae.get(ue.competence, 0.0) / ue.total
