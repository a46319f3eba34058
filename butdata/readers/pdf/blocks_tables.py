"""The block layout's semesters as read (``Unit``: competences, blocks, totals) and how each
becomes a Table: its identity from the headings in force, its UEs and modules, and the checks
of every printed total (see ``blocks_layout`` for the reading)."""

from __future__ import annotations

from dataclasses import dataclass, field

from butdata import fmt
from butdata.checks import close_module_table
from butdata.model import UE, Coefficient, Issue, Module, Table
from butdata.readers.pdf.cells import Cell, CellRow, TextLine
from butdata.vocab import (
    RESSOURCE,
    SAE,
    block_module_kind,
    module_kind,
    parse_ue_code,
    sums_agree,
)

LAYOUT = "blocks"
BLOCK_LABELS = {RESSOURCE: "Ressources", SAE: "SAÉ"}
# Warnings that leave a semester's table partial (its totals are not all verified).
FAILING = {
    "sum_mismatch",
    "total_mismatch",
    "missing_totals",
    "block_missing",
    "bad_value",
    "niveau_mismatch",
    "semester_mismatch",
    "competence_unknown",
    "duplicate_competence",
    "bad_module_line",
    "module_sum_mismatch",
}


@dataclass
class Context:
    """What the headings read so far say (each carries over until a heading changes it)."""

    formation: str | None = None
    formation_name: str | None = None
    formation_text: str | None = None
    site: str | None = None
    academic_year: str | None = None
    level: int | None = None
    level_text: str | None = None
    parcours: str | None = None
    parcours_text: str | None = None
    alternance: bool = False


@dataclass
class Value:
    column: str  # the competence code it lies under ("" for the total column)
    value: float
    printed: str
    cell: Cell


@dataclass
class ModuleRow:
    code: str | None
    name: str | None
    row: CellRow
    values: list[Value]
    total: Value | None = None  # the row's « Total » cell, when the block has that column


@dataclass
class Block:
    kind: str  # RESSOURCE or SAE
    row: CellRow  # its header
    columns: list[tuple[str, Cell]] = field(default_factory=list)  # code, code cell
    total_column: Cell | None = None
    modules: list[ModuleRow] = field(default_factory=list)
    total: dict[str, Value] | None = None  # « Total Ressources » / « Total SAÉ » per code
    grand_total: Value | None = None  # that row's « Total » cell
    total_row: CellRow | None = None


@dataclass
class Competence:
    code: str
    semester: int
    number: int
    name: str | None
    ects: float | None
    row: CellRow


@dataclass
class Niveau:
    """A ``TOTAL NIVEAU`` table: the year's coefficients and ECTS."""

    label: str
    semesters: tuple[int, int] | None
    coefficients: float | None
    ects: float | None
    line: int
    after: int  # how many semesters were read before it
    parcours: str | None


@dataclass
class Unit:
    """One semester's tables, as read."""

    line: int
    heading: TextLine | None = None
    heading_semester: int | None = None
    context: Context | None = None  # taken when the semester's first table is read
    competences: list[Competence] = field(default_factory=list)
    competence_columns: dict[str, Cell] = field(default_factory=dict)
    ects_total: Value | None = None  # a « Total » row of the competences table
    blocks: list[Block] = field(default_factory=list)
    codes: list[tuple[str, Cell]] = field(default_factory=list)  # a codes row above the blocks
    total: dict[str, Value] | None = None  # « Total Ressources SAÉ semestre N »
    total_row: CellRow | None = None
    total_semester: int | None = None
    issues: list[Issue] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)

    @property
    def started(self) -> bool:
        return bool(self.competences or self.blocks or self.total)

    def block(self, kind: str) -> Block | None:
        return next((b for b in reversed(self.blocks) if b.kind == kind), None)


def build_tables(
    source: str, units: list[Unit], niveaux: list[Niveau], context: Context
) -> tuple[list[Table], list[Issue]]:
    """The Tables of the semesters read, checked; and the document-level warnings."""
    built = [(u, _table(source, u, context)) for u in units if u.started]
    issues: list[Issue] = []
    for niveau in niveaux:
        _check_niveau(niveau, units, built, issues)
    for _, table in built:
        ok = table.semester is not None and not any(i.code in FAILING for i in table.issues)
        close_module_table(table, bool(table.modules), rows_ok=ok, semester_totals=False)
    return [t for _, t in built], issues


def _table(source: str, unit: Unit, fallback: Context) -> Table:
    ctx = unit.context or Context(**vars(fallback))
    semester = _semester(unit)
    head = unit.heading.text if unit.heading else (f"Semestre {semester}" if semester else None)
    parts = [ctx.formation_text, ctx.level_text, ctx.parcours_text, head]
    table = Table(
        source=source,
        line=unit.line,
        title=" · ".join(p for p in parts if p),
        formation=ctx.formation,
        formation_name=ctx.formation_name,
        site=ctx.site,
        semester=semester,
        parcours=ctx.parcours,
        alternance=ctx.alternance,
        layout=LAYOUT,
        year=ctx.academic_year or fallback.academic_year,
    )
    table.issues.extend(unit.issues)
    if unit.sheets:
        names = ", ".join(f"« {s} »" for s in unit.sheets)
        table.issues.append(
            Issue(
                unit.line,
                "draft_sheet",
                f"tableau lu dans la feuille {names} (lignes = lignes de la feuille)",
                "info",
            )
        )
    if (
        ctx.level is not None
        and semester is not None
        and semester not in (2 * ctx.level - 1, 2 * ctx.level)
    ):
        table.issues.append(
            Issue(
                unit.line,
                "semester_mismatch",
                f"semestre {semester} sous le titre « {ctx.level_text} » (année {ctx.level})",
            )
        )
    _ues(unit, table)
    _modules(unit, table)
    return table


def _semester(unit: Unit) -> int | None:
    """From the competence codes (all of one semester), else the « Semestre N » heading,
    else the semester total's label; what disagrees is a warning."""
    from_codes = {c.semester for c in unit.competences}
    for block in unit.blocks:
        from_codes |= {p[0] for code, _ in block.columns if (p := parse_ue_code(code))}
    said = [(f"codes des compétences (S{s})", s) for s in sorted(from_codes)]
    if unit.heading_semester is not None:
        said.append((f"titre « Semestre {unit.heading_semester} »", unit.heading_semester))
    if unit.total_semester is not None and unit.total_row is not None:
        said.append((f"ligne « {unit.total_row.filled[0].text} »", unit.total_semester))
    if len({s for _, s in said}) > 1:
        kept = "semestre des codes retenu" if len(from_codes) == 1 else "semestre inconnu"
        unit.issues.append(
            Issue(
                unit.line,
                "semester_mismatch",
                f"semestre incohérent : {' ; '.join(w for w, _ in said)} : {kept}",
            )
        )
    if not said:
        unit.issues.append(
            Issue(unit.line, "semester_mismatch", "semestre non imprimé (ni titre ni codes C3.1…)")
        )
    if len(from_codes) == 1:
        return next(iter(from_codes))
    if from_codes:
        return None
    return said[0][1] if said else None


def _ues(unit: Unit, table: Table) -> None:
    """The competences table's rows, then codes of the blocks it does not list (warned)."""
    codes: list[tuple[str, Competence | None]] = [(c.code, c) for c in unit.competences]
    known = {c.code for c in unit.competences}
    for block in unit.blocks:
        for code, _ in block.columns:
            if code not in known:
                known.add(code)
                codes.append((code, None))
                table.issues.append(
                    Issue(
                        block.row.line,
                        "competence_unknown",
                        f"compétence {code} du bloc « {BLOCK_LABELS[block.kind]} » absente du "
                        "tableau des compétences : ECTS inconnus",
                    )
                )
    if unit.total is None:
        table.issues.append(
            Issue(
                unit.line,
                "missing_totals",
                f"ligne « Total Ressources SAÉ semestre {table.semester or 'N'} » absente : "
                "totaux des compétences non vérifiés",
            )
        )
    by_number: dict[int, str] = {}
    for code, comp in codes:
        parsed = parse_ue_code(code)
        if parsed is None:
            continue
        line = comp.row.line if comp else unit.line
        if parsed[1] in by_number:
            table.issues.append(
                Issue(
                    line,
                    "duplicate_competence",
                    f"{code} : même numéro de compétence que {by_number[parsed[1]]}, ignorée",
                )
            )
            continue
        by_number[parsed[1]] = code
        total = (unit.total or {}).get(code)
        table.ues.append(
            UE(
                code=code,
                competence=parsed[1],
                name=comp.name if comp else None,
                line=line,
                ects=comp.ects if comp else None,
                ects_line=line if comp and comp.ects is not None else None,
                total=total.value if total else None,
                total_line=unit.total_row.line if total and unit.total_row else None,
            )
        )
    unprinted = [u.code for u in table.ues if u.total is None]
    if unit.total_row is not None and unprinted:
        table.issues.append(
            Issue(
                unit.total_row.line,
                "missing_totals",
                f"« {unit.total_row.filled[0].text} » : total non imprimé pour "
                f"{', '.join(unprinted)}",
            )
        )
    if unit.ects_total is not None and all(u.ects is not None for u in table.ues):
        table.declared_ects = unit.ects_total.value
        found = sum(u.ects or 0.0 for u in table.ues)
        if not sums_agree(found, unit.ects_total.value, len(table.ues)):
            table.issues.append(
                Issue(
                    unit.line,
                    "sum_mismatch",
                    f"total des ECTS imprimé {unit.ects_total.printed} ≠ somme des "
                    f"compétences {fmt.number(found, 2)}",
                )
            )


def _modules(unit: Unit, table: Table) -> None:
    competence = {u.code: u.competence for u in table.ues}
    for kind in (RESSOURCE, SAE):
        if not unit.block(kind):
            table.issues.append(
                Issue(unit.line, "block_missing", f"bloc « {BLOCK_LABELS[kind]} » absent")
            )
    for block in unit.blocks:
        for mod in block.modules:
            kind = module_kind(mod.code, mod.name) or block_module_kind(block.kind, mod.name)
            position = len(table.modules) + 1
            semester = mod.total.value if mod.total else None
            table.modules.append(Module(mod.code, mod.name, kind, position, semester, mod.row.line))
            for v in mod.values:
                if v.value == 0 or v.column not in competence:
                    continue  # a printed 0 is no coefficient; an unknown competence is warned
                table.coefficients.append(
                    Coefficient(
                        competence=competence[v.column],
                        position=position,
                        coefficient=v.value,
                        printed=v.printed,
                        line=mod.row.line,
                        module_code=mod.code,
                        module_name=mod.name,
                        kind=kind,
                        page=mod.row.page,
                        row_label=mod.name or mod.code,
                        column_label=v.column,
                        bbox=v.cell.bbox,
                    )
                )
            if mod.total is not None:
                found = sum(v.value for v in mod.values)
                if not sums_agree(found, mod.total.value, len(mod.values)):
                    table.issues.append(
                        Issue(
                            mod.row.line,
                            "module_sum_mismatch",
                            f"« {mod.name or mod.code} » : total imprimé {mod.total.printed} ≠ "
                            f"somme des compétences {fmt.number(found, 2)}",
                        )
                    )
        _check_block(block, table)


def _check_block(block: Block, table: Table) -> None:
    label = f"Total {BLOCK_LABELS[block.kind]}"
    what = "ressources" if block.kind == RESSOURCE else "SAÉ"
    if block.total is None:
        table.issues.append(
            Issue(block.row.line, "missing_totals", f"ligne « {label} » absente : bloc non vérifié")
        )
        return
    line = block.total_row.line if block.total_row else block.row.line
    for code, _ in block.columns:
        values = [v.value for m in block.modules for v in m.values if v.column == code]
        printed = block.total.get(code)
        if not sums_agree(sum(values), printed.value if printed else 0.0, len(values)):
            table.issues.append(
                Issue(
                    line,
                    "sum_mismatch",
                    f"« {label} » {code} : imprimé {printed.printed if printed else 'vide'} ≠ "
                    f"somme des {what} {fmt.number(sum(values), 2)}",
                )
            )
    if block.grand_total is not None:
        values = [v.value for m in block.modules for v in m.values]
        if not sums_agree(sum(values), block.grand_total.value, len(values)):
            table.issues.append(
                Issue(
                    line,
                    "sum_mismatch",
                    f"« {label} » : total imprimé {block.grand_total.printed} ≠ somme des {what} "
                    f"{fmt.number(sum(values), 2)}",
                )
            )


def _check_niveau(
    niveau: Niveau, units: list[Unit], built: list[tuple[Unit, Table]], issues: list[Issue]
) -> None:
    """The year's total against the two semesters of the same parcours nearest to where it
    is printed (just before it as a rule; after it when a page's column is read later)."""
    label = f"« {niveau.label} »"
    if niveau.semesters is None:
        issues.append(
            Issue(
                niveau.line,
                "niveau_mismatch",
                f"{label} : semestres non imprimés, total non vérifié",
            )
        )
        return
    index = {id(u): k for k, u in enumerate(units)}

    def nearest(semester: int) -> Table | None:
        found = [
            (abs(index[id(u)] - niveau.after + 0.5), t)
            for u, t in built
            if t.semester == semester and t.parcours == niveau.parcours
        ]
        return min(found, key=lambda p: p[0])[1] if found else None

    first, second = (nearest(s) for s in niveau.semesters)
    if first is None or second is None:
        issues.append(
            Issue(
                niveau.line,
                "niveau_mismatch",
                f"{label} : S{niveau.semesters[0]} ou S{niveau.semesters[1]} de ce parcours "
                "introuvable, total non vérifié",
            )
        )
        return
    target = second  # printed at the end of the year, with its second semester
    checks = []
    if niveau.coefficients is None or niveau.ects is None:
        target.issues.append(
            Issue(niveau.line, "niveau_mismatch", f"{label} : coefficients ou ECTS illisibles")
        )
    values = [c.coefficient for t in (first, second) for c in t.coefficients]
    if niveau.coefficients is not None:
        checks.append(("coefficients", niveau.coefficients, sum(values), len(values)))
    ects = [u.ects for t in (first, second) for u in t.ues]
    if niveau.ects is not None:
        if any(e is None for e in ects):
            target.issues.append(
                Issue(
                    niveau.line,
                    "niveau_mismatch",
                    f"{label} : ECTS d'une compétence inconnus, ECTS non vérifiés",
                )
            )
        else:
            checks.append(("ECTS", niveau.ects, sum(e or 0.0 for e in ects), len(ects)))
    for what, printed, found, n in checks:
        if not sums_agree(found, printed, n):
            target.issues.append(
                Issue(
                    niveau.line,
                    "niveau_mismatch",
                    f"{label} : {what} imprimés {fmt.number(printed, 2)} ≠ somme de "
                    f"S{first.semester} et S{second.semester} {fmt.number(found, 2)}",
                )
            )
