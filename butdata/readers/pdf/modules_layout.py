"""Layout (a): module rows, UE columns — the QLIO document as its PDF prints it.

Per table: a title line ``Semestre 3 BUT QLIO QMI`` (the text layout's title: same parsing,
``text_modules.TITLE``), the year, the UE list (``UE31 - Piloter …``), then a ruled table with
the header ``Code PN | Intitulé module | Coeff semestre | Coeff UE31 | …``, one row per module,
section rows (« Modules du tronc commun », merged across the table), ``Total des coefficients``
and ``Crédits ECTS``. A table continued on the next page (header repeated or not) goes on
with the same columns. Values are placed by the header cell they lie under, so an empty cell
(no coefficient) is simply empty. Checks and status are those of the text reader
(``text_modules._TableBuilder.finish``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from butdata import fmt
from butdata.checks import set_printed_totals
from butdata.model import UE, Coefficient, Document, Issue, Module, Table
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
from butdata.readers.text_modules import TITLE, UE_LINE, YEAR, _cross_table_checks, _TableBuilder
from butdata.vocab import competence_of, module_kind, parse_ue_code, sums_agree

LAYOUT = "modules"
_UE_IN_HEADER = re.compile(r"\b(UE\s?\d\.?\d)\b", re.IGNORECASE)


@dataclass
class _Columns:
    code: Cell
    name: Cell | None
    semester: Cell | None
    ues: list[tuple[str, Cell]]  # UE code as printed, header cell

    def label_end(self) -> float:
        return min(
            c.x0 for c in [*(h for _, h in self.ues), *([self.semester] if self.semester else [])]
        )


def _continues(previous: TextLine, line: TextLine) -> bool:
    """``line`` is the next line of the same paragraph: same page, starting under the text
    of ``previous`` (not left of it) and right below it."""
    height = previous.bottom - previous.top
    return (
        line.page == previous.page
        and previous.x0 - 1 <= line.x0 <= previous.x0 + 4 * height
        and 0 <= line.top - previous.bottom <= 0.8 * height
    )


def _header(row: CellRow) -> _Columns | None:
    code = name = semester = None
    ues = []
    for c in row.cells:
        t = fold(c.text)
        if code is None and re.match(r"^code( pn| module)?$", t):
            code = c
        elif name is None and t.startswith(("intitule", "libelle", "module")):
            name = c
        elif m := _UE_IN_HEADER.search(c.text):
            ues.append((m.group(1), c))
        elif semester is None and "semestre" in t.replace(" ", ""):
            semester = c
    if code is None or not ues:
        return None
    return _Columns(code, name, semester, ues)


class ModulesReader:
    def __init__(self, source: str):
        self.source = source
        self.builders: list[_TableBuilder] = []
        self.current: _TableBuilder | None = None
        self.columns: _Columns | None = None
        self.dropped: list[int] = []  # lines of rows under no title or header
        self.issues: list[Issue] = []
        self.last_line: TextLine | None = None  # the UE line just read (its name may go on)

    def heading(self, line: TextLine) -> None:
        text = line.text
        if m := TITLE.match(text):
            self.current = _TableBuilder(
                self.source, line.line, text, int(m.group(1)), m.group(2), m.group(3)
            )
            self.builders.append(self.current)
            self.columns = None
            return
        previous, self.last_line = self.last_line, None
        if self.current is None:
            return
        table = self.current.table
        if (m := YEAR.match(text)) and table.year is None:
            table.year = m.group(1)
        elif (m := UE_LINE.match(text)) and not table.modules:
            code = m.group(1)
            table.ues.append(
                UE(code=code, competence=competence_of(code), name=m.group(2), line=line.line)
            )
            self.last_line = line
        elif (
            previous is not None and _continues(previous, line) and table.ues and not table.modules
        ):
            # A UE name too long for its line goes on under it.
            table.ues[-1].name = f"{table.ues[-1].name} {text}"
            self.last_line = line

    def group(self, group: Group) -> None:
        for row in group.rows:
            filled = row.filled
            if not filled:
                continue
            if (
                len(filled) == 1
                and len(row.cells) == 1
                or (len(filled) == 1 and TITLE.match(filled[0].text))
            ):
                self._single(row, filled[0].text)
                continue
            if (columns := _header(row)) is not None:
                self.columns = columns
                self._ues_from_header(columns, row)
                continue
            if self.current is None or self.columns is None:
                self.dropped.append(row.line)
                continue
            self._row(self.current, self.columns, row)

    def _single(self, row: CellRow, text: str) -> None:
        t = fold(text)
        if TITLE.match(text) or UE_LINE.match(text) or YEAR.match(text):
            self.heading(TextLine(text, row.line, row.page))
        elif self.current is not None:
            if "tronc" in t:
                self.current.section = "tronc commun"
            elif "specialite" in t:
                self.current.section = "spécialité"

    def _ues_from_header(self, columns: _Columns, row: CellRow) -> None:
        if self.current is None:
            return
        table = self.current.table
        self.current.columns = [code for code, _ in columns.ues]
        if not table.ues:  # no UE list printed: the header's UE columns, without names
            for code, _ in columns.ues:
                table.ues.append(
                    UE(code=code, competence=competence_of(code), name=None, line=row.line)
                )

    def _row(self, builder: _TableBuilder, columns: _Columns, row: CellRow) -> None:
        table = builder.table
        end = columns.label_end()
        label_cells = [c for c in row.cells if c.text and left_of(c, end)]
        code_cell = under(row, columns.code)
        label = " ".join(c.text for c in label_cells)
        t = fold(label)
        if t.startswith("total des coefficients") or t.startswith(("credits ects", "ects")):
            self._totals(builder, columns, row, ects=not t.startswith("total"))
            return
        code = code_cell.text if code_cell is not None and code_cell.text else None
        if code is None:
            if "tronc" in t:
                builder.section = "tronc commun"
            elif "specialite" in t:
                builder.section = "spécialité"
            return
        name_cell = under(row, columns.name) if columns.name else None
        name = name_cell.text if name_cell is not None and name_cell.text else None
        if name is None:
            rest = [c.text for c in label_cells if c is not code_cell]
            name = " ".join(rest) or None
        semester = None
        sem_cell = under(row, columns.semester) if columns.semester else None
        if sem_cell is not None and sem_cell.text and is_number(sem_cell.text):
            semester = number(sem_cell.text)
        kind = module_kind(code, name)
        position = len(table.modules) + 1
        table.modules.append(
            Module(code, name, kind, position, semester, row.line, builder.section)
        )
        total = 0.0
        for ue_code, head in columns.ues:
            cell = under(row, head)
            if cell is None or not cell.text or is_dash(cell.text):
                continue
            if not is_number(cell.text):
                builder.bad_lines += 1
                builder.warn(
                    row.line,
                    "bad_value",
                    f"{code}, {ue_code} : « {cell.text} » n'est pas un nombre",
                )
                continue
            value = number(cell.text)
            total += value
            if value == 0:
                continue
            parsed = parse_ue_code(ue_code)
            assert parsed is not None
            table.coefficients.append(
                Coefficient(
                    competence=parsed[1],
                    position=position,
                    coefficient=value,
                    printed=cell.text,
                    line=row.line,
                    module_code=code,
                    module_name=name,
                    kind=kind,
                    page=row.page,
                    row_label=code,
                    column_label=head.text,
                    bbox=cell.bbox,
                )
            )
        if semester is not None and not sums_agree(total, semester, 1):
            builder.warn(
                row.line,
                "module_sum_mismatch",
                f"{code} : coefficient semestre {sem_cell.text if sem_cell else ''} ≠ somme des "
                f"coefficients UE {fmt.number(total, 2, trim=False)}",
            )

    def _totals(self, builder: _TableBuilder, columns: _Columns, row: CellRow, ects: bool) -> None:
        by_ue: dict[str, float] = {}
        for code, head in columns.ues:
            cell = under(row, head)
            if cell is not None and is_number(cell.text):
                by_ue[code] = number(cell.text)
        sem_cell = under(row, columns.semester) if columns.semester else None
        semester = (
            number(sem_cell.text) if sem_cell is not None and is_number(sem_cell.text) else None
        )
        if len(by_ue) != len(columns.ues):
            builder.warn(row.line, "bad_totals_line", "ligne de totaux incomplète ou illisible")
        set_printed_totals(builder.table, by_ue, semester, row.line, ects)

    def tables(self) -> list[Table]:
        if self.dropped:
            self.issues.append(
                Issue(
                    self.dropped[0],
                    "untitled_table",
                    f"{len(self.dropped)} ligne(s) de tableau sans titre « Semestre N BUT … » ni "
                    "en-tête « Code PN | … » au-dessus : non lues",
                )
            )
        return [b.finish() for b in self.builders if b.table.modules or b.table.ues]

    def cross_checks(self, doc: Document) -> None:
        """Code variants and SAÉ titles reused across tables (the text reader's checks)."""
        _cross_table_checks(doc)
