"""Grade simulation for one student: UE averages, RCUE compensation, year decision, grade needed.

Pure functions on polars frames shaped like the store views (``ues``, ``coefficients``); nothing
here touches DuckDB. A table is reduced to a *weights* frame (one row per UE × module with a
non-zero coefficient); coarse mode builds the same frame from two pseudo-modules per UE, so every
later step (averages, needed grade, decision) is shared by both modes.

Definitions (settings in :class:`butdata.grading.rules.Rules`):

- UE average = Σ coef × grade / Σ coef over the UE's modules that have a grade; a UE with no
  graded module has no average (``None``), never 0.
- UE code: ADM (average ≥ pass mark), CMP (below, but its RCUE reaches the pass mark), AJ
  otherwise, ``None`` without average.
- RCUE average = weighted mean of the odd and even UE averages of one competence.
- Year decision: ADM (every RCUE ≥ 10), PASD (more than half ≥ 10, none < 8), AJ otherwise;
  ``None`` (pending) while an RCUE has no average.
- Needed grade: the smallest grade *x* that, given to every not-yet-graded module of the UE (or of
  both UEs of the RCUE), brings the average to the pass mark. ``needed_status`` says how to read it:
  ``"to_reach"`` (``needed`` = x), ``"acquired"`` (reached even with the minimum grade on every
  remaining module: "déjà acquis"), ``"impossible"`` (x > maximum grade), ``"no_module_left"``
  (nothing left to grade and below the pass mark), ``"no_module"`` (the UE has no coefficient at
  all). ``needed`` is ``None`` except for ``"to_reach"``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from butdata.errors import ButdataError
from butdata.grading.rules import DEFAULT_RULES, EPS, Rules

ADM, CMP, AJ, PASD = "ADM", "CMP", "AJ", "PASD"
UE_CODE_ORDER = {AJ: 0, CMP: 1, ADM: 2}
DECISION_ORDER = {AJ: 0, PASD: 1, ADM: 2}

TO_REACH, ACQUIRED, IMPOSSIBLE, NO_MODULE_LEFT, NO_MODULE = (
    "to_reach",
    "acquired",
    "impossible",
    "no_module_left",
    "no_module",
)
NEEDED_LABELS = {
    ACQUIRED: "déjà acquis",
    IMPOSSIBLE: "impossible (> {max})",
    NO_MODULE_LEFT: "impossible (plus aucun module à noter)",
    NO_MODULE: "aucun module",
}

MODULES_MODE, COARSE_MODE = "modules", "coarse"
SAE_SUFFIX, RES_SUFFIX = ":SAE", ":RES"  # coarse pseudo-modules: "UE31:SAE", "UE31:RES"
COARSE_SHORTHANDS = {"SAE": SAE_SUFFIX, "RES": RES_SUFFIX}

WEIGHTS_SCHEMA = {
    "table_id": pl.String,
    "ue": pl.String,
    "competence": pl.Int64,
    "module_code": pl.String,
    "coefficient": pl.Float64,
}


class GradeError(ButdataError):
    """Grades that cannot be used (unknown module, out of range): message in French."""


# --------------------------------------------------------------------------- structure


def table_mode(coefficients: pl.DataFrame, table_id: str) -> str:
    """``"coarse"`` when the table's values are not all attributable to modules."""
    rows = coefficients.filter(pl.col("table_id") == table_id)
    if rows.height == 0 or rows["module_code"].null_count() > 0:
        return COARSE_MODE
    return MODULES_MODE


def coarse_code(ue: str, suffix: str) -> str:
    """Pseudo-module code of coarse mode, e.g. ``coarse_code("UE 3.1", ":SAE") == "UE3.1:SAE"``."""
    return ue.replace(" ", "") + suffix


def semester_weights(
    coefficients: pl.DataFrame, ues: pl.DataFrame, table_id: str, mode: str = "auto"
) -> tuple[pl.DataFrame, str]:
    """Weights frame (``WEIGHTS_SCHEMA``) of one table and the mode used.

    Modules mode: the table's non-zero coefficients, summed per (UE, module) in case a module is
    printed twice. Coarse mode: per UE, pseudo-module ``<UE>:SAE`` with coefficient = SAÉ share
    and ``<UE>:RES`` with 1 - share (so the UE average is share × SAÉ + (1 - share) × ressources);
    a UE with unknown share gets no weight.
    """
    if mode == "auto":
        mode = table_mode(coefficients, table_id)
    if mode == MODULES_MODE:
        frame = (
            coefficients.filter(
                (pl.col("table_id") == table_id)
                & (pl.col("coefficient") != 0)
                & pl.col("module_code").is_not_null()
            )
            .group_by("table_id", "ue", "competence", "module_code", maintain_order=True)
            .agg(pl.col("coefficient").sum())
        )
    elif mode == COARSE_MODE:
        rows = []
        for r in ues.filter(pl.col("table_id") == table_id).iter_rows(named=True):
            share = r["sae_share"]
            if share is None:
                continue
            for suffix, coef in ((SAE_SUFFIX, share), (RES_SUFFIX, 1.0 - share)):
                if coef > 0:
                    rows.append(
                        (table_id, r["ue"], r["competence"], coarse_code(r["ue"], suffix), coef)
                    )
        frame = pl.DataFrame(rows, schema=list(WEIGHTS_SCHEMA), orient="row")
    else:
        raise ValueError(f"unknown mode {mode!r}")
    return frame.select(pl.col(c).cast(t) for c, t in WEIGHTS_SCHEMA.items()), mode


def table_ues(ues: pl.DataFrame, table_id: str) -> pl.DataFrame:
    """UEs of one table in display order (competence, then source line when present)."""
    rows = ues.filter(pl.col("table_id") == table_id)
    order = [c for c in ("competence", "source_line") if c in rows.columns]
    return rows.sort(order).select("table_id", "ue", pl.col("competence").cast(pl.Int64))


# --------------------------------------------------------------------------- grades


def known_codes(
    weights: pl.DataFrame, modules: pl.DataFrame | None = None, table_ids: Sequence[str] = ()
) -> list[str]:
    """Module codes a grade may be given for: those in the weights, plus the tables' modules
    whose coefficients are all 0 (accepted, they simply count nowhere)."""
    codes = list(dict.fromkeys(weights["module_code"].to_list()))
    if modules is not None and table_ids:
        extra = modules.filter(
            pl.col("table_id").is_in(list(table_ids)) & pl.col("module_code").is_not_null()
        )
        codes += [
            c for c in extra["module_code"].unique(maintain_order=True).to_list() if c not in codes
        ]
    return codes


def normalise_grades(
    grades: Mapping[str, float], codes: Sequence[str], rules: Rules = DEFAULT_RULES
) -> dict[str, float]:
    """Check and key grades by the exact module code.

    Codes match exactly, else case-insensitively when that is unambiguous. In coarse mode
    ``SAE`` / ``RES`` give the SAÉ / ressources grade of every coarse UE not given one explicitly.
    Raises :class:`GradeError` (French message) on an unknown code or an out-of-range grade.
    """
    by_lower: dict[str, list[str]] = {}
    for c in codes:
        by_lower.setdefault(c.lower(), []).append(c)
    out: dict[str, float] = {}
    shorthand: dict[str, float] = {}
    unknown = []
    for raw, value in grades.items():
        value = _check_value(raw, value, rules)
        if raw not in codes and raw.replace(" ", "") in codes:  # "UE 3.1:SAE" -> "UE3.1:SAE"
            raw = raw.replace(" ", "")
        if raw in codes:
            out[raw] = value
        elif len(by_lower.get(raw.lower(), ())) == 1:
            out[by_lower[raw.lower()][0]] = value
        elif raw.upper() in COARSE_SHORTHANDS and any(
            c.endswith(COARSE_SHORTHANDS[raw.upper()]) for c in codes
        ):
            shorthand[COARSE_SHORTHANDS[raw.upper()]] = value
        else:
            unknown.append(raw)
    if unknown:
        shown = ", ".join(codes[:60]) + (" …" if len(codes) > 60 else "")
        raise GradeError(
            f"module(s) inconnu(s) : {', '.join(unknown)}. Modules de ces tableaux : {shown}"
        )
    for suffix, value in shorthand.items():
        for c in codes:
            if c.endswith(suffix):
                out.setdefault(c, value)
    return out


def _check_value(code: str, value, rules: Rules) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise GradeError(f"note illisible pour {code} : {value!r}") from None
    if math.isnan(v) or not rules.grade_min <= v <= rules.grade_max:
        raise GradeError(
            f"note hors de l'intervalle {_fr(rules.grade_min)}-{_fr(rules.grade_max)} "
            f"pour {code} : {value}"
        )
    return v


# --------------------------------------------------------------------------- needed grade


@dataclass(frozen=True)
class Needed:
    """Smallest uniform grade on the remaining modules reaching the pass mark (see module doc)."""

    status: str
    value: float | None = None

    def label(self, rules: Rules = DEFAULT_RULES) -> str:
        """French text: the grade (rounded up to 0.01) or the status label."""
        if self.status == TO_REACH:
            return _fr(ceil_to(self.value, 2))
        return NEEDED_LABELS[self.status].format(max=_fr(rules.grade_max))

    def to_json(self, rules: Rules = DEFAULT_RULES):
        """A number when a grade is needed, else the French label."""
        return ceil_to(self.value, 4) if self.status == TO_REACH else self.label(rules)


def needed_grade(
    parts: Sequence[tuple[float, float, float, float]], rules: Rules = DEFAULT_RULES
) -> Needed:
    """Solve for a weighted mean of UE averages (one part per UE).

    Each part is ``(weight, graded_sum, graded_coef, ungraded_coef)`` where ``graded_sum`` is
    Σ coef × grade over graded modules. With grade x on every ungraded module the mean is the
    linear ``a + b x``, so x = (pass_mark - a) / b.
    """
    total_w = sum(w for w, *_ in parts)
    if not parts or total_w <= 0 or any(g + u <= 0 for _, _, g, u in parts):
        return Needed(NO_MODULE)
    a = sum(w * s / (g + u) for w, s, g, u in parts) / total_w
    b = sum(w * u / (g + u) for w, s, g, u in parts) / total_w
    if b <= 0:
        return Needed(ACQUIRED) if a >= rules.pass_mark - EPS else Needed(NO_MODULE_LEFT)
    x = (rules.pass_mark - a) / b
    if x <= rules.grade_min + EPS:
        return Needed(ACQUIRED)
    if x > rules.grade_max + EPS:
        return Needed(IMPOSSIBLE)
    return Needed(TO_REACH, min(x, rules.grade_max))


# --------------------------------------------------------------------------- decision


def reaches(value: float | None, mark: float) -> bool:
    return value is not None and value >= mark - EPS


def ue_code(
    average: float | None, rcue_average: float | None, rules: Rules = DEFAULT_RULES
) -> str | None:
    if average is None:
        return None
    if reaches(average, rules.pass_mark):
        return ADM
    return CMP if reaches(rcue_average, rules.pass_mark) else AJ


def pasd_minimum(n_rcues: int, rules: Rules = DEFAULT_RULES) -> int:
    """Smallest count of RCUE ≥ pass mark that is *more than* ``pasd_min_fraction`` of them."""
    return math.floor(rules.pasd_min_fraction * n_rcues + EPS) + 1


def year_decision(
    rcues: Sequence[tuple[int, float | None]],
    rules: Rules = DEFAULT_RULES,
    missing: Sequence[int] = (),
) -> tuple[str | None, str]:
    """Decision and the French rule text that decided it.

    ``rcues``: (competence, average or None). ``missing``: competences lacking a UE, or with a UE without
    any coefficient, in one of the two semesters (the year cannot be decided from these tables).
    """
    if missing:
        comps = ", ".join(str(c) for c in missing)
        return None, (
            f"Décision impossible : compétence(s) {comps} sans UE (ou UE sans coefficient) "
            "dans l'un des deux semestres de ces tableaux."
        )
    if not rcues:
        return None, "Décision impossible : aucun RCUE."
    pending = [c for c, avg in rcues if avg is None]
    if pending:
        return None, (
            f"En attente : RCUE de la compétence {', '.join(map(str, pending))} sans moyenne "
            "(une UE n'a encore aucune note)."
        )
    n = len(rcues)
    mark, floor = _fr(rules.pass_mark), _fr(rules.rcue_floor)
    passed = sum(reaches(avg, rules.pass_mark) for _, avg in rcues)
    if passed == n:
        return ADM, f"ADM : tous les RCUE ont une moyenne ≥ {mark} ({passed}/{n})."
    below = [(c, avg) for c, avg in rcues if not reaches(avg, rules.rcue_floor)]
    need = pasd_minimum(n, rules)
    if passed >= need and not below:
        return PASD, (
            f"PASD (passage de droit) : {passed} RCUE sur {n} ≥ {mark} (plus de la moitié, "
            f"au moins {need}) et aucun < {floor}."
        )
    reasons = []
    if below:
        listed = ", ".join(f"compétence {c} : {_fr(floor_to(avg, 2))}" for c, avg in below)
        reasons.append(f"RCUE < {floor} ({listed})")
    if passed < need:
        reasons.append(
            f"{passed} RCUE sur {n} ≥ {mark}, il en faut plus de la moitié (au moins {need})"
        )
    return AJ, "AJ (pas de passage de droit) : " + " ; ".join(reasons) + "."


# --------------------------------------------------------------------------- one student


@dataclass(frozen=True)
class SemesterResult:
    """One table. ``ues`` columns: table_id, ue, competence, average, code, needed, needed_status,
    graded_coef, ungraded_coef, graded_sum, n_graded, n_ungraded (rows in display order)."""

    table_id: str
    mode: str
    ues: pl.DataFrame


@dataclass(frozen=True)
class SimulationResult:
    """``rcues`` columns: competence, ue_odd, ue_even, average, validated, needed, needed_status
    (empty for a single table). ``decision`` None = pending or not decidable; ``rule`` says why."""

    semesters: list[SemesterResult]
    rcues: pl.DataFrame
    decision: str | None
    rule: str
    rules: Rules = DEFAULT_RULES

    def to_json_dict(self) -> dict:
        """The CLI ``--json`` document (averages rounded down, needed grades up, to 4 decimals)."""
        return {
            "semesters": [
                {
                    "table_id": s.table_id,
                    "ues": [
                        {
                            "competence": r["competence"],
                            "ue": r["ue"],
                            "average": _json_avg(r["average"]),
                            "code": r["code"],
                            "needed": _needed_json(r["needed_status"], r["needed"], self.rules),
                        }
                        for r in s.ues.iter_rows(named=True)
                    ],
                }
                for s in self.semesters
            ],
            "rcues": [
                {"competence": r["competence"], "average": _json_avg(r["average"])}
                for r in self.rcues.iter_rows(named=True)
            ],
            "decision": self.decision,
            "rule": self.rule,
        }


UE_RESULT_SCHEMA = {
    "table_id": pl.String,
    "ue": pl.String,
    "competence": pl.Int64,
    "average": pl.Float64,
    "code": pl.String,
    "needed": pl.Float64,
    "needed_status": pl.String,
    "graded_coef": pl.Float64,
    "ungraded_coef": pl.Float64,
    "graded_sum": pl.Float64,
    "n_graded": pl.Int64,
    "n_ungraded": pl.Int64,
}
RCUE_SCHEMA = {
    "competence": pl.Int64,
    "ue_odd": pl.String,
    "ue_even": pl.String,
    "average": pl.Float64,
    "validated": pl.Boolean,
    "needed": pl.Float64,
    "needed_status": pl.String,
}


def ue_sums(
    weights: pl.DataFrame, ue_list: pl.DataFrame, grades: Mapping[str, float]
) -> pl.DataFrame:
    """Per UE of ``ue_list``: graded_sum, graded_coef, ungraded_coef, n_graded, n_ungraded, average."""
    g = pl.DataFrame(
        {"module_code": list(grades), "grade": [float(v) for v in grades.values()]},
        schema={"module_code": pl.String, "grade": pl.Float64},
    )
    graded = pl.col("grade").is_not_null()
    sums = (
        weights.join(g, on="module_code", how="left")
        .group_by("table_id", "ue")
        .agg(
            graded_sum=(pl.col("coefficient") * pl.col("grade")).filter(graded).sum(),
            graded_coef=pl.col("coefficient").filter(graded).sum(),
            ungraded_coef=pl.col("coefficient").filter(~graded).sum(),
            n_graded=graded.sum().cast(pl.Int64),
            n_ungraded=(~graded).sum().cast(pl.Int64),
        )
    )
    out = ue_list.join(sums, on=["table_id", "ue"], how="left", maintain_order="left").with_columns(
        pl.col("graded_sum", "graded_coef", "ungraded_coef").fill_null(0.0),
        pl.col("n_graded", "n_ungraded").fill_null(0),
    )
    return out.with_columns(
        average=pl.when(pl.col("graded_coef") > 0).then(
            pl.col("graded_sum") / pl.col("graded_coef")
        )
    )


@dataclass(frozen=True)
class Prepared:
    """What does not depend on the grades: per table, its mode, weights and UE list. The
    dashboard caches it per selection so that a slider move only redoes the arithmetic."""

    table_ids: tuple[str, ...]
    modes: tuple[str, ...]
    weights: tuple[pl.DataFrame, ...]
    ue_lists: tuple[pl.DataFrame, ...]


def prepare(
    coefficients: pl.DataFrame,
    ues: pl.DataFrame,
    table_ids: Sequence[str],
    modes: Mapping[str, str] | None = None,
) -> Prepared:
    """``modes``: optional table_id → "modules" | "coarse" (default: auto)."""
    if not 1 <= len(table_ids) <= 2:
        raise ValueError("one or two tables")
    used, weights, ue_lists = [], [], []
    for tid in table_ids:
        w, mode = semester_weights(coefficients, ues, tid, (modes or {}).get(tid, "auto"))
        used.append(mode)
        weights.append(w)
        ue_lists.append(table_ues(ues, tid))
    return Prepared(tuple(table_ids), tuple(used), tuple(weights), tuple(ue_lists))


def simulate(
    coefficients: pl.DataFrame,
    ues: pl.DataFrame,
    table_ids: Sequence[str],
    grades: Mapping[str, float],
    rules: Rules = DEFAULT_RULES,
    modes: Mapping[str, str] | None = None,
) -> SimulationResult:
    """Simulate one student on one table or a year (odd table, even table).

    ``grades``: module code → grade, already checked (see :func:`normalise_grades`); modules not
    given are ungraded. ``modes``: optional table_id → "modules" | "coarse" (default: auto).
    """
    return simulate_prepared(prepare(coefficients, ues, table_ids, modes), grades, rules)


def simulate_prepared(
    prepared: Prepared, grades: Mapping[str, float], rules: Rules = DEFAULT_RULES
) -> SimulationResult:
    """:func:`simulate` on a :class:`Prepared` selection."""
    sems = [
        (tid, mode, ue_sums(w, u, grades))
        for tid, mode, w, u in zip(
            prepared.table_ids, prepared.modes, prepared.weights, prepared.ue_lists
        )
    ]

    rcue_rows, missing = [], []
    if len(sems) == 2:
        rows = [{}, {}]  # competence -> UE rows of the odd / even semester
        for side, (_, _, sums) in zip(rows, sems):
            for r in sums.iter_rows(named=True):
                side.setdefault(r["competence"], []).append(r)
        for comp in sorted(set(rows[0]) | set(rows[1])):
            a, b = rows[0].get(comp, []), rows[1].get(comp, [])
            if len(a) != 1 or len(b) != 1:
                missing.append(comp)
                continue
            rcue_rows.append(_rcue_row(comp, a[0], b[0], rules))
            if rcue_rows[-1][-1] == NO_MODULE:  # a UE without any coefficient can never be graded
                missing.append(comp)
    rcues = pl.DataFrame(rcue_rows, schema=RCUE_SCHEMA, orient="row")
    rcue_avg = {r[0]: r[3] for r in rcue_rows}

    semesters = []
    for tid, mode, sums in sems:
        rows = []
        for r in sums.iter_rows(named=True):
            need = needed_grade(
                [(1.0, r["graded_sum"], r["graded_coef"], r["ungraded_coef"])], rules
            )
            rows.append(
                {
                    **r,
                    "code": ue_code(r["average"], rcue_avg.get(r["competence"]), rules),
                    "needed": need.value,
                    "needed_status": need.status,
                }
            )
        semesters.append(SemesterResult(tid, mode, pl.DataFrame(rows, schema=UE_RESULT_SCHEMA)))

    if len(sems) == 1:
        decision, rule = (
            None,
            (
                "Un seul semestre : pas de décision annuelle "
                "(indiquez aussi le tableau du semestre pair)."
            ),
        )
    else:
        decision, rule = year_decision([(r[0], r[3]) for r in rcue_rows], rules, missing)
    return SimulationResult(semesters, rcues, decision, rule, rules)


def _rcue_row(comp: int, ra: dict, rb: dict, rules: Rules) -> tuple:
    w1, w2 = rules.rcue_weights
    avg = None
    if ra["average"] is not None and rb["average"] is not None:
        avg = (w1 * ra["average"] + w2 * rb["average"]) / (w1 + w2)
    need = needed_grade(
        [
            (w1, ra["graded_sum"], ra["graded_coef"], ra["ungraded_coef"]),
            (w2, rb["graded_sum"], rb["graded_coef"], rb["ungraded_coef"]),
        ],
        rules,
    )
    return (comp, ra["ue"], rb["ue"], avg, reaches(avg, rules.pass_mark), need.value, need.status)


# --------------------------------------------------------------------------- formatting


def floor_to(x: float, digits: int) -> float:
    """Round down, tolerant of float noise (9.99999999999 shows as 10 only when it counts as 10)."""
    f = 10**digits
    return math.floor(x * f + EPS * f) / f


def ceil_to(x: float, digits: int) -> float:
    """Round up, so that obtaining the shown grade does reach the mark."""
    f = 10**digits
    return math.ceil(x * f - EPS * f) / f


def _json_avg(x: float | None) -> float | None:
    return None if x is None else floor_to(x, 4)


def _needed_json(status: str, value: float | None, rules: Rules):
    return Needed(status, value).to_json(rules)


def _fr(x: float) -> str:
    """French number: 7.5 -> "7,5", 10.0 -> "10"."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def check_year(tables: pl.DataFrame, table_ids: Sequence[str]) -> list[str]:
    """Checks that the tables exist and form a year (odd semester, then the next even semester of
    the same formation/parcours). Raises GradeError for what makes no sense; returns French
    warnings for what is merely doubtful (e.g. unknown semester)."""
    found = {r["table_id"]: r for r in tables.iter_rows(named=True)}
    unknown = [t for t in table_ids if t not in found]
    if unknown:
        raise GradeError(
            f"tableau(x) inconnu(s) : {', '.join(unknown)} "
            "(voir la vue `tables` pour les identifiants)"
        )
    if len(table_ids) != 2:
        return []
    a, b = found[table_ids[0]], found[table_ids[1]]
    warnings = []
    if a["semester"] is None or b["semester"] is None:
        warnings.append("semestre inconnu pour l'un des tableaux : appariement non vérifié")
    elif a["semester"] % 2 != 1 or b["semester"] != a["semester"] + 1:
        raise GradeError(
            f"une année = un semestre impair puis le semestre pair suivant "
            f"(reçu S{a['semester']} puis S{b['semester']})"
        )
    for key, label in (
        ("formation", "formation"),
        ("parcours", "parcours"),
        ("site", "site"),
        ("alternance", "alternance"),
    ):
        if a.get(key) is not None and b.get(key) is not None and a[key] != b[key]:
            raise GradeError(
                f"les deux tableaux ne sont pas de la même année : {label} {a[key]!r} ≠ {b[key]!r}"
            )
    return warnings
