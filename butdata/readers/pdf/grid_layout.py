"""Layout (c): the ORéBUT grid — UE rows, module columns (document 004 before extraction).

Per table: a title line ``B.U.T. <formation> [(site)] Semestre N [Parcours …]`` (the text grid
reader's title: same parsing), then a ruled table: a header row (label columns ``UE``,
competence, level; one column per module, ``SAÉ 1.01 – …``, ``R1.01 – …``, ``AOP …``,
``Portfolio``; then ``Total des coefficients``, ``ECTS``, ``rapport SAE/UE``, ``Total AOP``),
one row per UE (``UE 1.1``, competence name, level, values), a final row of column totals,
grand total, ECTS total, an empty ratio cell and the AOP total. Header texts are often rotated:
the extraction reads them along their direction.

With empty cells kept, every value has its module (the header cell it lies under); its
position is its rank among the row's printed values, as for the text grid. Checks, per row:
the values' sum against « Total des coefficients » (row ending ``A`` with a « Total AOP »
column, ``B`` without; ``C`` when the AOP total is in no module column and completes the
sum), the AOP columns against « Total AOP », « rapport SAE/UE » against the SAÉ share (SAÉ
columns alone, or with portfolio and stage: either reading within the printed rounding); the
final row against the column sums and the rows (``text_grid.tables.record_final``).
``complete`` when all are printed and hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from butdata import fmt
from butdata.model import UE, Coefficient, Issue, Module, Table
from butdata.readers.pdf.cells import (
    Cell,
    CellRow,
    Group,
    TextLine,
    fold,
    is_dash,
    is_number,
    left_of,
    number,
    under,
)
from butdata.readers.text_grid.placement import MODULE_START, TRAILING_HEADERS
from butdata.readers.text_grid.tables import declare_totals, grid_status, record_final
from butdata.readers.text_grid.titles import Title, parse_title
from butdata.readers.text_grid.tokens import Final, half_unit
from butdata.vocab import OTHER, SAE, is_sae, module_kind, parse_ue_code, sums_agree

LAYOUT = "grid"
EPS = 1e-9
_UE = re.compile(r"^(UE\s?\d[.,]?\d{1,2})\b\s*(.*)$", re.IGNORECASE)


@dataclass
class _Grid:
    labels: list[Cell]  # label columns (UE, competence, level)
    modules: list[tuple[Module, Cell]]
    total: Cell | None = None
    ects: Cell | None = None
    ratio: Cell | None = None
    aop: Cell | None = None

    @property
    def first(self) -> float:
        """Where the module columns start: cells left of it are the row's labels."""
        return self.modules[0][1].x0

    def has_aop_columns(self) -> bool:
        return any(_is_aop(m) for m, _ in self.modules)


def _is_aop(module: Module) -> bool:
    return module.kind == OTHER and "AOP" in (module.code or "").upper()


def _header(row: CellRow) -> _Grid | None:
    texts = [c.text for c in row.cells]
    total_i = next((i for i, t in enumerate(texts) if fold(t).startswith("total des coef")), None)
    if not total_i:
        return None
    first = next(
        (
            i
            for i, t in enumerate(texts[:total_i])
            if (m := MODULE_START.match(t)) and m.group(1) not in TRAILING_HEADERS
        ),
        None,
    )
    if first is None:
        return None
    grid = _Grid(row.cells[:first], [])
    for k, cell in enumerate(row.cells[first:total_i], start=1):
        m = MODULE_START.match(cell.text)
        code = re.sub(r"\s+", " ", m.group(1)).strip() if m else None
        name = (cell.text[m.end() :].strip(" -–:") if m else cell.text) or None
        grid.modules.append((Module(code, name, module_kind(code, name), k, None, row.line), cell))
    for cell in row.cells[total_i:]:
        t = fold(cell.text)
        if t.startswith("total des coef"):
            grid.total = cell
        elif t.startswith("total aop"):
            grid.aop = cell
        elif t.startswith("rapport"):
            grid.ratio = cell
        elif t in ("ects", "credits ects"):
            grid.ects = cell
    return grid


@dataclass
class _Pending:
    """A title and the grid printed under it."""

    title: Title
    grid: _Grid | None = None
    table: Table | None = None
    failed: bool = False  # a check other than the UE sums failed, or a cell is unreadable


class GridReader:
    def __init__(self, source: str):
        self.source = source
        self.pending: list[_Pending] = []
        self.current: _Pending | None = None
        self.untitled: list[int] = []  # lines of rows under no title
        self.issues: list[Issue] = []

    def heading(self, line: TextLine) -> None:
        title = parse_title(line.line, line.text)
        if title is not None:
            self.current = _Pending(title)
            self.pending.append(self.current)

    def group(self, group: Group) -> None:
        for row in group.rows:
            cur = self.current
            if not row.filled:
                continue
            if cur is None:  # a grid without a title has no identity: not read, said
                self.untitled.append(row.line)
                continue
            if (grid := _header(row)) is not None:
                if cur.table is None:  # (a header repeated on the next page is skipped)
                    cur.grid, cur.table = grid, self._table(cur.title)
                    cur.table.modules = [m for m, _ in grid.modules]
                continue
            if cur.grid is None or cur.table is None:
                continue
            labels = [c for c in row.filled if left_of(c, cur.grid.first)]
            if labels and (m := _UE.match(labels[0].text)):
                self._ue_row(cur, row, m.group(1), m.group(2))
            elif cur.table.ues and all(fold(c.text).startswith("total") for c in labels):
                self._final_row(cur, row)

    def _table(self, title: Title) -> Table:
        return Table(
            source=self.source,
            line=title.line,
            title=title.text,
            formation=title.formation,
            formation_name=title.formation_name,
            site=title.site,
            semester=title.semester,
            parcours=title.parcours,
            alternance=False,
            layout=LAYOUT,
        )

    def _number(self, cur: _Pending, row: CellRow, cell: Cell | None, what: str) -> Cell | None:
        """The cell when it prints a number; an unreadable one is a warning."""
        if cell is None or not cell.text or is_dash(cell.text):
            return None
        if is_number(cell.text):
            return cell
        cur.failed = True
        assert cur.table is not None
        cur.table.issues.append(
            Issue(row.line, "bad_value", f"{what} : « {cell.text} » n'est pas un nombre")
        )
        return None

    def _ue_row(self, cur: _Pending, row: CellRow, code: str, rest: str) -> None:
        table, grid = cur.table, cur.grid
        assert table is not None and grid is not None
        code = re.sub(r"\s+", " ", code).replace(",", ".")
        parsed = parse_ue_code(code)
        if parsed is None:
            return
        if any(u.competence == parsed[1] for u in table.ues):
            table.issues.append(
                Issue(row.line, "duplicate_competence", f"{code} : compétence déjà lue, ignorée")
            )
            return
        texts = [(c.text if (c := under(row, head)) else "") for head in grid.labels[1:]]
        name = rest or (texts[0] if texts else "") or None
        level = (texts[1] if len(texts) > 1 else "") or None
        values = []
        for module, head in grid.modules:
            cell = self._number(cur, row, under(row, head), f"{code}, {module.code}")
            if cell is not None:
                values.append((module, head, cell))
        total, ects, ratio, aop = (
            self._number(cur, row, under(row, head), f"{code}, {what}")
            for head, what in (
                (grid.total, "total"),
                (grid.ects, "ECTS"),
                (grid.ratio, "rapport SAE/UE"),
                (grid.aop, "total AOP"),
            )
        )
        ue = UE(
            code=code,
            competence=parsed[1],
            name=name,
            line=row.line,
            level=level,
            ects=number(ects.text) if ects else None,
            total=number(total.text) if total else None,
            sae_share=number(ratio.text) if ratio else None,
            sae_share_printed=ratio is not None,
            aop_total=number(aop.text) if aop else None,
            ects_line=row.line if ects else None,
            total_line=row.line if total else None,
        )
        table.ues.append(ue)
        for position, (module, head, cell) in enumerate(values, start=1):
            table.coefficients.append(
                Coefficient(
                    competence=parsed[1],
                    position=position,
                    coefficient=number(cell.text),
                    printed=cell.text,
                    line=row.line,
                    module_code=module.code,
                    module_name=module.name,
                    kind=module.kind,
                    column=module.position,
                    page=row.page,
                    row_label=code,
                    column_label=head.text,
                    bbox=cell.bbox,
                )
            )
        self._check_row(cur, ue, [(m, number(c.text)) for m, _, c in values], ratio, row)

    def _check_row(
        self,
        cur: _Pending,
        ue: UE,
        values: list[tuple[Module, float]],
        ratio: Cell | None,
        row: CellRow,
    ) -> None:
        table, grid = cur.table, cur.grid
        assert table is not None and grid is not None
        cells = sum(v for _, v in values)
        if ue.total is not None:
            if sums_agree(cells, ue.total, len(values)):
                ue.sum_ok, ue.row_layout = True, "A" if grid.aop is not None else "B"
            elif (
                ue.aop_total
                and not grid.has_aop_columns()
                and sums_agree(cells + ue.aop_total, ue.total, len(values) + 1)
            ):
                ue.sum_ok, ue.row_layout = True, "C"
            else:
                ue.sum_ok = False
                table.issues.append(
                    Issue(
                        row.line,
                        "total_mismatch",
                        f"{ue.code} : somme des coefficients {fmt.number(cells, 2, trim=False)} "
                        f"≠ total imprimé {fmt.number(ue.total, 4)}",
                    )
                )
        aop = [v for m, v in values if _is_aop(m)]
        if ue.aop_total is not None and grid.has_aop_columns():
            if not sums_agree(sum(aop), ue.aop_total, len(aop)):
                cur.failed = True
                table.issues.append(
                    Issue(
                        row.line,
                        "sum_mismatch",
                        f"{ue.code} : total AOP imprimé {fmt.number(ue.aop_total, 4)} ≠ somme "
                        f"des colonnes AOP {fmt.number(sum(aop), 2)}",
                    )
                )
        if ue.sae_share is not None and ue.total and ratio is not None:
            sae_only = sum(v for m, v in values if m.kind == SAE) / ue.total
            sae_all = sum(v for m, v in values if is_sae(m.kind)) / ue.total
            tolerance = half_unit(ratio.text) + EPS
            ue.ratio_ok = any(abs(s - ue.sae_share) <= tolerance for s in (sae_only, sae_all))
            if not ue.ratio_ok:
                cur.failed = True
                table.issues.append(
                    Issue(
                        row.line,
                        "sum_mismatch",
                        f"{ue.code} : rapport SAE/UE imprimé {ratio.text} ≠ part des SAÉ "
                        f"{fmt.number(sae_only, 3)} (avec portfolio et stage : "
                        f"{fmt.number(sae_all, 3)})",
                    )
                )

    def _final_row(self, cur: _Pending, row: CellRow) -> None:
        table, grid = cur.table, cur.grid
        assert table is not None and grid is not None
        grand, ects, aop = (
            self._number(cur, row, under(row, head), what)
            for head, what in (
                (grid.total, "total général"),
                (grid.ects, "total ECTS"),
                (grid.aop, "total AOP"),
            )
        )
        columns: list[float] = []
        for module, head in grid.modules:
            cell = self._number(cur, row, under(row, head), f"total {module.code}")
            if cell is None:
                continue
            columns.append(number(cell.text))
            found = [c.coefficient for c in table.coefficients if c.column == module.position]
            if not sums_agree(sum(found), number(cell.text), len(found)):
                cur.failed = True
                table.issues.append(
                    Issue(
                        row.line,
                        "totals_mismatch",
                        f"total de la colonne « {module.code or module.name} » imprimé "
                        f"{cell.text} ≠ somme des UE {fmt.number(sum(found), 2)}",
                    )
                )
        final = Final(
            row.line,
            number(grand.text) if grand else None,
            number(ects.text) if ects else None,
            number(aop.text) if aop else None,
            columns,
            [],
        )
        if all(u.total is not None and u.ects is not None for u in table.ues):
            record_final(table, final)  # the text grid's checks of the final line
        else:
            declare_totals(table, final)
            cur.failed = True
            table.issues.append(
                Issue(row.line, "missing_totals", "total ou ECTS d'une UE non imprimé")
            )

    def tables(self) -> list[Table]:
        if self.untitled:
            self.issues.append(
                Issue(
                    self.untitled[0],
                    "untitled_table",
                    f"{len(self.untitled)} ligne(s) de grille sans titre « B.U.T. … Semestre N » "
                    "au-dessus : non lues (formation et semestre inconnus)",
                )
            )
        out = []
        for cur in self.pending:
            table = cur.table
            if table is None:
                continue
            table.status = grid_status(table, cur.failed)
            out.append(table)
        return out
