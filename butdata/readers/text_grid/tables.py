"""A planned body made a Table: its UE rows and values, the final line's checks, the modules
where they are certain, and the status."""

from __future__ import annotations

from butdata.errors import SourceError
from butdata.model import UE, Coefficient, Issue, Table
from butdata.readers.text_grid.bodies import Plan
from butdata.readers.text_grid.placement import (
    grid_columns,
    header_modules,
    place_by_column_totals,
    place_by_headers,
)
from butdata.readers.text_grid.rows import (
    Row,
    TextIndex,
    infer_competences,
    keep_identified,
    resolve_rows,
)
from butdata.readers.text_grid.tokens import Final, ending, numbers, shown
from butdata.vocab import SAE, coefficient_problem, ects_problem, sums_agree, table_status


def build_table(source: str, plan: Plan, index: TextIndex) -> Table:
    assert plan.ident is not None  # set for every plan before the tables are built
    ident = plan.ident
    title = plan.title
    table = Table(
        source=source,
        line=title.line if not plan.inferred else plan.rows[0].line,
        title=title.text,
        alternance=False,
        layout="grid",
        identity_inferred=plan.inferred,
        formation=ident.formation,
        formation_name=ident.formation_name,
        site=ident.site,
        semester=ident.semester,
        parcours=ident.parcours,
    )
    issues = table.issues
    if plan.inferred:
        known = (
            f"formation {table.formation} d'après les {ident.how}"
            if table.formation
            else "formation inconnue"
        )
        issues.append(
            Issue(
                table.line,
                "identity_inferred",
                (
                    f"corps de tableau imprimé sous le titre « {title.text} » (ligne {title.line}) : "
                    f"{plan.reason} ; tableau séparé, identité déduite du corps (semestre "
                    f"{shown(table.semester)} d'après les codes UE, {known}, site "
                    f"{table.site or 'inconnu'}, parcours inconnu)"
                ),
            )
        )
    for line, code, message in plan.orphans:
        issues.append(Issue(line, code, message))
    infer_competences(plan.rows, plan.formation, index, issues)
    rows = keep_identified(plan.rows, issues)
    resolve_rows(rows, issues)
    columns = grid_columns(rows, issues)
    for row in rows:
        _add_row(table, row, columns.get(id(row)))
    if plan.body.final:
        record_final(table, plan.body.final)
    modules = header_modules(plan.body.header_lines)
    table.modules = modules
    place_by_headers(table, modules, rows)
    if plan.body.final and plan.body.final.columns:
        place_by_column_totals(table, plan.body.final, rows)
    lost = sorted(set(plan.body.leftover) | set(plan.body.lost))
    if lost:
        issues.append(
            Issue(
                lost[0],
                "values_lost",
                (
                    f"{len(lost)} ligne(s) de texte d'UE sans valeurs (lignes "
                    f"{', '.join(map(str, lost))}) : valeurs perdues à l'extraction"
                ),
                "info",
            )
        )
    table.status = grid_status(table)
    return table


def _add_row(table: Table, row: Row, columns: list[int] | None) -> None:
    cells, total, ects, ratio, aop = ending(numbers(row.tokens), row.family)
    competence = row.competence
    assert competence is not None  # rows without a competence are not kept
    # Cells are coefficients (≤ 100); a UE total may exceed 100 (GB: 110 = cells + AOP).
    for value, problem in [(c.value, coefficient_problem) for c in cells] + [
        (ects.value, ects_problem)
    ]:
        if why := problem(value):
            raise SourceError(table.source, row.line, why)
    sem = shown(row.semester or table.semester)
    table.ues.append(
        UE(
            code=f"UE {sem}.{competence}",
            competence=competence,
            name=row.name,
            line=row.competence_line or row.line,
            level=row.level,
            ects=ects.value,
            total=total.value,
            sae_share=ratio.value,
            sae_share_printed=True,
            aop_total=aop.value if aop else None,
            ects_line=row.line,
            total_line=row.line,
            sum_ok=row.sum_ok,
            ratio_ok=row.ratio_ok,
            row_layout=row.layout,
        )
    )
    for pos, cell in enumerate(cells, start=1):
        table.coefficients.append(
            Coefficient(
                competence=competence,
                position=pos,
                coefficient=cell.value,
                printed=cell.printed,
                line=row.line,
                kind=SAE if row.sae_run and pos <= row.sae_run else None,
                column=columns[pos - 1] if columns else None,
            )
        )


def _close(printed: float, found: float) -> bool:
    """A printed total against a sum of printed totals: within one rounding unit."""
    return sums_agree(found, printed, 1)


def declare_totals(table: Table, final: Final) -> None:
    """The final line's totals, as printed, on the table."""
    table.declared_total, table.declared_ects = final.grand, final.ects
    table.declared_aop, table.totals_line = final.aop, final.line


def record_final(table: Table, final: Final) -> None:
    """The final line's totals on the table, checked against the sums over its UEs (each UE
    prints its total and ECTS)."""
    declare_totals(table, final)
    issues = table.issues
    if final.extras:
        issues.append(
            Issue(
                final.line,
                "stray_value",
                (
                    f"valeur isolée « {' '.join(final.extras)} » devant la ligne de totaux, ignorée "
                    f"(numéro de page ?)"
                ),
                "info",
            )
        )
    if not table.ues:
        return
    totals = [u.total for u in table.ues if u.total is not None]
    ects = [u.ects for u in table.ues if u.ects is not None]
    assert len(totals) == len(ects) == len(table.ues)  # the callers' precondition
    checks = [("total général", final.grand, sum(totals)), ("total ECTS", final.ects, sum(ects))]
    aops = [u.aop_total for u in table.ues if u.aop_total is not None]
    if final.aop is not None and len(aops) == len(table.ues):
        checks.append(("total AOP", final.aop, sum(aops)))
    for label, declared, found in checks:
        if declared is not None and not _close(declared, found):
            issues.append(
                Issue(
                    final.line,
                    "totals_mismatch",
                    (
                        f"{label} imprimé {shown(declared)} ≠ somme des {len(table.ues)} ligne(s) UE "
                        f"présentes {shown(round(found, 4))}"
                    ),
                )
            )


def grid_status(table: Table, failed: bool = False) -> str:
    """``complete`` when the final line's totals hold (or, without one, the semester is whole)
    and every UE's sum holds; ``failed``: another check of the reader failed."""
    if not table.ues:
        return table_status(False, False)
    if table.totals_line is None:
        return table_status(True, complete_without_totals(table) and not failed)
    totals_hold = not any(i.code == "totals_mismatch" for i in table.issues)
    return table_status(True, totals_hold and all(u.sum_ok for u in table.ues) and not failed)


def complete_without_totals(table: Table) -> bool:
    """No final line: UE 1..n all present, sums hold and the ECTS make a full semester (30)."""
    comps = [u.competence for u in table.ues]
    ects = [u.ects for u in table.ues if u.ects is not None]
    ok = (
        comps == list(range(1, len(comps) + 1))
        and all(u.sum_ok for u in table.ues)
        and len(ects) == len(table.ues)  # a UE without its ECTS: the semester is not checkable
        and _close(sum(ects), 30)
    )
    if ok:
        table.issues.append(
            Issue(
                table.line,
                "totals_missing",
                (
                    f"ligne de totaux absente : tableau jugé complet car UE 1 à {len(comps)} présentes, "
                    f"sommes justes et 30 ECTS"
                ),
                "info",
            )
        )
    elif table.ues:
        table.issues.append(
            Issue(
                table.line,
                "totals_missing",
                "ligne de totaux absente : complétude non vérifiable",
                "info",
            )
        )
    return ok
