"""The conformity rule set: what each rule checks (in French), its severity, where it comes from
(arrêté, ScoDoc documentation, the project's notes, or « réglage local » when it is a local
choice) and the settings it reads. The checks themselves are in
:mod:`butdata.analysis.conformity`; this module is what the README and the UI list.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from butdata import fmt
from butdata.rule_settings import SettingInfo, describe_settings, setting
from butdata.vocab import KINDS, PORTFOLIO, SEVERITY_LABELS

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITIES = (ERROR, WARNING, INFO)
SEVERITY_RANK = {ERROR: 0, WARNING: 1, INFO: 2}
LOCAL = "réglage local"


@dataclass(frozen=True)
class ConformitySettings:
    """Settings of the conformity checks, each with its published value or local default."""

    sae_band: tuple[float, float] = setting(
        (0.40, 0.60),
        "Part des SAÉ attendue dans chaque UE (bornes incluses, de 0 à 1)",
        f"{LOCAL} : plusieurs IUT visent environ 40 % de SAÉ ; aucune bande réglementaire "
        "n'a été vérifiée dans l'arrêté (notes but-rules.md, « SAÉ / ressources balance »).",
    )
    semester_ects: float = setting(
        30.0,
        "Crédits ECTS d'un semestre",
        "Arrêté du 6 décembre 2019, art. 17 : le B.U.T. vaut 180 crédits ECTS en six "
        "semestres (notes but-rules.md, « Structure »), soit 30 par semestre, comme l'impriment "
        "les tableaux lus (document 000 : « Crédits ECTS 30 … »).",
    )
    max_decimals: int = setting(
        2,
        "Nombre de décimales au plus d'un coefficient",
        f"{LOCAL} : les documents impriment les coefficients avec au plus deux décimales "
        "(vocab.ROUNDING) ; au-delà, le document imprimé ne peut pas les montrer exactement.",
    )
    info_kinds: tuple[str, ...] = setting(
        (PORTFOLIO,),
        "Types de modules dont l'absence de coefficient n'est qu'une information",
        f"{LOCAL} : le portfolio est souvent évalué sans coefficient (QLIO S1, S3, S5 du "
        "document 000).",
    )
    info_codes: tuple[str, ...] = setting(
        ("HP",),
        "Codes de modules dont l'absence de coefficient n'est qu'une information",
        f"{LOCAL} : les « heures projet » (HP) sont un volume horaire, pas une évaluation "
        "(document 000, lignes « HP Heures projet 0 »).",
    )

    def __post_init__(self) -> None:
        lo, hi = self.sae_band
        if not 0 <= lo <= hi <= 1:
            raise ValueError("sae_band must be two shares 0 <= low <= high <= 1")
        if self.semester_ects <= 0:
            raise ValueError("semester_ects must be positive")
        if self.max_decimals < 0:
            raise ValueError("max_decimals must not be negative")
        unknown = [k for k in self.info_kinds if k not in KINDS]
        if unknown:
            raise ValueError(f"unknown module kinds: {unknown}")

    def with_changes(self, **changes: Any) -> ConformitySettings:
        """A copy with some settings changed (validated again)."""
        return replace(self, **changes)

    @classmethod
    def describe(cls) -> list[SettingInfo]:
        """One entry per setting: name, default, French label and source."""
        return describe_settings(cls)


DEFAULT_SETTINGS = ConformitySettings()


@dataclass(frozen=True)
class Rule:
    code: str
    short: str  # French, a few words: « ECTS du semestre »
    label: str  # French: what the rule checks
    severity: str  # default severity of its findings
    source: str  # arrêté / ScoDoc / notes, or starts with LOCAL
    settings: tuple[str, ...] = ()  # names of the ConformitySettings it reads


UE_TOTAL_MISMATCH = "ue_total_mismatch"
SEMESTER_ECTS = "semester_ects"
UE_WITHOUT_ECTS = "ue_without_ects"
SAE_SHARE_BAND = "sae_share_band"
UE_WITHOUT_SAE = "ue_without_sae"
MODULE_WITHOUT_COEFFICIENT = "module_without_coefficient"
COEFFICIENT_PRECISION = "coefficient_precision"
DUPLICATE_MODULE_CODE = "duplicate_module_code"
RCUE_PAIR_MISSING = "rcue_pair_missing"
NOT_CHECKED = "not_checked"

RULES: tuple[Rule, ...] = (
    Rule(
        UE_TOTAL_MISMATCH,
        "total des UE",
        "Le total déclaré d'une UE est la somme de ses coefficients (à l'arrondi près des "
        "valeurs imprimées)",
        ERROR,
        "Notes source-formats.md : dans chaque tableau, le total imprimé d'une UE est la somme "
        "de ses coefficients (plus la cellule AOP en disposition C) ; ScoDoc calcule la moyenne "
        "d'UE sur les coefficients, pas sur le total imprimé.",
    ),
    Rule(
        SEMESTER_ECTS,
        "ECTS du semestre",
        "Les crédits ECTS des UE d'un semestre font 30",
        ERROR,
        "Arrêté du 6 décembre 2019, art. 17 (180 crédits en six semestres ; notes "
        "but-rules.md) ; réglable.",
        ("semester_ects",),
    ),
    Rule(
        UE_WITHOUT_ECTS,
        "UE sans ECTS",
        "Chaque UE a des crédits ECTS",
        ERROR,
        "Notes but-rules.md : coefficients et ECTS de chaque UE sont fixés par l'IUT ; les "
        "ECTS du semestre se répartissent entre ses UE.",
    ),
    Rule(
        SAE_SHARE_BAND,
        "part des SAÉ",
        "La part des SAÉ (SAÉ, portfolio, stage) dans le total des coefficients d'une UE est "
        "dans la cible",
        WARNING,
        f"{LOCAL} (notes but-rules.md : bande non vérifiée dans l'arrêté, à montrer comme un "
        "réglage modifiable).",
        ("sae_band",),
    ),
    Rule(
        UE_WITHOUT_SAE,
        "UE sans SAÉ",
        "Chaque UE a au moins une SAÉ (SAÉ, portfolio ou stage) avec un coefficient",
        WARNING,
        f"{LOCAL} : la compétence d'une UE s'évalue en situation (SAÉ) ; une UE sans SAÉ est "
        "toujours hors de la cible de part SAÉ.",
    ),
    Rule(
        MODULE_WITHOUT_COEFFICIENT,
        "module sans coefficient",
        "Chaque module listé a un coefficient dans au moins une UE (information seulement "
        "pour le portfolio et les heures projet)",
        WARNING,
        "Documentation ScoDoc (notes but-rules.md, « Averages ») : un module de coefficient 0 "
        "ne compte dans aucune moyenne d'UE ; ses notes ne servent à rien.",
        ("info_kinds", "info_codes"),
    ),
    Rule(
        COEFFICIENT_PRECISION,
        "décimales des coefficients",
        "Un coefficient a au plus deux décimales",
        WARNING,
        f"{LOCAL} (les documents impriment au plus deux décimales).",
        ("max_decimals",),
    ),
    Rule(
        DUPLICATE_MODULE_CODE,
        "codes de module en double",
        "Un code de module n'apparaît qu'une fois dans un tableau",
        ERROR,
        f"{LOCAL} : un code désigne un module pour le jury et la saisie des notes ; deux "
        "lignes de même code rendent les notes ambiguës (la simulation additionne leurs "
        "coefficients).",
    ),
    Rule(
        RCUE_PAIR_MISSING,
        "paires d'UE des RCUE",
        "Chaque compétence d'une année a une UE au semestre impair et une au semestre pair "
        "(le RCUE)",
        ERROR,
        "Programme national, annexe 1 (arrêtés du 27 mai 2021 et du 15 avril 2022) : un niveau "
        "de compétence couvre une année et se compose de deux UE, une par semestre (RCUE ; "
        "notes but-rules.md).",
    ),
    Rule(
        NOT_CHECKED,
        "non vérifié",
        "Ce qui n'a pas pu être vérifié sur une lecture incomplète (tableau partiel ou vide, "
        "valeurs non rattachées aux modules), et pourquoi",
        INFO,
        "butdata : un manque de lecture n'est pas une entorse aux MCC.",
    ),
)

RULES_BY_CODE = {r.code: r for r in RULES}


def rule_set(settings: ConformitySettings = DEFAULT_SETTINGS) -> list[dict[str, Any]]:
    """The rule set for display: code, label, severity (and its French label), source, whether
    it is a local setting, and the settings it reads with their current values."""
    labels = {f["name"]: f["label"] for f in ConformitySettings.describe()}
    return [
        {
            "code": r.code,
            "short": r.short,
            "label": r.label,
            "severity": r.severity,
            "severity_fr": SEVERITY_LABELS[r.severity],
            "source": r.source,
            "local": r.source.startswith(LOCAL),
            "settings": {name: getattr(settings, name) for name in r.settings},
            "settings_fr": {labels[name]: getattr(settings, name) for name in r.settings},
        }
        for r in RULES
    ]


def show_setting(name: str, value: Any) -> str:
    """A setting's value in French: « 40 % – 60 % », « 30 », « portfolio, HP »."""
    if name == "sae_band":
        return f"{fmt.percent(value[0], 0)} – {fmt.percent(value[1], 0)}"
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value) or "aucun"
    if isinstance(value, int | float):
        return fmt.number(value)
    return str(value)


def rules_markdown(settings: ConformitySettings = DEFAULT_SETTINGS) -> str:
    """The rule set as a Markdown table (README, documentation)."""
    lines = [
        "| Règle | Ce qui est vérifié | Gravité | Source | Réglages |",
        "|---|---|---|---|---|",
    ]
    for r in rule_set(settings):
        shown = ", ".join(f"`{k}` = {show_setting(k, v)}" for k, v in r["settings"].items())
        shown = shown or "—"
        lines.append(
            f"| `{r['code']}` | {r['label']} | {r['severity_fr']} | {r['source']} | {shown} |"
        )
    return "\n".join(lines)
