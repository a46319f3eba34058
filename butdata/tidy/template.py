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

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from butdata.checks import close_module_table
from butdata.formations import NAMES, acronym, known_acronyms
from butdata.ids import assign_table_ids
from butdata.model import UE, Coefficient, Document, Issue, Module, Table
from butdata.text import slug
from butdata.vocab import (
    KINDS,
    STATUSES,
    coefficient_problem,
    competence_of,
    ects_problem,
    module_kind,
    parse_ue_code,
    ue_key,
)

TEXT, INT, FLOAT, BOOL = "text", "int", "float", "bool"
# Layouts of tables read from a document (text, PDF, ORéBUT XML): rows exported from them are
# restored exactly as stored (NULLs, checks, status), never recomputed as a draft.
EXACT_LAYOUTS = ("modules", "grid", "blocks", "orebut")
TABLE, UE_LEVEL, MODULE, VALUE = "table", "ue", "module", "value"


@dataclass(frozen=True)
class Column:
    name: str  # machine name (CSV header)
    label: str  # French label (XLSX header)
    type: str
    level: str  # which record the column describes
    help: str


COLUMNS: tuple[Column, ...] = (
    # What a department fills in.
    Column(
        "table_id",
        "Identifiant du tableau",
        TEXT,
        TABLE,
        "identifiant stable ; vide : construit à partir du fichier et de l'identité du tableau",
    ),
    Column(
        "source",
        "Document d'origine",
        TEXT,
        TABLE,
        "document d'où viennent les valeurs ; vide : le fichier modèle lui-même",
    ),
    Column("formation", "Formation", TEXT, TABLE, "sigle national (QLIO, GEA…) ou intitulé"),
    Column("formation_name", "Intitulé de la formation", TEXT, TABLE, "vide : intitulé national"),
    Column("site", "Site", TEXT, TABLE, "vide si non précisé"),
    Column("semester", "Semestre", INT, TABLE, "1 à 6"),
    Column("parcours", "Parcours", TEXT, TABLE, "vide : tronc commun"),
    Column("alternance", "Alternance", BOOL, TABLE, "oui / non (vide : non)"),
    Column(
        "ue",
        "UE",
        TEXT,
        UE_LEVEL,
        "code de l'UE : UE31, UE 3.1 ou C3.1 (chiffre du semestre puis de la compétence)",
    ),
    Column("competence", "Compétence", INT, UE_LEVEL, "vide : lue dans le code de l'UE"),
    Column("ects", "ECTS", FLOAT, UE_LEVEL, "crédits ECTS de l'UE"),
    Column("ue_total", "Total UE", FLOAT, UE_LEVEL, "total des coefficients de l'UE (déclaré)"),
    Column("module_code", "Code module", TEXT, MODULE, "R3.07, SAE3.01… (vide si inconnu)"),
    Column("module_name", "Intitulé du module", TEXT, MODULE, ""),
    Column(
        "kind",
        "Type",
        TEXT,
        MODULE,
        "ressource, sae, portfolio, stage, autre (vide : déduit du code)",
    ),
    Column(
        "position",
        "Position",
        INT,
        MODULE,
        "rang du module dans le tableau (vide : ordre d'apparition)",
    ),
    Column(
        "coefficient",
        "Coefficient",
        FLOAT,
        VALUE,
        "nombre ≥ 0 ; 0 : module sans coefficient dans cette UE",
    ),
    Column(
        "source_line",
        "Ligne d'origine",
        INT,
        VALUE,
        "ligne du document d'origine (vide : ligne du modèle)",
    ),
    # What an export adds so that a rebuild is exact.
    Column("printed", "Texte imprimé", TEXT, VALUE, "le nombre tel qu'imprimé (1,25 / 1.50)"),
    Column(
        "grid_column",
        "Colonne de la grille",
        INT,
        VALUE,
        "colonne du module dans la grille imprimée, quand elle est connue",
    ),
    # Where a PDF prints the value (its cell), for « voir la source ».
    Column("source_page", "Page d'origine", INT, VALUE, "page du PDF d'origine"),
    Column("row_label", "Ligne du tableau", TEXT, VALUE, "intitulé de la ligne de la cellule"),
    Column("column_label", "Colonne du tableau", TEXT, VALUE, "en-tête de la colonne"),
    Column("cell_x0", "Cellule gauche", FLOAT, VALUE, "bord gauche de la cellule (points)"),
    Column(
        "cell_top", "Cellule haut", FLOAT, VALUE, "bord haut (points depuis le haut de la page)"
    ),
    Column("cell_x1", "Cellule droite", FLOAT, VALUE, "bord droit de la cellule (points)"),
    Column(
        "cell_bottom", "Cellule bas", FLOAT, VALUE, "bord bas (points depuis le haut de la page)"
    ),
    Column("ue_name", "Intitulé de l'UE", TEXT, UE_LEVEL, "nom de la compétence"),
    Column("level", "Niveau", TEXT, UE_LEVEL, "niveau de la compétence (grilles)"),
    Column("sae_share", "Part des SAÉ", FLOAT, UE_LEVEL, "0 à 1 ; recalculée pour un brouillon"),
    Column("sae_share_printed", "Part des SAÉ imprimée", BOOL, UE_LEVEL, ""),
    Column("aop_total", "Total AOP", FLOAT, UE_LEVEL, ""),
    Column("sum_ok", "Somme vérifiée", BOOL, UE_LEVEL, "recalculée pour un brouillon"),
    Column("ratio_ok", "Part SAÉ vérifiée", BOOL, UE_LEVEL, ""),
    Column("row_layout", "Fin de ligne", TEXT, UE_LEVEL, "A, B ou C (grilles)"),
    Column("ue_line", "Ligne de l'UE", INT, UE_LEVEL, ""),
    Column("ects_line", "Ligne des ECTS", INT, UE_LEVEL, ""),
    Column("total_line", "Ligne du total UE", INT, UE_LEVEL, ""),
    Column("semester_coefficient", "Coefficient semestre", FLOAT, MODULE, ""),
    Column("section", "Section", TEXT, MODULE, "tronc commun / spécialité"),
    Column("title", "Titre du tableau", TEXT, TABLE, ""),
    Column("table_line", "Ligne du titre", INT, TABLE, ""),
    Column("year", "Année", TEXT, TABLE, "2025-2026"),
    Column(
        "status", "Statut", TEXT, TABLE, "complete, partial, empty ; recalculé pour un brouillon"
    ),
    Column("layout", "Mise en page", TEXT, TABLE, "modules, grid ; vide : template"),
    Column("identity_inferred", "Identité déduite", BOOL, TABLE, ""),
    Column("declared_total", "Total du semestre", FLOAT, TABLE, ""),
    Column("declared_ects", "ECTS du semestre", FLOAT, TABLE, ""),
    Column("declared_aop", "Total AOP du semestre", FLOAT, TABLE, ""),
    Column("totals_line", "Ligne des totaux", INT, TABLE, ""),
    Column(
        "declared_source",
        "Document déclaré",
        TEXT,
        TABLE,
        "document qu'un fichier importé dit reprendre (gardé à part, non vérifié)",
    ),
)
BY_NAME = {c.name: c for c in COLUMNS}
NAMES_ORDER = [c.name for c in COLUMNS]
REQUIRED = ("formation", "semester", "ue", "coefficient")
CELL_COLUMNS = (
    "source_page",
    "row_label",
    "column_label",
    "cell_x0",
    "cell_top",
    "cell_x1",
    "cell_bottom",
)
HAND_COLUMNS = NAMES_ORDER[:18]  # the columns a department fills in
MODULE_CELLS = ("module_code", "module_name", "position")


def _key(text: str) -> str:
    return slug(str(text)).replace("-", "")


# Header text (machine name or French label, any case/accents/spacing) -> machine name.
HEADER_KEYS = {
    **{_key(c.label): c.name for c in COLUMNS},
    **{_key(c.name): c.name for c in COLUMNS},
}
TRUE = {"true", "vrai", "oui", "o", "yes", "y", "1", "x"}
FALSE = {"false", "faux", "non", "n", "no", "0"}


@dataclass
class RowError:
    row: int  # 1-based line (CSV) or row (XLSX) of the template; 1 = header
    column: str | None  # machine name
    message: str  # French

    def __str__(self) -> str:
        where = f"ligne {self.row}"
        if self.column:
            where += f", colonne « {BY_NAME[self.column].label if self.column in BY_NAME else self.column} »"
        return f"{where} : {self.message}"


class TemplateError(ValueError):
    """A template that cannot be read: every error found, each with its row."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        shown = "; ".join(str(e) for e in errors[:5])
        more = f" (et {len(errors) - 5} autres erreurs)" if len(errors) > 5 else ""
        super().__init__(f"{shown}{more}")


def map_headers(headers: list[Any], header_row: int = 1) -> tuple[dict[int, str], list[RowError]]:
    """Cell index -> machine name; errors for missing required / duplicated columns."""
    mapping: dict[int, str] = {}
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for i, h in enumerate(headers):
        if h is None or str(h).strip() == "":
            continue
        name = HEADER_KEYS.get(_key(str(h)))
        if name is None:
            continue  # extra columns (notes, comments) are allowed and ignored
        if name in seen:
            errors.append(RowError(header_row, name, "colonne en double"))
            continue
        seen[name] = i
        mapping[i] = name
    for name in REQUIRED:
        if name not in seen:
            errors.append(
                RowError(
                    header_row,
                    None,
                    f"colonne obligatoire manquante : « {BY_NAME[name].label} » ({name})",
                )
            )
    if "module_code" not in seen and "module_name" not in seen:
        errors.append(
            RowError(
                header_row,
                None,
                "colonne obligatoire manquante : « Code module » "
                "(module_code) ou « Intitulé du module »",
            )
        )
    return mapping, errors


def looks_like_template(headers: list[Any]) -> bool:
    """A header row naming at least three template columns, among them the coefficient."""
    names = {HEADER_KEYS.get(_key(str(h))) for h in headers if h not in (None, "")}
    return "coefficient" in names and len(names - {None}) >= 3


# -- cells -----------------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\u00a0", " ").strip()
    return text or None


def parse_float(value: Any) -> float:
    """A cell as a number: XLSX numbers as they are, text with a decimal point or comma."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ValueError
        return float(value)
    text = str(value).replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if not re.fullmatch(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?", text):
        raise ValueError
    number = float(text.replace(",", "."))
    if not math.isfinite(number):  # "1e309" reads as infinity
        raise ValueError
    return number


def parse_cell(column: Column, value: Any) -> Any:
    """The typed value of a non-empty cell; ValueError with a French reason otherwise."""
    if column.type == TEXT:
        return _text(value)
    if column.type == FLOAT:
        try:
            return parse_float(value)
        except ValueError:
            raise ValueError(f"« {_text(value)} » n'est pas un nombre") from None
    if column.type == INT:
        try:
            number = parse_float(value)
        except ValueError:
            raise ValueError(f"« {_text(value)} » n'est pas un nombre entier") from None
        if not number.is_integer():
            raise ValueError(f"« {_text(value)} » n'est pas un nombre entier")
        return int(number)
    if isinstance(value, bool):
        return value
    text = (_text(value) or "").lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValueError(f"« {_text(value)} » : oui ou non attendu")


def number_text(value: Any) -> str:
    """The text of a typed number: kept as typed for text cells, shortest exact form otherwise."""
    if isinstance(value, str):
        return value.strip()
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


# -- rows ------------------------------------------------------------------------------------


@dataclass
class Row:
    row: int
    values: dict[str, Any]  # machine name -> typed value (None when empty)
    coefficient_text: str | None = None  # the coefficient as typed

    def get(self, name: str) -> Any:
        return self.values.get(name)

    @property
    def has_module(self) -> bool:
        return any(self.values.get(n) is not None for n in MODULE_CELLS)


def _is_blank(cells: list[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


KnownUEs = dict[tuple[str, int], set[str]]  # (formation, semester) -> UE codes in the store


def parse_rows(
    mapping: dict[int, str],
    raw_rows: list[tuple[int, list[Any]]],
    known_ues: KnownUEs | None = None,
    imported: bool = False,
) -> tuple[list[Row], list[RowError]]:
    """Typed rows and per-cell errors (text in a number cell, negative numbers, unknown UE…).
    ``imported``: every row is validated in full (no exact restore, see ``build_document``)."""
    rows: list[Row] = []
    errors: list[RowError] = []
    for row_no, cells in raw_rows:
        if _is_blank(cells):
            continue
        values: dict[str, Any] = {}
        coefficient_text = None
        for i, name in mapping.items():
            raw = cells[i] if i < len(cells) else None
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                values[name] = None
                continue
            try:
                values[name] = parse_cell(BY_NAME[name], raw)
            except ValueError as exc:
                errors.append(RowError(row_no, name, str(exc)))
                values[name] = None
                continue
            if name == "coefficient":
                coefficient_text = number_text(raw)
        row = Row(row_no, values, coefficient_text)
        errors.extend(_check_row(row, known_ues or {}, imported))
        rows.append(row)
    return rows, errors


def _check_row(row: Row, known_ues: KnownUEs, imported: bool = False) -> list[RowError]:
    errs: list[RowError] = []
    v = row.values

    def err(column: str | None, message: str) -> None:
        errs.append(RowError(row.row, column, message))

    # Rows exported from a text document are checked for types only: what the document did
    # not determine (formation, semester of a damaged table) stays empty there.
    exact = not imported and v.get("layout") in EXACT_LAYOUTS and v.get("table_id") is not None
    semester = v.get("semester")
    if not exact:
        if v.get("formation") is None:
            err("formation", "formation manquante")
        if semester is None:
            err("semester", "semestre manquant")
        elif not 1 <= semester <= 6:
            err("semester", f"semestre {semester} hors de 1 à 6")
    ue = v.get("ue")
    if ue is not None and not exact:
        parsed = parse_ue_code(ue)
        if parsed is None:
            err("ue", f"UE inconnue « {ue} » (attendu : UE31, UE 3.1 ou C3.1)")
        elif semester is not None and 1 <= semester <= 6 and parsed[0] != semester:
            err(
                "ue",
                f"UE inconnue « {ue} » au semestre {semester} (les UE du semestre "
                f"{semester} s'écrivent UE{semester}1, UE{semester}2…)",
            )
        elif v.get("competence") is not None and v["competence"] != parsed[1]:
            err("competence", f"compétence {v['competence']} ≠ celle de l'UE « {ue} »")
        elif (
            known := known_ues.get((acronym(v.get("formation") or "") or "", int(semester or 0)))
        ) and ue_key(ue) not in {ue_key(k) for k in known}:
            err(
                "ue",
                f"UE inconnue « {ue} » pour {acronym(v['formation'])} S{semester} (UE de "
                f"la base : {', '.join(sorted(known))})",
            )
    elif ue is None and v.get("coefficient") is not None:
        err("ue", "UE manquante pour ce coefficient")
    if exact and ue is not None and v.get("competence") is None and parse_ue_code(ue) is None:
        err("competence", "compétence manquante (code d'UE non standard)")
    for name in (
        "coefficient",
        "ects",
        "ue_total",
        "semester_coefficient",
        "declared_total",
        "declared_ects",
        "declared_aop",
        "aop_total",
        "sae_share",
    ):
        if v.get(name) is not None and v[name] < 0:
            err(
                name,
                f"{'coefficient négatif' if name == 'coefficient' else 'valeur négative'} "
                f"({number_text(v[name])})",
            )
    # Numbers at the door: an absurd coefficient or UE total, ECTS outside 0-30.
    if (c := v.get("coefficient")) is not None and c >= 0 and (problem := coefficient_problem(c)):
        err("coefficient", problem)
    if v.get("ects") is not None and v["ects"] >= 0 and (problem := ects_problem(v["ects"])):
        err("ects", problem)
    for name in (
        "position",
        "source_line",
        "grid_column",
        "source_page",
        "ue_line",
        "table_line",
        "ects_line",
        "total_line",
        "totals_line",
        "competence",
    ):
        if v.get(name) is not None and v[name] < 1:
            err(name, f"entier ≥ 1 attendu ({v[name]})")
    if v.get("kind") is not None and v["kind"] not in KINDS:
        err("kind", f"type inconnu « {v['kind']} » (attendu : {', '.join(KINDS)})")
    if v.get("status") is not None and v["status"] not in STATUSES:
        err("status", f"statut inconnu « {v['status']} » (attendu : {', '.join(STATUSES)})")
    if v.get("printed") is not None and v.get("coefficient") is not None:
        try:
            if parse_float(v["printed"]) != v["coefficient"]:
                row.values["printed"] = None  # stale after an edit: the typed value wins
        except ValueError:
            row.values["printed"] = None
    return errs


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
