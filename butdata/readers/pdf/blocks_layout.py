"""The block layout of MCC (one page per semester, two per page in the third year), read from
rows of cells: the same logic for a PDF's ruled tables and for a spreadsheet's sheets.

Per semester, in reading order (``cells.reading_order``):

1. a competences table ``Compétences | Libellé | Type évaluation | Coeff | ECTS``, one row per
   competence coded ``C3.1`` (semester digit, competence number): the UEs, their names and
   ECTS (``Coeff`` is 1 everywhere: not a module coefficient, not read);
2. a **Ressources** block: header ``Ressources | Coefficients``, a row of competence codes
   (the columns; a ``Total`` column is each module's total), one row per ressource (its name,
   no code; a cell per competence, empty when the ressource does not feed it),
   ``Total Ressources``;
3. an **SAÉ** block the same way (``Portfolio`` and ``Stage`` rows, maybe all empty),
   ``Total SAÉ``;
4. ``Total Ressources SAÉ semestre N``: each UE's total coefficient;
5. at a year's end, ``TOTAL NIVEAU 2 | S3 + S4 | Coefficients | ECTS``: the year's sums.

Headings carry over until another says otherwise: the formation (``B.U.T. …``, first page
only), the year of study, the parcours; ``Semestre N`` starts a semester, as does a second
competences table or block of the same kind. A value's column is the competence code cell it
lies under (by horizontal overlap, not by index: merged cells do not shift it). A name printed
in both blocks makes two modules (a ressource and an SAÉ). Modules have no code
(``module_code`` None, the kind from the block: ``vocab.block_module_kind``); a row that does
print one (``R3.01 | Anglais``) keeps it. Checks and status: ``blocks_tables``.
"""

from __future__ import annotations

import re

from butdata.model import Issue, Table
from butdata.readers.pdf.blocks_tables import (
    BLOCK_LABELS,
    LAYOUT,
    Block,
    Competence,
    Context,
    ModuleRow,
    Niveau,
    Unit,
    Value,
    build_tables,
)
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
from butdata.readers.pdf.headings import Heading, parse_heading
from butdata.vocab import RESSOURCE, SAE, parse_ue_code

__all__ = ["LAYOUT", "BlocksReader"]

_BLOCK_HEAD = {
    RESSOURCE: re.compile(r"^ressources?( \(.*\)| coefficients?.*)?$"),
    SAE: re.compile(r"^(saes?|situations? d.apprentissage.*)( \(.*\)| coefficients?.*)?$"),
}
_PAIR = re.compile(r"S\s?(\d)\s*\+\s*S\s?(\d)", re.IGNORECASE)
_CODE = re.compile(r"^(R\s?\d[\w.]*|SA[ÉE]\s?\d[\w.]*)$")  # a module code alone in its cell
_COMPETENCE = re.compile(r"^(C\s?\d\.\d{1,2}|UE\s?\d\.?\d{1,2})\b\s*[-–:]?\s*(.*)$", re.I)


def _label(text: str) -> str:
    return fold(text).rstrip(" :")


def total_kind(label: str) -> str | None:
    """What a « Total … » row totals: ``"niveau"`` (the year), ``"semester"`` (ressources
    and SAÉ), ``RESSOURCE`` or ``SAE`` (one block), ``"plain"`` (« Total » alone: the block
    it closes, or the semester); None when the label is no total."""
    if not label.startswith(("total", "sous-total", "sous total")):
        return None
    if "niveau" in label or re.search(r"\bannee\b", label):
        return "niveau"
    ressource = "ressource" in label
    sae = re.search(r"\bsaes?\b", label) is not None
    if "semestre" in label or re.search(r"\bs\d\b", label) or (ressource and sae):
        return "semester"
    if ressource:
        return RESSOURCE
    if sae:
        return SAE
    if label in ("total", "total general", "total des coefficients", "total coefficients"):
        return "plain"  # the block's total inside a block, else the semester's
    return None


def competence_code(text: str) -> tuple[str, str] | None:
    """« C3.1 » (or « UE 3.1 »), with what follows it in the cell: (code, rest)."""
    m = _COMPETENCE.match(text.strip())
    if m is None or parse_ue_code(m.group(1)) is None:
        return None
    return m.group(1), m.group(2)


class BlocksReader:
    """Feed it headings and tables in reading order (``heading``, ``group``), then ``tables``."""

    def __init__(self, source: str):
        self.source = source
        self.context = Context()
        self.units: list[Unit] = []
        self.unit: Unit | None = None
        self.block: Block | None = None
        self.in_competences = False
        self.niveaux: list[Niveau] = []
        self.sheet: str | None = None  # the sheet being read (spreadsheets)
        self.issues: list[Issue] = []  # document-level

    # -- headings ------------------------------------------------------------------------

    def heading(self, line: TextLine) -> None:
        h = parse_heading(line.text)
        if h.academic_year and self.context.academic_year is None:
            self.context.academic_year = h.academic_year
        if not h.structural:
            return
        new_part = h.level is not None or h.parcours is not None or h.tronc_commun
        if new_part and self.unit is not None and self.unit.started:
            self._close_unit()
        self._apply(h)
        if h.semester is not None:
            unit = self.unit
            if unit is not None and not unit.started:
                unit.heading, unit.heading_semester, unit.line = line, h.semester, line.line
            elif unit is None or unit.total is not None or _semester_of(unit) != h.semester:
                self._close_unit()
                self._new_unit(line.line, line, h.semester)

    def _apply(self, h: Heading) -> None:
        ctx = self.context
        if h.formation is not None:
            ctx.formation, ctx.formation_name = h.formation, h.formation_name
            ctx.formation_text, ctx.site = h.text, h.site
        if h.level is not None:
            ctx.level, ctx.level_text = h.level, h.text
        if h.tronc_commun:
            ctx.parcours, ctx.parcours_text, ctx.alternance = None, h.text, False
        if h.parcours is not None:
            ctx.parcours, ctx.parcours_text, ctx.alternance = h.parcours, h.text, h.alternance

    # -- semesters -----------------------------------------------------------------------

    def _new_unit(
        self, line: int, heading: TextLine | None = None, semester: int | None = None
    ) -> Unit:
        self.unit = Unit(line, heading, semester)
        self.units.append(self.unit)
        self.block, self.in_competences = None, False
        return self.unit

    def _close_unit(self) -> None:
        self.unit, self.block, self.in_competences = None, None, False

    def _content_unit(self, row: CellRow) -> Unit:
        """The semester a table row belongs to (a new one when none is open); it takes the
        headings in force when its first table is read."""
        unit = self.unit or self._new_unit(row.line)
        if unit.context is None:
            unit.context = Context(**vars(self.context))
        if self.sheet and self.sheet not in unit.sheets:
            unit.sheets.append(self.sheet)
        return unit

    # -- tables --------------------------------------------------------------------------

    def group(self, group: Group) -> None:
        rows = group.rows
        for i, row in enumerate(rows):
            filled = row.filled
            if not filled:
                continue
            label = _label(filled[0].text)
            if total_kind(label) == "niveau":
                self._niveau(rows[i:])
                return
            if len(filled) == 1 and (len(row.cells) == 1 or self.block is None):
                h = parse_heading(filled[0].text)
                if h.structural or h.academic_year:  # a heading printed inside the table
                    self.heading(TextLine(filled[0].text, row.line, row.page))
                    continue
            self._row(row, label)

    def _row(self, row: CellRow, label: str) -> None:
        texts = [_label(c.text) for c in row.cells]
        numbers = any(is_number(c.text) for c in row.cells)
        if not numbers and any(_is_ects(t) for t in texts[1:]):
            self._competence_header(row, texts)
            return
        for kind, head in _BLOCK_HEAD.items():
            if head.match(label):
                unit = self.unit
                if unit is not None and (unit.total is not None or unit.block(kind)):
                    self._close_unit()  # a second block of a kind: the next semester
                unit = self._content_unit(row)
                self.block = Block(kind, row)
                unit.blocks.append(self.block)
                self.in_competences = False
                named = [
                    c
                    for c in row.filled[1:]
                    if not _label(c.text).startswith("coef") and parse_ue_code(c.text) is None
                ]
                if not self._codes(row, self.block) and named:
                    # « Ressources » merged down the block's rows: its first module alongside
                    self._module(unit, self.block, row)
                return
        if len(_code_cells(row)) > 1:  # a row of codes ends the competences table
            self.in_competences = False
        if self.in_competences and self.unit is not None:
            if label.startswith("total"):
                values = [c for c in row.cells[1:] if is_number(c.text)]
                if values:
                    self.unit.ects_total = Value(
                        "", number(values[-1].text), values[-1].text, values[-1]
                    )
                return
            if competence_code(row.filled[0].text) is not None:
                self._competence(self.unit, row)
                return
        total = total_kind(label)
        if total == "plain":
            total = self.block.kind if self.block and self.block.total is None else "semester"
        if total == "semester":
            unit = self._content_unit(row)
            block = self.block or (unit.blocks[-1] if unit.blocks else None)
            columns = block.columns if block else []
            unit.total, unit.total_row = self._values(unit, row, columns), row
            digits = re.findall(r"\d", label)
            unit.total_semester = int(digits[-1]) if digits else None
            self.block = None
            return
        if total in (RESSOURCE, SAE):
            self._block_total(row, total)
            return
        block = self.block
        if block is None or self.unit is None:
            codes = _code_cells(row)
            if codes:  # the codes row above the blocks
                self._content_unit(row).codes = [(c.text, c) for c in codes]
            elif competence_code(row.filled[0].text) and len(row.filled) > 1:
                self._competence(self._content_unit(row), row)  # a competences table, no header
            return  # otherwise not part of the tables (a legend, a note)
        if self._codes(row, block):
            return
        self._module(self.unit, block, row)

    def _competence_header(self, row: CellRow, texts: list[str]) -> None:
        unit = self.unit
        if unit is not None and unit.started:
            self._close_unit()  # a second competences table: the next semester
        unit = self._content_unit(row)
        roles: dict[str, Cell] = {}
        for k, (cell, t) in enumerate(zip(row.cells, texts)):
            if _is_ects(t):
                roles["ects"] = cell
            elif t.startswith(("libelle", "intitule", "nom")):
                roles["name"] = cell
            elif k and t.startswith("competence") and "name" not in roles:
                roles["name"] = cell  # « Code | Compétence | … »
        unit.competence_columns = roles
        h = parse_heading(row.cells[0].text)  # « Semestre 3 | Libellé | … | ECTS »
        if h.semester is not None and unit.heading_semester is None:
            unit.heading_semester = h.semester
        self.in_competences, self.block = True, None

    def _competence(self, unit: Unit, row: CellRow) -> None:
        first = row.filled[0]
        found = competence_code(first.text)
        assert found is not None
        code, rest = found
        parsed = parse_ue_code(code)
        assert parsed is not None
        name_cell = under(row, unit.competence_columns.get("name"))
        if "ects" in unit.competence_columns:
            ects_cell = under(row, unit.competence_columns["ects"])
        else:  # no header: the last cell
            ects_cell = row.cells[-1] if len(row.cells) > 1 else None
        text = re.sub(r"\s*ects$", "", ects_cell.text, flags=re.I) if ects_cell else ""
        ects = number(text) if is_number(text) else None
        if ects is None:
            unit.issues.append(
                Issue(row.line, "bad_value", f"{code} : ECTS illisibles (« {text} »)")
            )
        name = name_cell.text if name_cell is not None and name_cell is not first else rest
        unit.competences.append(Competence(code, parsed[0], parsed[1], name or None, ects, row))

    def _codes(self, row: CellRow, block: Block) -> bool:
        """A row of competence codes gives the block its columns (and its « Total » one)."""
        codes = _code_cells(row)
        if not codes:
            return False
        if not block.columns:
            block.columns = [(c.text, c) for c in codes]
            right = max(c.x0 for c in codes)
            block.total_column = next(
                (c for c in row.filled if c.x0 > right and _label(c.text).startswith("total")),
                None,
            )
        return True

    def _values(
        self, unit: Unit, row: CellRow, columns: list[tuple[str, Cell]]
    ) -> dict[str, Value]:
        """The values of a row under each column (empty cells left out). A row whose cells lie
        under no column (a totals table drawn with other widths) is read in order when it has
        one cell per column after its label."""
        cells = [under(row, head) for _, head in columns]
        if columns and all(c is None for c in cells) and len(row.cells) == len(columns) + 1:
            cells = list(row.cells[1:])
        out: dict[str, Value] = {}
        for (code, _), cell in zip(columns, cells):
            value = self._value(unit, row, code, cell)
            if value is not None:
                out[code] = value
        return out

    def _value(self, unit: Unit, row: CellRow, column: str, cell: Cell | None) -> Value | None:
        if cell is None or not cell.text or is_dash(cell.text):
            return None
        if not is_number(cell.text):
            unit.issues.append(
                Issue(
                    row.line,
                    "bad_value",
                    f"« {row.filled[0].text} », {column or 'total'} : « {cell.text} » n'est pas "
                    "un nombre (valeur ignorée)",
                )
            )
            return None
        return Value(column, number(cell.text), cell.text, cell)

    def _block_total(self, row: CellRow, kind: str) -> None:
        unit = self._content_unit(row)
        block = self.block if self.block and self.block.kind == kind else unit.block(kind)
        if block is None:
            unit.issues.append(
                Issue(
                    row.line,
                    "block_missing",
                    f"ligne « {row.filled[0].text} » sans bloc « {BLOCK_LABELS[kind]} » au-dessus",
                )
            )
            return
        block.total, block.total_row = self._values(unit, row, block.columns), row
        block.grand_total = self._value(unit, row, "", under(row, block.total_column))

    def _module(self, unit: Unit, block: Block, row: CellRow) -> None:
        if not block.columns:
            self._inherit_columns(unit, block, row)
            if not block.columns:
                return
        first = min(head.x0 for _, head in block.columns)
        labels = [c.text for c in row.cells if c.text and left_of(c, first)]
        if len(labels) > 1 and any(h.match(_label(labels[0])) for h in _BLOCK_HEAD.values()):
            labels = labels[1:]  # the block's own label, merged down its rows
        values = self._values(unit, row, block.columns)
        if not labels and not values:
            return
        code, name = None, (labels[0] if labels else None)
        if labels and _CODE.match(labels[0]):  # « R3.01 | Anglais »
            code, name = labels[0], (labels[1] if len(labels) > 1 else None)
        if not labels:
            unit.issues.append(
                Issue(
                    row.line,
                    "bad_module_line",
                    f"bloc « {BLOCK_LABELS[block.kind]} » : valeurs sans intitulé (module inconnu)",
                )
            )
        total = self._value(unit, row, "", under(row, block.total_column))
        block.modules.append(ModuleRow(code, name, row, list(values.values()), total))

    def _inherit_columns(self, unit: Unit, block: Block, row: CellRow) -> None:
        """No codes row in the block: the codes row printed above the blocks, else the
        columns of the semester's other block, else the competences table's codes in order
        when the row has exactly one cell per competence after its name."""
        earlier = next((b for b in unit.blocks if b.columns), None)
        if unit.codes or earlier is not None:
            block.columns = list(unit.codes or (earlier.columns if earlier else []))
            block.total_column = earlier.total_column if earlier and not unit.codes else None
            return
        cells = row.cells[1:]
        values = all(not c.text or is_number(c.text) or is_dash(c.text) for c in cells)
        if unit.competences and len(cells) == len(unit.competences) and values:
            block.columns = [(c.code, cell) for c, cell in zip(unit.competences, cells)]
            unit.issues.append(
                Issue(
                    row.line,
                    "competence_inferred",
                    f"bloc « {BLOCK_LABELS[block.kind]} » sans ligne de codes de compétences : "
                    "colonnes prises dans l'ordre du tableau des compétences",
                    "info",
                )
            )

    def _niveau(self, rows: list[CellRow]) -> None:
        """``TOTAL NIVEAU k``: labels « Coefficients » and « ECTS », each value on its right
        or under it; the semesters from « S3 + S4 », else from k."""
        label = rows[0].filled[0].text
        digits = re.findall(r"\d", _label(label))
        pair = None
        for row in rows:
            for c in row.cells:
                if m := _PAIR.search(c.text):
                    pair = (int(m.group(1)), int(m.group(2)))
        if pair is None and digits:
            level = int(digits[0])
            pair = (2 * level - 1, 2 * level)
        found: dict[str, float | None] = {"coefficients": None, "ects": None}
        for r, row in enumerate(rows):
            for k, c in enumerate(row.cells):
                key = _label(c.text)
                key = "coefficients" if key.startswith("coef") else key
                if found.get(key, 1.0) is not None:
                    continue
                right = next((x for x in row.cells[k + 1 :] if x.text), None)
                below = [b for x in rows[r + 1 :] if (b := under(x, c)) is not None and b.text]
                for cand in (right, below[0] if below else None):
                    if cand is not None and is_number(cand.text):
                        found[key] = number(cand.text)
                        break
        self.niveaux.append(
            Niveau(
                label,
                pair,
                found["coefficients"],
                found["ects"],
                rows[0].line,
                len(self.units),
                self.context.parcours,
            )
        )

    # -- result --------------------------------------------------------------------------

    def tables(self) -> list[Table]:
        tables, issues = build_tables(self.source, self.units, self.niveaux, self.context)
        self.issues.extend(issues)
        return tables


def _is_ects(label: str) -> bool:
    """« ECTS », « Crédits ECTS », « Crédits », « Nb ECTS »… (a header, folded)."""
    return label == "credits" or "ects" in label.replace("(", " ").replace(")", " ").split()


def _code_cells(row: CellRow) -> list[Cell]:
    """The competence codes of a row of codes (nothing else printed in it but a label)."""
    codes = [c for c in row.cells if c.text and parse_ue_code(c.text) is not None]
    others = [c for c in row.filled if parse_ue_code(c.text) is None]
    if not codes or any(is_number(c.text) for c in others):
        return []
    return codes


def _semester_of(unit: Unit) -> int | None:
    if unit.heading_semester is not None:
        return unit.heading_semester
    semesters = {c.semester for c in unit.competences}
    return semesters.pop() if len(semesters) == 1 else None
