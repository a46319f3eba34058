"""What a B.U.T. jury decides for one student and one year, from the UE averages.

This is the one place where UE averages become codes and a year decision: the single-student
engine (:mod:`butdata.grading.student`, averages from grades), the ``decide`` command and the
ScoDoc jury exports (:mod:`butdata.grading.records`) all call :func:`decide_year`; the
vectorised cohorts (:mod:`butdata.grading.cohort`) are tested against it.

Rules, with their sources (``shared/notes/but-rules.md`` quotes them):

- UE average used = this semester's average + bonus (the :class:`Rules` bonus plus the UE's own),
  kept within the grade bounds (ScoDoc documentation, BonusMalus); a *capitalised* UE (an
  earlier validated average) is kept when it is better (ScoDoc documentation,
  BUTCapitalisationUE: « ScoDoc prendra automatiquement en compte celle ayant la meilleure
  note »).
- UE code: ``ADM`` when its average reaches the pass mark; ``ADJ`` when the jury validates it;
  ``CMP`` when its RCUE reaches the pass mark (« cette UE sera acquise par compensation si et
  seulement si l'étudiant a obtenu la moyenne au regroupement cohérent », decree extract quoted
  by ScoDoc's documentation); ``ADJR`` when its RCUE is validated by the jury (ScoDoc's code
  list); ``AJ`` otherwise; ``None`` without average.
- RCUE average = weighted mean of its two UE averages (ScoDoc ``coef_rcue``, 1 by default). Code
  ``ADM`` (both UEs reach the mark), ``CMP`` (the RCUE reaches it, one UE does not), ``ADJ``
  (validated by the jury below the mark), ``AJ``. « Reaching » follows the tolerance setting
  (:meth:`Rules.reaches`: ScoDoc counts 9.996 as 10).
- Year (annual jury, after the even semester): ``ADM`` when every RCUE is validated. Otherwise,
  BUT1 and BUT2: ``PASD`` when more than half of the RCUEs reach the mark and none is below the
  floor (8) — « la poursuite d'études dans un semestre impair est possible si et seulement si
  l'étudiant a obtenu la moyenne à plus de la moitié des regroupements cohérents d'UE et une
  moyenne égale ou supérieure à 8 sur 20 à chaque regroupement cohérent d'UE » — and, towards
  BUT3, « nécessité d'avoir validé toutes les UE du BUT 1 » (ScoDoc documentation, BUT.md);
  ``AJ`` (not passing by right: the jury then chooses RED, NAR, PAS1NCI, ADJ…) otherwise.
  BUT3: no odd semester follows S6, hence never ``PASD``; ``ADM`` means « année validée :
  diplôme si les années précédentes le sont », anything else is ``AJ``.
- ADSUP: « la validation des deux UE du niveau d'une compétence emporte la validation de
  l'ensemble des UE du niveau inférieur » (ScoDoc documentation, BUT.md): from BUT2 on, each
  validated RCUE validates the lower levels of its competence.
- Provisional: a module without grade makes every result provisional (ScoDoc's automatic jury
  records nothing while a grade is « en attente »); the decision is shown with that label.

Jury inputs (an RCUE ``ADJ`` / ``AJ``, a UE ``ADJ``, a year code) change the result; the outcome
also carries the decision of the rules alone (``rule_only``) and the year code the jury chose.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from butdata import fmt
from butdata.grading.rules import DEFAULT_RULES, EPS, NOTES_TOLERANCE, SCODOC, Rules
from butdata.vocab import jury_label

ADM, CMP, AJ, ADJ, ADJR, ADSUP = "ADM", "CMP", "AJ", "ADJ", "ADJR", "ADSUP"
PASD, PAS1NCI, RED, NAR, ATJ = "PASD", "PAS1NCI", "RED", "NAR", "ATJ"
DEM, DEF, ABAN, ABL, EXCLU = "DEM", "DEF", "ABAN", "ABL", "EXCLU"
UE_VALIDATED = frozenset({ADM, CMP, ADJ, ADJR, ADSUP})
RCUE_VALIDATED = frozenset({ADM, CMP, ADJ, ADSUP})
UE_JURY_CODES = (ADJ,)
RCUE_JURY_CODES = (ADJ, AJ)
YEAR_JURY_CODES = (ADM, ADJ, PASD, PAS1NCI, RED, NAR, ADSUP, ATJ, DEM, DEF, ABAN, ABL, EXCLU)
FINAL_YEAR = 3


def year_of_semester(semester: int | None) -> int | None:
    """B.U.T. year of a semester: S1/S2 → 1, S3/S4 → 2, S5/S6 → 3; ``None`` when unknown."""
    if semester is None or not 1 <= semester <= 6:
        return None
    return (semester + 1) // 2


def pasd_minimum(n_rcues: int, rules: Rules = DEFAULT_RULES) -> int:
    """Smallest count of RCUE ≥ pass mark that is *more than* ``pasd_min_fraction`` of them."""
    return math.floor(rules.pasd_min_fraction * n_rcues + EPS) + 1


# --------------------------------------------------------------------------- inputs / outcomes


@dataclass(frozen=True)
class UEInput:
    """One UE of one student: this semester's average (``None``: no grade yet) and what the jury
    or the rules add to it. ``ue`` names it in texts."""

    average: float | None
    ue: str = ""
    bonus: float = 0.0
    capitalised: float | None = None
    jury: str | None = None


@dataclass(frozen=True)
class CompetenceInput:
    """The two UEs of a competence in the year (``None``: no UE in that semester), the jury's
    RCUE decision, and an RCUE average given as such (a ScoDoc export), used instead of the
    weighted mean when present."""

    competence: int
    odd: UEInput | None
    even: UEInput | None
    jury: str | None = None
    recorded_average: float | None = None


@dataclass(frozen=True)
class UEOutcome:
    ue: str
    raw: float | None  # this semester's average, before bonus
    average: float | None  # the average used (bonus, bounds, capitalisation)
    code: str | None
    capitalised: bool  # the capitalised average is the one used
    bonus: float


@dataclass(frozen=True)
class RCUEOutcome:
    competence: int
    average: float | None
    code: str | None
    validated: bool
    sufficient: bool  # validated or ≥ the floor (PASD needs every RCUE sufficient)
    odd: UEOutcome | None
    even: UEOutcome | None


@dataclass(frozen=True)
class YearOutcome:
    """``decision``: the rules applied with the jury's UE / RCUE decisions (``None``: pending or
    not decidable); ``rule_only``: the rules alone; ``jury_year``: the year code the jury chose.
    ``rule``: French text of what decided."""

    rcues: tuple[RCUEOutcome, ...]
    decision: str | None
    rule: str
    rule_only: str | None
    jury_year: str | None
    provisional: bool
    n_ungraded: int
    adsup: tuple[int, ...]
    year: int | None


def effective_ue(ue: UEInput, rules: Rules = DEFAULT_RULES) -> tuple[float | None, bool, float]:
    """(average used, capitalised average used, bonus applied)."""
    bonus = rules.bonus + ue.bonus
    avg = ue.average
    if avg is not None:
        avg = min(max(avg + bonus, rules.grade_min), rules.grade_max)
    if ue.capitalised is not None and (avg is None or ue.capitalised > avg):
        return ue.capitalised, True, bonus
    return avg, False, bonus


def rcue_average(a: float | None, b: float | None, rules: Rules = DEFAULT_RULES) -> float | None:
    """Weighted mean of the odd and even UE averages (``None`` unless both exist)."""
    if a is None or b is None:
        return None
    w1, w2 = rules.rcue_weights
    return (w1 * a + w2 * b) / (w1 + w2)


def ue_code(
    average: float | None,
    rcue_reached: bool,
    rcue_jury_adj: bool = False,
    jury: str | None = None,
    rules: Rules = DEFAULT_RULES,
) -> str | None:
    if rules.reaches(average, rules.pass_mark):
        return ADM
    if jury == ADJ:
        return ADJ
    if average is None:
        return None
    if rcue_reached:
        return CMP
    return ADJR if rcue_jury_adj else AJ


def _rcue(c: CompetenceInput, rules: Rules) -> RCUEOutcome:
    sides = []
    for ue in (c.odd, c.even):
        sides.append(None if ue is None else (ue, *effective_ue(ue, rules)))
    avgs = [None if s is None else s[1] for s in sides]
    avg = c.recorded_average
    if avg is None:
        avg = rcue_average(avgs[0], avgs[1], rules)
    reached = rules.reaches(avg, rules.pass_mark)
    if c.jury == ADJ and not reached:
        code: str | None = ADJ
    elif c.jury == AJ:
        code = AJ
    elif avg is None:
        code = None
    elif reached:
        code = ADM if all(rules.reaches(a, rules.pass_mark) for a in avgs) else CMP
    else:
        code = AJ
    validated = code in RCUE_VALIDATED
    outcomes: list[UEOutcome | None] = []
    for s in sides:
        if s is None:
            outcomes.append(None)
            continue
        ue, used, capitalised, bonus = s
        outcomes.append(
            UEOutcome(
                ue.ue,
                ue.average,
                used,
                ue_code(used, reached and c.jury != AJ, code == ADJ, ue.jury, rules),
                capitalised,
                bonus,
            )
        )
    sufficient = validated or rules.reaches(avg, rules.rcue_floor)
    return RCUEOutcome(c.competence, avg, code, validated, sufficient, outcomes[0], outcomes[1])


# --------------------------------------------------------------------------- year


def decide_year(
    competences: Sequence[CompetenceInput],
    rules: Rules = DEFAULT_RULES,
    year: int | None = None,
    but1_validated: bool | None = None,
    year_jury: str | None = None,
    n_ungraded: int = 0,
    missing: Sequence[int] = (),
    missing_fails: bool = False,
) -> YearOutcome:
    """Codes and decision of one year.

    ``missing``: competences without a UE (or with a UE without coefficient) in one semester.
    By default the year is then not decidable from these tables; with ``missing_fails`` (a
    recorded jury, e.g. a ScoDoc export lacking an RCUE) such a competence and an RCUE without
    average count as not validated and below the floor, as ScoDoc counts them.
    """
    rcues = tuple(_rcue(c, rules) for c in competences)
    decision, rule = _decide(rcues, rules, year, but1_validated, missing, missing_fails)
    has_jury = any(
        c.jury or any(u is not None and u.jury for u in (c.odd, c.even)) for c in competences
    )
    rule_only = decision
    if has_jury:
        bare = [
            replace(
                c,
                jury=None,
                odd=None if c.odd is None else replace(c.odd, jury=None),
                even=None if c.even is None else replace(c.even, jury=None),
            )
            for c in competences
        ]
        bare_rcues = tuple(_rcue(c, rules) for c in bare)
        rule_only = _decide(bare_rcues, rules, year, but1_validated, missing, missing_fails)[0]
    adsup = (
        tuple(r.competence for r in rcues if r.validated)
        if year is not None and year >= 2 and decision is not None
        else ()
    )
    notes = []
    if decision is not None:
        notes.append(_tolerance_note(rcues, rules))
        if adsup:
            lower = "BUT1" if year == 2 else "BUT1 et BUT2"
            comps = ", ".join(map(str, adsup))
            notes.append(
                f"ADSUP : la validation des deux UE du niveau emporte celle des UE des niveaux "
                f"inférieurs ({lower}) pour la compétence {comps}."
            )
        if rule_only != decision:
            notes.append(f"Sans les décisions du jury sur les UE et RCUE : {rule_only or '—'}.")
        if n_ungraded:
            s = "s" if n_ungraded > 1 else ""
            notes.append(f"Décision provisoire ({n_ungraded} module{s} non noté{s}).")
    if year_jury:
        notes.append(f"Décision du jury pour l'année : {jury_label(year_jury)}.")
    rule = " ".join([rule, *(n for n in notes if n)])
    return YearOutcome(
        rcues,
        decision,
        rule,
        rule_only,
        year_jury,
        n_ungraded > 0,
        n_ungraded,
        adsup,
        year,
    )


def _decide(
    rcues: Sequence[RCUEOutcome],
    rules: Rules,
    year: int | None,
    but1_validated: bool | None,
    missing: Sequence[int],
    missing_fails: bool,
) -> tuple[str | None, str]:
    if missing and not missing_fails:
        comps = ", ".join(str(c) for c in missing)
        return None, (
            f"Décision impossible : compétence(s) {comps} sans UE (ou UE sans coefficient) "
            "dans l'un des deux semestres de ces tableaux."
        )
    if not rcues and not missing:
        return None, "Décision impossible : aucun RCUE."
    pending = [r.competence for r in rcues if r.code is None]
    if pending and not missing_fails:
        return None, (
            f"En attente : RCUE de la compétence {', '.join(map(str, pending))} sans moyenne "
            "(une UE n'a encore aucune note)."
        )
    n = len(rcues) + (len(missing) if missing_fails else 0)
    mark, floor = fmt.number(rules.pass_mark), fmt.number(rules.rcue_floor)
    passed = sum(r.validated for r in rcues)
    by_jury = sum(r.code == ADJ for r in rcues)
    jury_text = f" (dont {by_jury} validé(s) par le jury)" if by_jury else ""
    if passed == n:
        if by_jury:
            text = f"ADM : tous les RCUE sont validés ({passed}/{n}, dont {by_jury} par le jury)."
        else:
            text = f"ADM : tous les RCUE ont une moyenne ≥ {mark} ({passed}/{n})."
        if year == FINAL_YEAR:
            text += " Année validée : diplôme si les années précédentes le sont."
        return ADM, text
    below = [r for r in rcues if not r.sufficient]
    need = pasd_minimum(n, rules)
    count = f"{passed} RCUE sur {n} ≥ {mark}{jury_text}"
    reasons = []
    if below or (missing_fails and missing):
        listed = [
            f"compétence {r.competence} : {_avg(r.average, rules)}"
            for r in below
            if r.average is not None
        ]
        listed += [f"compétence {r.competence} : sans moyenne" for r in below if r.average is None]
        listed += [f"compétence {c} : absente" for c in missing] if missing_fails else []
        reasons.append(f"RCUE < {floor} ({', '.join(listed)})")
    if passed < need:
        reasons.append(f"{count}, il en faut plus de la moitié (au moins {need})")
    if year == FINAL_YEAR:
        detail = f" ; {' ; '.join(reasons)}" if reasons else ""
        return AJ, (
            f"AJ : {count} ; en dernière année (BUT3) il n'y a pas de passage de droit, l'année "
            f"est validée quand tous les RCUE le sont{detail}. Le jury décide (RED, NAR…)."
        )
    if not reasons:
        base = f"{count} (plus de la moitié, au moins {need}) et aucun < {floor}"
        if year == 2 and but1_validated is False:
            return AJ, (
                f"AJ : les conditions du passage de droit sont réunies ({base}), mais l'entrée "
                "en BUT3 exige d'avoir validé toutes les UE du BUT1 (documentation ScoDoc, "
                "BUT.md), ce qui n'est pas le cas. Le jury décide."
            )
        text = f"PASD (passage de droit) : {base}"
        if year == 2 and but1_validated is None:
            text += ", sous réserve de la validation de toutes les UE du BUT1 (entrée en BUT3)"
        return PASD, text + "."
    return AJ, "AJ (pas de passage de droit) : " + " ; ".join(reasons) + ". Le jury décide."


def _avg(value: float | None, rules: Rules) -> str:
    if value is None:
        return fmt.MISSING
    return fmt.number(rules.shown(value, (rules.pass_mark, rules.rcue_floor)), 2)


def _tolerance_note(rcues: Sequence[RCUEOutcome], rules: Rules) -> str:
    """Averages that only the tolerance puts on one side of a mark (or, strict, that stay
    below a mark by less than ScoDoc's tolerance)."""
    items: list[tuple[str, float, float]] = []  # (name, average, mark)
    for r in rcues:
        for ue in (r.odd, r.even):
            if ue is not None and ue.average is not None:
                items.append((ue.ue or "UE", ue.average, rules.pass_mark))
        if r.average is not None:
            for mark in (rules.pass_mark, rules.rcue_floor):
                items.append((f"RCUE {r.competence}", r.average, mark))
    # below the mark, but within ScoDoc's tolerance of it
    near = [(n, a, m) for n, a, m in items if m - NOTES_TOLERANCE < a < m - EPS]
    if not near:
        return ""
    listed = ", ".join(
        f"{n} {fmt.number(rules.shown(a, (m,), 4), 4)} (seuil {fmt.number(m)})" for n, a, m in near
    )
    if rules.tolerance == SCODOC:
        return f"Tolérance ScoDoc (à 0,005 près) : {listed} compte(nt) comme atteint(s)."
    return f"Tolérance stricte : {listed} reste(nt) sous le seuil (ScoDoc les compterait atteints)."
