"""B.U.T. validation settings: one :class:`Rules` object for the single-student engine, the
cohorts, the ``decide`` command and the pages.

Every threshold is a named setting with the published value as default, so that the UI can show
and edit it. Sources are quoted from ``shared/notes/but-rules.md``; ``describe()`` lists them in
French for display.

Two rules live here because every caller needs them alike:

- **reaching a mark** (:meth:`Rules.reaches`). ``strict`` is the arrêté's wording (average ≥
  mark). ``scodoc`` is ScoDoc's: ``NOTES_TOLERANCE = 0.00499999999999`` in ScoDoc's
  ``sco_codes_parcours.py`` / ``codes_cursus.py``, « si note >= (BARRE-TOLERANCE), considere ok
  (permet d'eviter d'afficher 10.00 sous barre alors que la moyenne vaut 9.999) »; its BUT code
  compares ``moy > BARRE - NOTES_TOLERANCE`` (so 9.996 reaches 10, 9.99499… does not).
- **displaying an average** (:meth:`Rules.shown`): the nearest value at the shown precision,
  moved by one step when it would contradict the decision (never « 10,00 AJ », never
  « 9,99 ADM », never « 8,00 » for an RCUE that is below the floor).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from butdata.rule_settings import SettingInfo, describe_settings, setting

# Float noise guard for threshold comparisons: 0.1 * 3 sums must count as reaching 10.
EPS = 1e-9
# ScoDoc's constant (sco_codes_parcours.py, then codes_cursus.py of ScoDoc 9).
NOTES_TOLERANCE = 0.00499999999999
SCODOC, STRICT = "scodoc", "strict"
TOLERANCES = {SCODOC: NOTES_TOLERANCE, STRICT: 0.0}
TOLERANCE_LABELS = {
    SCODOC: "ScoDoc (une moyenne compte à 0,005 près : 9,995 et plus valent 10)",
    STRICT: "stricte (moyenne ≥ seuil, texte de l'arrêté)",
}


@dataclass(frozen=True)
class Rules:
    """Settings of the grade simulation (all grades on the ``grade_min``-``grade_max`` scale)."""

    pass_mark: float = setting(
        10.0,
        "Note de validation d'une UE / d'un RCUE",
        "Annexe 1 du programme national (arrêtés du 27 mai 2021 et du 15 avril 2022) : "
        "une UE est validée quand sa moyenne est ≥ 10/20 ; un RCUE ≥ 10 valide ses deux UE.",
    )
    rcue_floor: float = setting(
        8.0,
        "Seuil éliminatoire d'un RCUE pour le passage de droit (PASD)",
        "Arrêté (extrait cité par la documentation ScoDoc) : passage dans un semestre impair si "
        "« une moyenne égale ou supérieure à 8 sur 20 à chaque regroupement cohérent d'UE ».",
    )
    rcue_weights: tuple[float, float] = setting(
        (1.0, 1.0),
        "Poids des UE du semestre impair et du semestre pair dans le RCUE",
        "Moyenne du RCUE = moyenne des deux UE, poids égaux par défaut (ScoDoc : coef_rcue = 1).",
    )
    pasd_min_fraction: float = setting(
        0.5,
        "Part des RCUE ≥ 10 à dépasser strictement pour le passage de droit",
        "Arrêté : « la moyenne à plus de la moitié des regroupements cohérents d'UE » "
        "(avec 4 compétences, au moins 3).",
    )
    tolerance: str = setting(
        SCODOC,
        "Tolérance d'arrondi des seuils",
        "ScoDoc : NOTES_TOLERANCE = 0,00499999999999, une moyenne compte comme atteinte dès "
        "seuil − 0,005 (une moyenne affichée 10,00 n'est jamais sous la barre) ; « stricte » : "
        "moyenne ≥ seuil, lecture littérale de l'arrêté.",
    )
    bonus: float = setting(
        0.0,
        "Bonus (ou malus, négatif) ajouté à chaque moyenne d'UE",
        "Documentation ScoDoc (BonusMalus) : un bonus « sur chacune des UE (BUT) » selon une "
        "formule propre à chaque IUT (sport, culture…) ; un malus se retranche ; les moyennes "
        "restent entre 0 et 20.",
    )
    grade_min: float = setting(0.0, "Note minimale", "Notes sur 20 (échelle nationale).")
    grade_max: float = setting(20.0, "Note maximale", "Notes sur 20 (échelle nationale).")

    def __post_init__(self) -> None:
        if not self.grade_min < self.grade_max:
            raise ValueError("grade_min must be below grade_max")
        for name in ("pass_mark", "rcue_floor"):
            if not self.grade_min <= getattr(self, name) <= self.grade_max:
                raise ValueError(f"{name} must lie within the grade bounds")
        if self.rcue_floor > self.pass_mark:
            raise ValueError("rcue_floor must not exceed pass_mark")
        if len(self.rcue_weights) != 2 or min(self.rcue_weights) < 0 or sum(self.rcue_weights) <= 0:
            raise ValueError("rcue_weights must be two non-negative numbers, not both zero")
        if not 0 <= self.pasd_min_fraction < 1:
            raise ValueError("pasd_min_fraction must lie in [0, 1)")
        if self.tolerance not in TOLERANCES:
            raise ValueError(f"tolerance must be one of {sorted(TOLERANCES)}")
        if not math.isfinite(self.bonus) or abs(self.bonus) > self.grade_max - self.grade_min:
            raise ValueError("bonus must be a finite number of points within the grade scale")

    def with_changes(self, **changes: Any) -> Rules:
        """A copy with some settings changed (validated again)."""
        return replace(self, **changes)

    # ------------------------------------------------------------------ marks

    def reaches(self, value: float | None, mark: float) -> bool:
        """Whether an average counts as reaching ``mark`` (see the module docstring)."""
        if value is None or value != value:  # None or NaN: no average, nothing reached
            return False
        if self.tolerance == SCODOC:
            return value > mark - NOTES_TOLERANCE
        return value >= mark - EPS

    def lowest_reaching(self, mark: float) -> float:
        """The threshold vectorised code compares with: reached ⇔ value ``>`` this (ScoDoc) or
        ``>=`` this (strict); see :meth:`strict_comparison`."""
        return mark - NOTES_TOLERANCE if self.tolerance == SCODOC else mark - EPS

    @property
    def strict_comparison(self) -> bool:
        """True when reaching is ``value > lowest_reaching`` (ScoDoc), False for ``>=``."""
        return self.tolerance == SCODOC

    def by_tolerance(self, value: float | None, mark: float) -> bool:
        """Reached only thanks to the tolerance (the rule text says so)."""
        return self.reaches(value, mark) and value is not None and value < mark - EPS

    def shown(self, value: float, marks: Sequence[float] = (), digits: int = 2) -> float:
        """The value to display at ``digits`` decimals: the nearest one, unless it would say the
        opposite of :meth:`reaches` for one of ``marks`` (then the nearest one that agrees)."""
        step = 10.0**-digits
        out = _nearest(value, digits)
        for mark in marks:
            reached = self.reaches(value, mark)
            if self.reaches(out, mark) == reached:
                continue
            # Move by whole steps towards the value's side of the mark (one step is enough for
            # the tolerances used here; the loop guards any other setting).
            for _ in range(1000):
                out = _nearest(out + (step if reached else -step), digits)
                if self.reaches(out, mark) == reached:
                    break
        return out

    # ------------------------------------------------------------------ display

    def changed(self) -> list[str]:
        """Names of the settings that differ from the published values."""
        return [f.name for f in fields(self) if getattr(self, f.name) != f.default]

    @classmethod
    def describe(cls) -> list[SettingInfo]:
        """One entry per setting: name, default, French label and source, for display."""
        return describe_settings(cls)


def _nearest(value: float, digits: int) -> float:
    """Round half up at ``digits`` decimals, tolerant of float noise (2.675 is 2.68)."""
    f = 10.0**digits
    return math.floor(value * f + 0.5 + EPS * f) / f


DEFAULT_RULES = Rules()
