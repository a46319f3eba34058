"""The domain's words, each defined once: module kinds (and how a printed code gets one), which
kinds count as SAÉ, table statuses, the rounding tolerance of printed numbers, and the French
labels a committee reads for every internal code.

Every reader, query, chart, export and page takes these from here; a test pins each of them
against the printed codes of the documents.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping

# --------------------------------------------------------------------------- module kinds

RESSOURCE, SAE, PORTFOLIO, STAGE, OTHER = "ressource", "sae", "portfolio", "stage", "autre"
KINDS = (RESSOURCE, SAE, PORTFOLIO, STAGE, OTHER)
# Portfolio and stage are SAÉ in the national programme (SAÉ x.PF, SAÉ x.ST): the SAÉ share
# of a UE counts all three.
SAE_KINDS = frozenset({SAE, PORTFOLIO, STAGE})

KIND_LABELS: Mapping[str | None, str] = {
    SAE: "SAÉ",
    RESSOURCE: "ressource",
    PORTFOLIO: "portfolio",
    STAGE: "stage",
    OTHER: "autre",
    None: "non identifié",
}
KIND_LABEL_ORDER = ("SAÉ", "ressource", "portfolio", "stage", "autre", "non identifié")

_RESSOURCE_CODE = re.compile(r"^R\d")
_SAE_CODE = re.compile(r"^SAE\d?")


def _plain(text: str) -> str:
    """Upper case, no accents, no spaces: « SAÉ 1.01 » -> « SAE1.01 »."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", "", ascii_text).upper()


def module_kind(
    code: str | None, name: str | None = None, declared: str | None = None
) -> str | None:
    """Kind of a module from its printed code (and name), by the national code scheme.

    ``R3.07`` ressource; ``SAE3.01`` / ``SAÉ 1.01`` SAÉ; ``SAE3.PF`` / ``SAE3.Portfolio`` /
    ``Portfolio`` (or a name starting with « Portfolio ») portfolio; ``SAE4.ST`` /
    ``SAE4.STAGE`` / ``STAGE4`` (or a name starting with « Stage ») stage; ``PPP`` (projet
    personnel et professionnel) ressource; ``AOP …``, ``SAE.AOP``, ``HP`` (heures projet),
    ``H.IA`` and any other printed code: autre. No code: ``None`` (unknown, never guessed).

    ``declared`` is the kind the source states by its structure (ORéBUT lists SAÉ and
    ressources in separate elements): it names a module whose code says nothing (``autre`` or
    no code); portfolio and stage are still told by code or name.
    """
    if declared is not None:
        kind = module_kind(code or "?", name)  # a module without code is told by its name
        explicit_other = "AOP" in _plain(code or "")
        return declared if kind == OTHER and not explicit_other else kind
    if not code or not code.strip():
        return None
    plain = _plain(code)
    lower_name = (name or "").strip().lower()
    if "AOP" in plain:
        return OTHER
    if "STAGE" in plain or plain.endswith(".ST") or lower_name.startswith("stage"):
        return STAGE
    if "PORTFOLIO" in plain or plain.endswith(".PF") or lower_name.startswith("portfolio"):
        return PORTFOLIO
    if _SAE_CODE.match(plain):
        return SAE
    if _RESSOURCE_CODE.match(plain) or plain.startswith("PPP"):
        return RESSOURCE
    return OTHER


def block_module_kind(block: str, name: str | None) -> str:
    """Kind of a module printed without a code in a « Ressources » or « SAÉ » block of an MCC
    (``block`` is RESSOURCE or SAE): in the SAÉ block, a name starting with « Portfolio » is the
    portfolio and one starting with « Stage » the stage, as for named codes above."""
    if block != SAE:
        return RESSOURCE
    lower_name = (name or "").strip().lower()
    if lower_name.startswith("portfolio"):
        return PORTFOLIO
    if lower_name.startswith("stage"):
        return STAGE
    return SAE


def is_sae(kind: str | None) -> bool:
    return kind in SAE_KINDS


def in_band(share: float | None, band: tuple[float, float]) -> bool | None:
    """Whether an SAÉ share lies within the target band, bounds included (None when unknown)."""
    if share is None:
        return None
    return band[0] - FLOAT_NOISE <= share <= band[1] + FLOAT_NOISE


# --------------------------------------------------------------------------- UE codes

# « UE31 », « UE 3.1 », « ue3.1 »: semester digit, then competence number (1 or 2 digits).
UE_CODE = re.compile(r"^UE\s?(\d)\.?(\d{1,2})$", re.IGNORECASE)
# « C3.1 »: the competence form printed by the block layout of MCC PDFs (semester digit, dot,
# competence number); the dot is required (« C31 » is not read as one).
COMPETENCE_CODE = re.compile(r"^C\s?(\d)\.(\d{1,2})$", re.IGNORECASE)


def parse_ue_code(code: str) -> tuple[int, int] | None:
    """``(semester, competence)`` of a printed UE code: « UE 3.1 » and « UE31 » -> (3, 1), and
    the competence form « C3.1 » -> (3, 1); None if not one."""
    text = code.strip()
    m = UE_CODE.match(text) or COMPETENCE_CODE.match(text)
    return (int(m.group(1)), int(m.group(2))) if m else None


def competence_of(ue_code: str) -> int:
    """UE31 / UE 3.1 -> 1 (the number after the semester digit)."""
    parsed = parse_ue_code(ue_code)
    if parsed is None:
        raise ValueError(f"not a UE code: {ue_code!r}")
    return parsed[1]


def ue_key(code: str) -> str:
    """UE31, UE 3.1 and ue3.1 are the same UE: their digits."""
    return re.sub(r"[^0-9]", "", code)


# --------------------------------------------------------------------------- table status

# How a table was read (stored in ``tables.status``).
COMPLETE, PARTIAL, EMPTY = "complete", "partial", "empty"
STATUSES = (COMPLETE, PARTIAL, EMPTY)
STATUS_LABELS: Mapping[str, str] = {COMPLETE: "complet", PARTIAL: "partiel", EMPTY: "vide"}


def table_status(has_rows: bool, all_checked: bool) -> str:
    """``empty`` without any row of values; ``complete`` when every printed total was found
    and holds; ``partial`` otherwise. Every reader decides its tables' status with this."""
    if not has_rows:
        return EMPTY
    return COMPLETE if all_checked else PARTIAL


# What a committee can do with a table: compare and simulate module by module (« modules
# identifiés »), only UE by UE (the values are known but not which module each belongs to), or
# read it with gaps (« partiel »), or nothing (« vide »). Shown on the map, counts, legends and
# exports instead of the reading status alone.
MODULES_KNOWN, UE_ONLY = "modules", "ue_only"
RELIABILITIES = (MODULES_KNOWN, UE_ONLY, PARTIAL, EMPTY)
RELIABILITY_LABELS: Mapping[str, str] = {
    MODULES_KNOWN: "modules identifiés",
    UE_ONLY: "valeurs par UE seulement",
    PARTIAL: "partiel",
    EMPTY: "vide",
}
RELIABILITY_HELP: Mapping[str, str] = {
    MODULES_KNOWN: "tableau lu en entier, totaux vérifiés, chaque valeur rattachée à son module : "
    "comparaison module par module et simulation par module possibles",
    UE_ONLY: "tableau lu en entier, totaux vérifiés, mais le document ne dit pas à quel module "
    "appartient chaque valeur : comparaison par UE et simulation simplifiée (SAÉ / ressources)",
    PARTIAL: "des lignes manquent ou des totaux n'ont pas pu être vérifiés",
    EMPTY: "titre présent, aucune ligne de valeurs exploitable",
}


def reliability(status: str, n_values: int, n_unattributed: int) -> str:
    """What a table allows, from its reading status and how many of its values lack a module
    (neither code nor name). ``reliability_expr`` is the same rule on frames."""
    if status == EMPTY or n_values == 0:
        return EMPTY
    if status == PARTIAL:
        return PARTIAL
    return UE_ONLY if n_unattributed else MODULES_KNOWN


# --------------------------------------------------------------------------- rounding

# Printed values have at most two decimals: each may carry half a hundredth of rounding.
ROUNDING = 0.005
# Float noise on sums of printed decimals (0.1 + 0.2 ≠ 0.3).
FLOAT_NOISE = 1e-9


def sum_tolerance(n_values: int) -> float:
    """How far the sum of ``n_values`` printed values may be from a printed total: half a
    hundredth per value (at least one), plus float noise."""
    return ROUNDING * max(1, n_values) + FLOAT_NOISE


def sums_agree(computed: float, printed: float, n_values: int) -> bool:
    """Whether a sum of printed values and a printed total agree within their rounding."""
    return abs(computed - printed) <= sum_tolerance(n_values)


# --------------------------------------------------------------------------- numbers at the door

# A coefficient is a finite number in 0-100 (percentage grids reach 100 for a UE: beyond is an
# extraction or typing accident); the ECTS of a UE lie in 0-30 (a semester is worth 30).
MAX_COEFFICIENT = 100.0
MAX_UE_ECTS = 30.0


def _shown(value: float) -> str:
    """A number in a message, short even when absurd: « 100,5 », « 1e+308 »."""
    return f"{value:g}".replace(".", ",")


def coefficient_problem(value: float) -> str | None:
    """Why a coefficient (or a UE total) cannot be stored, in French; None when it can."""
    if not math.isfinite(value):
        return f"coefficient non fini ({value})"
    if value < 0:
        return f"coefficient négatif ({_shown(value)})"
    if value > MAX_COEFFICIENT:
        return f"coefficient hors limites ({_shown(value)} > {MAX_COEFFICIENT:g})"
    return None


def ects_problem(value: float) -> str | None:
    """Why the ECTS of a UE cannot be stored, in French; None when they can."""
    if not math.isfinite(value) or not 0 <= value <= MAX_UE_ECTS:
        return f"ECTS hors de 0 à {MAX_UE_ECTS:g} ({_shown(value)})"
    return None


# --------------------------------------------------------------------------- reading warnings

SEVERITY_LABELS: Mapping[str, str] = {
    "info": "information",
    "warning": "avertissement",
    "error": "erreur",
}

# French name of every warning code a reader or an import records.
WARNING_LABELS: Mapping[str, str] = {
    "bad_module_line": "ligne de module illisible",
    "bad_coefficient": "coefficient illisible",
    "bad_value": "valeur illisible",
    "block_missing": "bloc absent",
    "bad_totals_line": "ligne de totaux illisible",
    "bad_year": "année de parcours illisible",
    "code_variant": "code de module écrit différemment",
    "columns_not_unique": "colonnes des modules non uniques",
    "columns_uncertain": "colonnes des modules incertaines",
    "competence_inferred": "compétence déduite",
    "competence_not_in_parcours": "compétence hors des parcours du module",
    "competence_unknown": "compétence inconnue",
    "draft_sheet": "feuille d'un brouillon",
    "duplicate_code": "même code pour plusieurs modules",
    "duplicate_competence": "compétence en double",
    "duplicate_parcours": "parcours en double",
    "duplicate_semester": "semestre décrit deux fois",
    "duplicate_title": "même intitulé pour plusieurs codes",
    "formation_unknown": "formation hors des spécialités nationales",
    "identity_inferred": "identité du tableau déduite",
    "layout_ambiguous": "fin de ligne ambiguë",
    "missing_totals": "totaux absents",
    "module_sum_mismatch": "coefficient semestre ≠ somme des UE",
    "modules_unplaced": "valeurs non rattachées aux modules",
    "parcours_unknown": "parcours inconnu",
    "referential_origin": "UE lues dans le référentiel de compétences",
    "scenario_change": "modification du scénario",
    "scenario_info": "scénario",
    "scenario_origin": "origine du scénario",
    "niveau_mismatch": "total du niveau ≠ somme des semestres",
    "page_without_text": "page sans texte",
    "semester_mismatch": "semestre imprimé incohérent",
    "stray_value": "valeur isolée ignorée",
    "sum_mismatch": "somme ≠ total imprimé",
    "template_origin": "tableau repris d'un autre document",
    "text_before_title": "texte avant le titre",
    "total_mismatch": "total ≠ somme des coefficients",
    "totals_mismatch": "totaux du tableau ≠ somme des UE",
    "totals_missing": "totaux non imprimés",
    "untitled_table": "tableau sans titre",
    "ue_columns": "ordre des colonnes d'UE",
    "values_lost": "valeurs perdues à l'extraction",
}


def warning_label(code: str | None) -> str:
    """French name of a warning code (the code itself is never shown)."""
    if code is None:
        return "—"
    return WARNING_LABELS.get(code, code.replace("_", " "))


def labelled(mapping: Mapping[str | None, str], value: str | None) -> str:
    """The French label of an internal value; an unknown value is shown as is."""
    return mapping.get(value, value if value is not None else "—")


# --------------------------------------------------------------------------- jury codes

# French meaning of the B.U.T. jury codes (ScoDoc's codes, documentation « Codes d'année » and
# codes_cursus.py). UE / RCUE codes first, then year codes.
JURY_LABELS: Mapping[str | None, str] = {
    "ADM": "validé(e)",
    "CMP": "validée par compensation dans le RCUE",
    "AJ": "non validé(e)",
    "ADJ": "validé(e) par le jury",
    "ADJR": "UE validée car son RCUE est validé par le jury",
    "ADSUP": "validé(e) par la validation du niveau supérieur",
    "PASD": "passage de droit",
    "PAS1NCI": "passage décidé par le jury avec un niveau de compétence insuffisant",
    "RED": "ajourné, autorisé à redoubler",
    "NAR": "non autorisé à redoubler (réorientation)",
    "ATJ": "en attente (décision du jury reportée)",
    "DEM": "démission",
    "DEF": "défaillant",
    "ABAN": "abandon",
    "ABL": "année blanche",
    "EXCLU": "exclusion",
    None: "pas de décision",
}


def jury_label(code: str | None) -> str:
    """« ADM — validé(e) »: the code and its French meaning (an unknown code is shown as is)."""
    if code is None:
        return JURY_LABELS[None]
    meaning = JURY_LABELS.get(code)
    return f"{code} — {meaning}" if meaning else code
