"""B.U.T. validation settings used by the simulator.

Every threshold is a named setting with the published value as default, so that the UI can show
and edit it. Sources are quoted from ``shared/notes/but-rules.md``; ``describe()`` lists them in
French for display.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

# Float noise guard for threshold comparisons: 0.1 * 3 sums must count as reaching 10.
EPS = 1e-9


def _setting(default, label: str, source: str):
    return field(default=default, metadata={"label": label, "source": source})


@dataclass(frozen=True)
class Rules:
    """Settings of the grade simulation (all grades on the ``grade_min``-``grade_max`` scale)."""

    pass_mark: float = _setting(
        10.0,
        "Note de validation d'une UE / d'un RCUE",
        "Annexe 1 du programme national (arrêtés du 27 mai 2021 et du 15 avril 2022) : "
        "une UE est validée quand sa moyenne est ≥ 10/20 ; un RCUE ≥ 10 valide ses deux UE.",
    )
    rcue_floor: float = _setting(
        8.0,
        "Seuil éliminatoire d'un RCUE pour le passage de droit (PASD)",
        "Documentation ScoDoc, « Passage d'une année à l'autre » ; livret étudiant IUT de Troyes : "
        "passage de droit si aucun RCUE < 8.",
    )
    rcue_weights: tuple[float, float] = _setting(
        (1.0, 1.0),
        "Poids des UE du semestre impair et du semestre pair dans le RCUE",
        "Moyenne du RCUE = moyenne des deux UE, poids égaux par défaut (ScoDoc : coef_rcue = 1).",
    )
    pasd_min_fraction: float = _setting(
        0.5,
        "Part des RCUE ≥ 10 à dépasser strictement pour le passage de droit",
        "Documentation ScoDoc ; livret IUT de Troyes : « plus de la moitié » des RCUE de l'année "
        "≥ 10 (avec 4 compétences, au moins 3).",
    )
    grade_min: float = _setting(0.0, "Note minimale", "Notes sur 20 (échelle nationale).")
    grade_max: float = _setting(20.0, "Note maximale", "Notes sur 20 (échelle nationale).")

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

    def with_changes(self, **changes) -> Rules:
        """A copy with some settings changed (validated again)."""
        return replace(self, **changes)

    @classmethod
    def describe(cls) -> list[dict]:
        """One dict per setting: name, default, French label and source, for display."""
        return [
            {
                "name": f.name,
                "default": f.default,
                "label": f.metadata["label"],
                "source": f.metadata["source"],
            }
            for f in fields(cls)
        ]


DEFAULT_RULES = Rules()
