"""Reader for MCC drafts in XLSX, laid out like the clean QLIO document as departments draft
them: one sheet per table, a title cell ``Semestre 3 BUT QLIO [variant]``, a header row with the
UE codes as columns (``UE31`` or ``UE31 - name``), one module per row (code, name, semester
coefficient, one coefficient per UE), then ``Total des coefficients`` and ``Crédits ECTS``.
An optional ``Type`` column (ressource, SAÉ, portfolio, stage, autre: as the council's workbook
of a scenario writes it) gives a module's kind; without it the kind comes from the code.
Values get the sheet row as their line; the sheet name is in an info issue of the table."""

from __future__ import annotations

import re
from typing import Any

from butdata.checks import close_module_table, set_printed_totals
from butdata.errors import SourceError
from butdata.formations import NAMES, acronym
from butdata.ids import assign_table_ids
from butdata.model import UE, Coefficient, Document, Issue, Module, Table
from butdata.readers.text_modules import MODULE, TITLE
from butdata.text import normalize
from butdata.tidy.cells import number_text, parse_float
from butdata.vocab import (
    KIND_LABELS,
    KINDS,
    coefficient_problem,
    competence_of,
    ects_problem,
    module_kind,
    sums_agree,
)

DRAFT_LAYOUT = "modules-xlsx"
# A sheet as read: (row number, cell values, number formats) per non-empty row.
SheetRows = list[tuple[int, list[Any], list[str | None]]]

UE_CELL = re.compile(r"^(UE\s?\d\.?\d)(?:\s*[-:–]\s*(.+))?$")
TOTAL_CELL = re.compile(r"^total des coefficients", re.IGNORECASE)
ECTS_CELL = re.compile(r"^(crédits )?ects", re.IGNORECASE)
YEAR_CELL = re.compile(r"^\d{4}-\d{4}$")
# A « Type » cell: the French label of a kind, or its code.
KIND_OF_LABEL = {KIND_LABELS[k].lower(): k for k in KINDS} | {k: k for k in KINDS}


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalize(str(value))


def _printed(value: Any, number_format: str | None) -> str:
    """The number as the sheet shows it: decimals from a ``0.00`` format, else shortest form."""
    if isinstance(value, str):
        return value.strip()
    m = re.fullmatch(r"#?,?#*0\.(0+)", number_format or "")
    return f"{float(value):.{len(m.group(1))}f}" if m else number_text(value)


def read_draft(name: str, sheets: list[tuple[str, SheetRows]]) -> Document:
    doc = Document(
        source=name,
        layout=DRAFT_LAYOUT,
        n_lines=max((rows[-1][0] for _, rows in sheets if rows), default=0),
    )
    for sheet_name, rows in sheets:
        table = _draft_table(name, sheet_name, rows)
        if table is not None:
            doc.tables.append(table)
    if not doc.tables:
        raise SourceError(
            name,
            None,
            "ni modèle (colonnes « coefficient », « ue »…) ni tableau "
            "MCC reconnu (ligne d'en-tête avec les UE en colonnes)",
        )
    assign_table_ids(doc.tables, name)
    return doc


def _draft_table(source: str, sheet: str, rows: SheetRows) -> Table | None:
    # The header is the last row naming UE columns before the first module row.
    first_module = next(
        (
            i
            for i, (_, cells, _) in enumerate(rows)
            if any(MODULE.match(_cell_text(c) + " x") for c in cells[:2])
        ),
        None,
    )
    header_i = (
        next(
            (
                i
                for i in range(first_module - 1, -1, -1)
                if any(UE_CELL.match(_cell_text(c)) for c in rows[i][1][1:])
            ),
            None,
        )
        if first_module
        else None
    )
    if header_i is None:
        return None
    header_row, header, _ = rows[header_i]
    title_cell = next(
        (
            (r, _cell_text(c))
            for r, cells, _ in rows[:header_i]
            for c in cells
            if TITLE.match(_cell_text(c))
        ),
        None,
    )
    title_row, title = title_cell or (header_row, _cell_text(sheet))
    m = TITLE.match(title)
    if not m:
        raise SourceError(
            source,
            header_row,
            f"feuille « {sheet} » : titre « Semestre N BUT FORMATION [parcours] » introuvable",
        )
    variant = m.group(3)
    alternance = bool(variant and variant.lower().startswith("par alternance"))
    parcours = (variant[len("par alternance") :].strip() if alternance else variant) or None
    acr = acronym(m.group(2))
    table = Table(
        source=source,
        line=title_row,
        title=title,
        formation=acr or m.group(2),
        formation_name=NAMES.get(acr or "", m.group(2)),
        site=None,
        semester=int(m.group(1)),
        parcours=parcours,
        alternance=alternance,
        layout="modules",
    )
    table.issues.append(
        Issue(
            title_row,
            "draft_sheet",
            f"tableau lu dans la feuille « {sheet} » (lignes = lignes de la feuille)",
            "info",
        )
    )
    names: dict[str, tuple[str, int]] = {}
    for r, cells, _ in rows[:header_i]:
        for c in cells:
            text = _cell_text(c)
            if YEAR_CELL.match(text) and table.year is None:
                table.year = text
            elif (um := UE_CELL.match(text)) and um.group(2):
                names[um.group(1).replace(" ", "")] = (um.group(2), r)

    columns: dict[int, str] = {}  # cell index -> UE code
    semester_col = kind_col = None
    for i, c in enumerate(header):
        text = _cell_text(c)
        if um := UE_CELL.match(text):
            code = um.group(1)
            columns[i] = code
            if um.group(2):
                names.setdefault(code.replace(" ", ""), (um.group(2), header_row))
        elif "semestre" in text.lower() or text.lower().startswith("coeff"):
            semester_col = i
        elif text.lower() == "type":
            kind_col = i
    ue_cols = sorted(columns)
    first_ue = ue_cols[0]
    for code in (columns[i] for i in ue_cols):
        name, line = names.get(code.replace(" ", ""), (None, header_row))
        table.ues.append(UE(code=code, competence=competence_of(code), name=name, line=line))
    competence = {code: competence_of(code) for code in columns.values()}

    section = None
    for r, cells, formats in rows[header_i + 1 :]:
        texts = [_cell_text(c) for c in cells[:first_ue]]
        label = " ".join(t for t in texts if t)
        if not label and not any(c not in (None, "") for c in cells):
            continue
        if TOTAL_CELL.match(label) or ECTS_CELL.match(label):
            ects = bool(ECTS_CELL.match(label))
            values = {}
            for i in ue_cols:
                if i < len(cells) and cells[i] not in (None, ""):
                    values[columns[i]] = _number(source, r, cells[i], "ects" if ects else "total")
            semester_value = (
                _number(source, r, cells[semester_col], "total")
                if semester_col is not None
                and semester_col < len(cells)
                and cells[semester_col] not in (None, "")
                else None
            )
            set_printed_totals(table, values, semester_value, r, ects)
            continue
        code = texts[0] if texts else ""
        if not MODULE.match(code + " x"):
            if "tronc" in label.lower():
                section = "tronc commun"
            elif "spécialité" in label.lower():
                section = "spécialité"
            continue
        name = (
            " ".join(
                t for j, t in enumerate(texts[1:], 1) if t and j not in (semester_col, kind_col)
            )
            or None
        )
        position = len(table.modules) + 1
        kind = module_kind(code, name or "")
        if kind_col is not None and kind_col < len(cells):
            kind = KIND_OF_LABEL.get(_cell_text(cells[kind_col]).lower(), kind)
        semester_coef = (
            _number(source, r, cells[semester_col], "total")
            if semester_col is not None
            and semester_col < len(cells)
            and cells[semester_col] not in (None, "")
            else None
        )
        table.modules.append(Module(code, name, kind, position, semester_coef, r, section))
        total = 0.0
        for i in ue_cols:
            value = cells[i] if i < len(cells) else None
            if value in (None, ""):
                continue
            number = _number(source, r, value)
            total += number
            if number == 0:
                continue
            table.coefficients.append(
                Coefficient(
                    competence=competence[columns[i]],
                    position=position,
                    coefficient=number,
                    printed=_printed(value, formats[i] if i < len(formats) else None),
                    line=r,
                    module_code=code,
                    module_name=name,
                    kind=kind,
                )
            )
        if semester_coef is not None and not sums_agree(total, semester_coef, 1):
            table.issues.append(
                Issue(
                    r,
                    "module_sum_mismatch",
                    f"{code} : coefficient semestre {semester_coef:g} ≠ somme "
                    f"des coefficients UE {total:.2f}",
                )
            )
    close_module_table(table, bool(table.modules))
    return table


def _number(source: str, row: int, value: Any, what: str = "coefficient") -> float:
    """A number cell, checked at the door: a coefficient (``coefficient``), the ECTS of a UE
    (``ects``), or a total (``total``: not negative; a UE total may exceed 100)."""
    try:
        number = parse_float(value)
    except ValueError:
        raise SourceError(source, row, f"« {value} » n'est pas un nombre") from None
    if what == "ects":
        problem = ects_problem(number)
    elif what == "total":
        problem = f"valeur négative ({number_text(value)})" if number < 0 else None
    else:
        problem = coefficient_problem(number)
    if problem:
        raise SourceError(source, row, problem)
    return number
