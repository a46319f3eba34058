"""The tidy coefficient template: one row per (table, UE, value), as CSV or as an XLSX sheet.

Columns have a stable machine name (CSV headers, documented in the README) and a French label
(XLSX headers); both are accepted on reading, as are accents/case/spacing variants of either.
The first columns are what a department fills in by hand; the others carry what an export
needs to rebuild the store exactly (identities, provenance lines, printed text, checks).

Row kinds, told apart by which cells are filled:

- ``ue`` and ``coefficient`` filled: a value. A non-zero value is a coefficient; a zero (or a
  ``grid`` table's printed zero, which is data there) only lists the module.
- ``ue`` empty, a module cell (code, name or position) filled: a module of the table, listed
  even when it has no non-zero coefficient. A table with such rows takes its modules from them
  only; otherwise its modules are those of its value rows (one per position).
- ``ue`` filled, no coefficient and no module: a UE without values.
- ``ue`` and module cells empty: a table without UE (a title alone).

This module is pure: it turns raw rows (cell values as read from CSV or XLSX) into validated
rows, with French row-level errors, and validated rows into a ``Document``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from butdata.checks import close_module_table
from butdata.formations import NAMES, acronym, known_acronyms
from butdata.ids import assign_table_ids
from butdata.model import UE, Coefficient, Document, Issue, Module, Table
from butdata.tidy.cells import number_text
from butdata.tidy.columns import (
    COLUMNS,
    EXACT_LAYOUTS,
    TABLE,
    UE_LEVEL,
    RowError,
    TemplateError,
    map_headers,
)
from butdata.tidy.rows import KnownUEs, Row, parse_rows
from butdata.vocab import (
    competence_of,
    module_kind,
)

# -- rows -> document ------------------------------------------------------------------------

TABLE_FIELDS = [c.name for c in COLUMNS if c.level == TABLE]
UE_FIELDS = [c.name for c in COLUMNS if c.level == UE_LEVEL and c.name != "ue"]
MODULE_FIELDS = ["module_code", "module_name", "kind", "semester_coefficient", "section"]


def _table_key(row: Row) -> tuple[Any, ...]:
    if row.get("table_id"):
        return ("id", row.get("table_id"))
    formation = acronym(row.get("formation") or "") or row.get("formation")
    return (
        "identity",
        row.get("source"),
        formation,
        row.get("site"),
        row.get("semester"),
        row.get("parcours"),
        bool(row.get("alternance")),
    )


def _consistent(
    rows: list[Row], names: list[str], what: str, errors: list[RowError]
) -> dict[str, Any]:
    """The first non-empty value of each field; rows that contradict it are errors."""
    merged: dict[str, Any] = {}
    first_row: dict[str, int] = {}
    for row in rows:
        for name in names:
            value = row.get(name)
            if value is None:
                continue
            if name not in merged:
                merged[name], first_row[name] = value, row.row
            elif merged[name] != value:
                errors.append(
                    RowError(
                        row.row, name, f"« {value} » contredit la ligne {first_row[name]} ({what})"
                    )
                )
    return merged


# Provenance cells: the lines of the document a row says it comes from.
LINE_FIELDS = ("source_line", "table_line", "ue_line", "ects_line", "total_line", "totals_line")


def build_document(
    source: str, layout: str, n_lines: int, rows: list[Row], imported: bool = False
) -> tuple[Document, list[RowError]]:
    """Validated rows -> Document; cross-row errors (contradictions, duplicates) are returned.

    ``imported`` (a file that came through the import page): its values are attributed to the
    file itself, at the rows they are on; the ``source`` it claims becomes the table's
    ``declared_source``, its provenance lines are not taken, and its tables are drafts (checks
    and status computed here, never restored as the file states them). Otherwise (a file an
    operator put in the sources directory, such as an export) the provenance it carries is kept:
    this is the exact round trip of an export."""
    errors: list[RowError] = []
    doc = Document(source=source, layout=layout, n_lines=n_lines)
    groups: dict[tuple[Any, ...], list[Row]] = {}
    for row in rows:
        if imported:
            for name in LINE_FIELDS:
                row.values[name] = None
        groups.setdefault(_table_key(row), []).append(row)
    origins: dict[str, int] = defaultdict(int)
    declared: dict[str, int] = defaultdict(int)
    for table_rows in groups.values():
        table = _build_table(source, table_rows, errors, imported)
        doc.tables.append(table)
        origins[table.source] += 1
        if imported and table.declared_source:
            declared[table.declared_source] += 1
    for table in assign_table_ids(doc.tables, source):
        errors.append(
            RowError(
                table.line if table.source == source else 1,
                "table_id",
                f"identifiant {table.table_id} déjà utilisé par un autre tableau du fichier",
            )
        )
    for origin, n in origins.items():
        if origin != source:
            doc.issues.append(
                Issue(
                    None,
                    "template_origin",
                    f"{n} tableau(x) repris de « {origin} » par ce modèle "
                    f"(identifiants, lignes et textes d'origine conservés)",
                    "info",
                )
            )
    for origin, n in declared.items():
        doc.issues.append(
            Issue(
                None,
                "declared_source",
                f"{n} tableau(x) déclaré(s) repris de « {origin} » : valeurs attribuées à ce "
                "fichier importé, document déclaré gardé à part (non vérifié)",
                "info",
            )
        )
    return doc, errors


def _build_table(
    container: str, rows: list[Row], errors: list[RowError], imported: bool = False
) -> Table:
    first = rows[0]
    info = _consistent(rows, TABLE_FIELDS, "même tableau", errors)
    if imported:
        origin = container
        claimed = [info.get("source"), info.get("declared_source")]
        declared = next((c for c in claimed if c is not None and c != container), None)
    else:
        origin = info.get("source") or container
        declared = info.get("declared_source")
    from_template = origin == container  # provenance lines are then the template's rows
    # Rows exported from a text document are restored as they are (NULLs, checks, status);
    # anything else is a draft: defaults and checks are computed like the text readers do.
    exact = (
        not imported and info.get("layout") in EXACT_LAYOUTS and info.get("table_id") is not None
    )

    formation = info.get("formation")
    acr = acronym(formation) if formation else None
    table = Table(
        source=origin,
        line=info.get("table_line") or first.row,
        title=info.get("title") or "",
        formation=formation if exact else (acr or formation),
        formation_name=info.get("formation_name") or (None if exact else NAMES.get(acr or "")),
        site=info.get("site"),
        semester=info.get("semester"),
        parcours=info.get("parcours"),
        alternance=bool(info.get("alternance")),
        layout=info.get("layout") or "template",
        identity_inferred=bool(info.get("identity_inferred")),
        year=info.get("year"),
        declared_total=info.get("declared_total"),
        declared_ects=info.get("declared_ects"),
        declared_aop=info.get("declared_aop"),
        totals_line=info.get("totals_line"),
        table_id=info.get("table_id"),
        declared_source=declared,
    )
    if formation and acr is None and not exact:
        # A local diploma or a typo is stored as printed: the committee decides.
        table.issues.append(
            Issue(
                table.line,
                "formation_unknown",
                f"formation « {formation} » hors des 24 spécialités nationales de B.U.T., "
                f"gardée telle qu'écrite (sigles connus : {known_acronyms()})",
            )
        )
    if not table.title:
        table.title = " ".join(
            str(x)
            for x in (
                f"Semestre {table.semester}",
                f"BUT {table.formation}",
                f"({table.site})" if table.site else None,
                "par alternance" if table.alternance else None,
                table.parcours,
            )
            if x
        )
    grid = table.layout == "grid"

    # UEs in order of first appearance.
    ue_rows: dict[str, list[Row]] = {}
    for row in rows:
        if row.get("ue") is not None:
            ue_rows.setdefault(row.get("ue"), []).append(row)
    competences: dict[int, str] = {}
    for code, urows in ue_rows.items():
        uinfo = _consistent(urows, UE_FIELDS, f"même UE {code}", errors)
        competence = uinfo.get("competence") or competence_of(code)
        if competence in competences:
            errors.append(
                RowError(
                    urows[0].row,
                    "ue",
                    f"UE « {code} » : même compétence que « {competences[competence]} »",
                )
            )
        competences[competence] = code
        table.ues.append(
            UE(
                code=code,
                competence=competence,
                name=uinfo.get("ue_name"),
                line=uinfo.get("ue_line") or urows[0].row,
                level=uinfo.get("level"),
                ects=uinfo.get("ects"),
                total=uinfo.get("ue_total"),
                sae_share=uinfo.get("sae_share"),
                sae_share_printed=bool(uinfo.get("sae_share_printed")),
                aop_total=uinfo.get("aop_total"),
                ects_line=uinfo.get("ects_line"),
                total_line=uinfo.get("total_line"),
                sum_ok=uinfo.get("sum_ok"),
                ratio_ok=uinfo.get("ratio_ok"),
                row_layout=uinfo.get("row_layout"),
            )
        )
        if from_template:
            for ue in table.ues[-1:]:
                ue.ects_line = ue.ects_line or (ue.line if ue.ects is not None else None)
                ue.total_line = ue.total_line or (ue.line if ue.total is not None else None)

    _modules_and_values(table, rows, grid, exact, errors)
    if exact:
        table.status = info.get("status") or table.status
    else:
        _computed(table)
    return table


def _kind(row: Row, exact: bool) -> str | None:
    """Rows exported from a text document keep their kind (NULL stays NULL); else from the code."""
    if exact or row.get("kind"):
        kind: str | None = row.get("kind")
        return kind
    return module_kind(row.get("module_code"), row.get("module_name"))


def _module_of(row: Row, position: int, exact: bool) -> Module:
    code, name = row.get("module_code"), row.get("module_name")
    return Module(
        code=code,
        name=name,
        kind=_kind(row, exact),
        position=position,
        semester_coefficient=row.get("semester_coefficient"),
        line=row.get("source_line") or row.row,
        section=row.get("section"),
    )


def _modules_and_values(
    table: Table, rows: list[Row], grid: bool, exact: bool, errors: list[RowError]
) -> None:
    value_rows = [r for r in rows if r.get("ue") is not None and r.get("coefficient") is not None]
    module_rows = [r for r in rows if r.get("ue") is None and r.has_module]
    for r in rows:
        if r.get("ue") is not None and r.get("coefficient") is None and r.has_module:
            errors.append(RowError(r.row, "coefficient", "coefficient manquant pour ce module"))

    # Positions: given, else order of first appearance of the module (code, name) in the table,
    # else (module unknown) the order among the values of the UE row.
    by_module: dict[tuple[Any, ...], int] = {}
    next_in_ue: dict[str, int] = defaultdict(int)
    used = {r.get("position") for r in rows if r.get("position") is not None}
    top = [max(used, default=0)]  # running max: new positions follow every one given or made

    def new_position() -> int:
        top[0] += 1
        used.add(top[0])
        return top[0]

    positions: dict[int, int] = {}
    for r in module_rows + value_rows:
        if r.get("position") is not None:
            positions[id(r)] = r.get("position")
            continue
        ident = (r.get("module_code"), r.get("module_name"))
        if ident != (None, None):
            if ident not in by_module:
                by_module[ident] = new_position()
            positions[id(r)] = by_module[ident]
        else:
            next_in_ue[r.get("ue")] += 1
            positions[id(r)] = next_in_ue[r.get("ue")]

    if module_rows:
        seen: dict[int, int] = {}
        for r in module_rows:
            p = positions[id(r)]
            if p in seen and not exact:
                errors.append(
                    RowError(r.row, "position", f"position {p} déjà prise ligne {seen[p]}")
                )
            seen[p] = r.row
            table.modules.append(_module_of(r, p, exact))
    elif not grid:
        derived: dict[int, tuple[Row, Module]] = {}
        for r in value_rows:
            p = positions[id(r)]
            if r.get("module_code") is None and r.get("module_name") is None:
                continue  # a value whose module the source does not name
            module = _module_of(r, p, exact)
            if p not in derived:
                derived[p] = (r, module)
            elif (derived[p][1].code, derived[p][1].name) != (module.code, module.name):
                errors.append(
                    RowError(
                        r.row,
                        "position",
                        f"position {p} déjà prise par un autre module (ligne {derived[p][0].row})",
                    )
                )
        table.modules = [m for _, (_, m) in sorted(derived.items())]

    competence = {ue.code: ue.competence for ue in table.ues}
    seen_values: dict[tuple[Any, ...], int] = {}
    for r in value_rows:
        value = r.get("coefficient")
        if value == 0 and not grid:
            continue  # a zero cell: the module is listed, no coefficient is stored
        p = positions[id(r)]
        key = (r.get("ue"), p)
        if key in seen_values:
            errors.append(
                RowError(
                    r.row,
                    "position",
                    f"deux valeurs pour la même UE et la même "
                    f"position (voir ligne {seen_values[key]})",
                )
            )
            continue
        seen_values[key] = r.row
        code, name = r.get("module_code"), r.get("module_name")
        coefficient = Coefficient(
            competence=competence[r.get("ue")],
            position=p,
            coefficient=value,
            printed=r.get("printed") or r.coefficient_text or number_text(value),
            line=r.get("source_line") or r.row,
            module_code=code,
            module_name=name,
            kind=_kind(r, exact),
        )
        if r.get("grid_column") is not None:
            coefficient.column = r.get("grid_column")
        coefficient.page = r.get("source_page")
        coefficient.row_label, coefficient.column_label = r.get("row_label"), r.get("column_label")
        x0, top, x1, bottom = (r.get(n) for n in ("cell_x0", "cell_top", "cell_x1", "cell_bottom"))
        if x0 is not None and top is not None and x1 is not None and bottom is not None:
            coefficient.bbox = (x0, top, x1, bottom)
        table.coefficients.append(coefficient)


def _computed(table: Table) -> None:
    """Checks and status of a draft, computed like the clean-layout reader does (a template
    has no semester totals line)."""
    close_module_table(table, bool(table.ues and table.coefficients), semester_totals=False)


def rows_to_document(
    source: str,
    layout: str,
    n_lines: int,
    headers: list[Any],
    raw_rows: list[tuple[int, list[Any]]],
    header_row: int = 1,
    known_ues: KnownUEs | None = None,
    *,
    imported: bool = False,
) -> Document:
    """The whole pipeline for one tidy sheet; raises TemplateError with every error found."""
    mapping, errors = map_headers(headers, header_row)
    rows, row_errors = parse_rows(mapping, raw_rows, known_ues, imported)
    present = set(mapping.values())
    # A missing column is reported once, at the header, not again on every row.
    errors += [e for e in row_errors if e.column is None or e.column in present]
    if not rows:
        errors.append(RowError(header_row + 1, None, "aucune ligne de données"))
    doc, more = build_document(source, layout, n_lines, [] if errors else rows, imported)
    errors.extend(more)
    if errors:
        raise TemplateError(sorted(errors, key=lambda e: e.row))
    return doc
