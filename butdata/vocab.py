"""The domain's words, each defined once: module kinds (and how a printed code gets one), which
kinds count as SAÉ, table statuses, the rounding tolerance of printed numbers, and the French
labels a committee reads for every internal code.

Every reader, query, chart, export and page takes these from here; a test pins each of them
against the printed codes of the documents.
"""

from __future__ import annotations

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


def module_kind(code: str | None, name: str | None = None) -> str | None:
    """Kind of a module from its printed code (and name), by the national code scheme.

    ``R3.07`` ressource; ``SAE3.01`` / ``SAÉ 1.01`` SAÉ; ``SAE3.PF`` / ``SAE3.Portfolio`` /
    ``Portfolio`` (or a name starting with « Portfolio ») portfolio; ``SAE4.ST`` /
    ``SAE4.STAGE`` / ``STAGE4`` (or a name starting with « Stage ») stage; ``PPP`` (projet
    personnel et professionnel) ressource; ``AOP …``, ``SAE.AOP``, ``HP`` (heures projet),
    ``H.IA`` and any other printed code: autre. No code: ``None`` (unknown, never guessed).
    """
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


# --------------------------------------------------------------------------- reading warnings

SEVERITY_LABELS: Mapping[str, str] = {
    "info": "information",
    "warning": "avertissement",
    "error": "erreur",
}

# French name of every warning code a reader or an import records.
WARNING_LABELS: Mapping[str, str] = {
    "bad_module_line": "ligne de module illisible",
    "bad_value": "valeur illisible",
    "block_missing": "bloc absent",
    "bad_totals_line": "ligne de totaux illisible",
    "code_variant": "code de module écrit différemment",
    "columns_not_unique": "colonnes des modules non uniques",
    "columns_uncertain": "colonnes des modules incertaines",
    "competence_inferred": "compétence déduite",
    "competence_unknown": "compétence inconnue",
    "draft_sheet": "feuille d'un brouillon",
    "duplicate_competence": "compétence en double",
    "duplicate_title": "même intitulé pour plusieurs codes",
    "identity_inferred": "identité du tableau déduite",
    "layout_ambiguous": "fin de ligne ambiguë",
    "missing_totals": "totaux absents",
    "module_sum_mismatch": "coefficient semestre ≠ somme des UE",
    "modules_unplaced": "valeurs non rattachées aux modules",
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
