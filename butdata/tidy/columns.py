"""The columns of the tidy template (machine name, French label, type, level, help), how a header
row maps to them, and the errors a template reading reports row by row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from butdata.text import slug

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
