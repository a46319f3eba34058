"""What the grade engines need from one table or one year, defined once.

- **Module keys**: a module is keyed by its printed code, or by its printed name when the source
  prints no code (the block layout of some PDFs); a value is attributable to a module when it
  has either. :func:`module_key`.
- **Simplified mode** (« mode simplifié »: the values cannot be attributed to modules): one
  SAÉ grade and one ressources grade per UE, weighted by the UE's SAÉ share.
  :func:`coarse_modules` is the only definition; the weights, the sliders of the page and the CLI
  all read it.
- **RCUE pairing**: the UE of competence *c* in the odd table pairs with the UE of competence *c*
  in the even table (UE31 with UE41); a competence without exactly one UE with coefficients on
  each side cannot form an RCUE. :func:`pair_rcues`, used by the single-student engine and the
  cohorts.
- **Year**: S1+S2 → 1, S3+S4 → 2, S5+S6 → 3, from the tables' semesters, else from the UE codes
  (UE31 is semester 3). :func:`infer_year`.

Pure functions on polars frames shaped like the store views; nothing here touches DuckDB.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from butdata import fmt
from butdata.errors import ButdataError
from butdata.grading.jury import year_of_semester
from butdata.grading.rules import DEFAULT_RULES, Rules
from butdata.vocab import parse_ue_code

MODULES_MODE, COARSE_MODE = "modules", "coarse"
MODE_LABELS = {MODULES_MODE: "par module", COARSE_MODE: "mode simplifié : SAÉ / ressources"}
SAE_SUFFIX, RES_SUFFIX = ":SAE", ":RES"  # simplified-mode pseudo-modules: "UE31:SAE", "UE31:RES"
COARSE_SHORTHANDS = {"SAE": SAE_SUFFIX, "RES": RES_SUFFIX}
COARSE_REASON = (
    "Mode simplifié : une note pour les SAÉ et une pour les ressources de chaque UE, pondérées "
    "par la part SAÉ de l'UE."
)

WEIGHTS_SCHEMA = {
    "table_id": pl.String,
    "ue": pl.String,
    "competence": pl.Int64,
    "module_code": pl.String,  # the module key (code, else name)
    "coefficient": pl.Float64,
}


class GradeError(ButdataError):
    """Grades that cannot be used (unknown module, out of range): message in French."""


def module_key(code: str | None, name: str | None = None) -> str | None:
    """How a module is named to the engines: its code, else its name, else ``None``."""
    for text in (code, name):
        if text is not None and text.strip():
            return text.strip()
    return None


def module_key_expr(frame: pl.DataFrame) -> pl.Expr:
    """Polars expression of :func:`module_key` on a frame with module_code (and module_name)."""
    code = pl.col("module_code").str.strip_chars()
    code = pl.when(code != "").then(code)
    if "module_name" not in frame.columns:
        return code
    name = pl.col("module_name").str.strip_chars()
    return pl.coalesce(code, pl.when(name != "").then(name))


def table_mode(coefficients: pl.DataFrame, table_id: str) -> str:
    """``"coarse"`` (simplified) when some value of the table has neither code nor name."""
    rows = coefficients.filter(pl.col("table_id") == table_id)
    if rows.height == 0 or rows.select(module_key_expr(rows).is_null().any()).item():
        return COARSE_MODE
    return MODULES_MODE


def coarse_code(ue: str, suffix: str) -> str:
    """Pseudo-module code of simplified mode, e.g. ``coarse_code("UE 3.1", ":SAE") ==
    "UE3.1:SAE"``."""
    return ue.replace(" ", "") + suffix


@dataclass(frozen=True)
class CoarseModule:
    """One pseudo-module of simplified mode: the SAÉ or the ressources of a UE."""

    code: str
    table_id: str
    ue: str
    competence: int
    what: str  # "SAÉ" | "ressources"
    weight: float  # share of the UE average
    sae_share: float
    source_line: int | None

    @property
    def label(self) -> str:
        return f"Moyenne des {self.what} ({fmt.percent(self.weight, 0)})"

    @property
    def help(self) -> str:
        line = f" (ligne {self.source_line})" if self.source_line is not None else ""
        return f"{self.ue} : part SAÉ {fmt.percent(self.sae_share, 1)}{line}"


def coarse_modules(ues: pl.DataFrame, table_id: str) -> tuple[list[CoarseModule], list[str]]:
    """Pseudo-modules of a table in simplified mode (UE order), and the UEs whose SAÉ share is
    unknown (no simulation possible for them)."""
    out, unknown = [], []
    rows = ues.filter(pl.col("table_id") == table_id)
    order = [c for c in ("competence", "source_line") if c in rows.columns]
    for r in rows.sort(order).iter_rows(named=True):
        share = r.get("sae_share")
        if share is None:
            unknown.append(r["ue"])
            continue
        for suffix, what, weight in (
            (SAE_SUFFIX, "SAÉ", share),
            (RES_SUFFIX, "ressources", 1 - share),
        ):
            if weight > 0:
                out.append(
                    CoarseModule(
                        coarse_code(r["ue"], suffix),
                        table_id,
                        r["ue"],
                        int(r["competence"]),
                        what,
                        float(weight),
                        float(share),
                        r.get("source_line"),
                    )
                )
    return out, unknown


def semester_weights(
    coefficients: pl.DataFrame, ues: pl.DataFrame, table_id: str, mode: str = "auto"
) -> tuple[pl.DataFrame, str]:
    """Weights frame (``WEIGHTS_SCHEMA``) of one table and the mode used.

    Modules mode: the table's non-zero coefficients, summed per (UE, module key) in case a module
    is printed twice. Simplified mode: :func:`coarse_modules` (UE average = share × SAÉ +
    (1 - share) × ressources; a UE with unknown share gets no weight).
    """
    if mode == "auto":
        mode = table_mode(coefficients, table_id)
    if mode == MODULES_MODE:
        rows = coefficients.filter(pl.col("table_id") == table_id)
        frame = (
            rows.with_columns(module_code=module_key_expr(rows))
            .filter((pl.col("coefficient") != 0) & pl.col("module_code").is_not_null())
            .group_by("table_id", "ue", "competence", "module_code", maintain_order=True)
            .agg(pl.col("coefficient").sum())
        )
    elif mode == COARSE_MODE:
        mods, _ = coarse_modules(ues, table_id)
        frame = pl.DataFrame(
            [(m.table_id, m.ue, m.competence, m.code, m.weight) for m in mods],
            schema=list(WEIGHTS_SCHEMA),
            orient="row",
        )
    else:
        raise ValueError(f"unknown mode {mode!r}")
    return frame.select(pl.col(c).cast(t) for c, t in WEIGHTS_SCHEMA.items()), mode


def table_ues(ues: pl.DataFrame, table_id: str) -> pl.DataFrame:
    """UEs of one table in display order (competence, then source line when present)."""
    rows = ues.filter(pl.col("table_id") == table_id)
    order = [c for c in ("competence", "source_line") if c in rows.columns]
    return rows.sort(order).select("table_id", "ue", pl.col("competence").cast(pl.Int64))


def pair_rcues(
    ue_rows: Sequence[tuple[str, str, int]],
    table_ids: Sequence[str],
    has_weight: Sequence[bool],
) -> tuple[tuple[tuple[int, int, int], ...], tuple[int, ...]]:
    """RCUEs of a year: ``(competence, odd UE index, even UE index)`` into ``ue_rows`` (rows of
    both tables, odd first), and the competences that cannot form one (no UE, several UEs, or a
    UE without any coefficient, in one of the two semesters)."""
    if len(table_ids) != 2:
        return (), ()
    by_comp: list[dict[int, list[int]]] = [{}, {}]
    for j, (t, _, comp) in enumerate(ue_rows):
        by_comp[list(table_ids).index(t)].setdefault(comp, []).append(j)
    pairs, missing = [], []
    for comp in sorted(set(by_comp[0]) | set(by_comp[1])):
        a, b = by_comp[0].get(comp, []), by_comp[1].get(comp, [])
        if len(a) == 1 and len(b) == 1 and has_weight[a[0]] and has_weight[b[0]]:
            pairs.append((comp, a[0], b[0]))
        else:
            missing.append(comp)
    return tuple(pairs), tuple(missing)


def infer_year(
    ues: pl.DataFrame, table_ids: Sequence[str], semesters: Sequence[int | None] = ()
) -> int | None:
    """B.U.T. year of a table or a year: from the first table's semester, else from its UE codes
    (UE31 → semester 3 → year 2); ``None`` when neither says."""
    if semesters and semesters[0] is not None:
        return year_of_semester(semesters[0])
    found = set()
    for ue in ues.filter(pl.col("table_id") == table_ids[0])["ue"].to_list():
        parsed = parse_ue_code(str(ue))
        if parsed is not None:
            found.add(year_of_semester(parsed[0]))
    return found.pop() if len(found) == 1 else None


def semesters_of(tables: pl.DataFrame, table_ids: Sequence[str]) -> list[int | None]:
    """Semesters of these tables, in the order given (``None`` when unknown or absent)."""
    sem = dict(zip(tables["table_id"].to_list(), tables["semester"].to_list()))
    return [sem.get(t) for t in table_ids]


# --------------------------------------------------------------------------- grades


def known_codes(
    weights: pl.DataFrame, modules: pl.DataFrame | None = None, table_ids: Sequence[str] = ()
) -> list[str]:
    """Module keys a grade may be given for: those in the weights, plus the tables' modules
    whose coefficients are all 0 (accepted, they simply count nowhere)."""
    codes = list(dict.fromkeys(weights["module_code"].to_list()))
    if modules is not None and table_ids:
        extra = modules.filter(pl.col("table_id").is_in(list(table_ids)))
        keys = extra.select(module_key_expr(extra).alias("k"))["k"].drop_nulls()
        codes += [c for c in keys.unique(maintain_order=True).to_list() if c not in codes]
    return codes


def normalise_grades(
    grades: Mapping[str, float | str], codes: Sequence[str], rules: Rules = DEFAULT_RULES
) -> dict[str, float]:
    """Check and key grades by the exact module key.

    Keys match exactly, else case-insensitively when that is unambiguous. In simplified mode
    ``SAE`` / ``RES`` give the SAÉ / ressources grade of every UE not given one explicitly.
    Raises :class:`GradeError` (French message) on an unknown module or an out-of-range grade.
    """
    by_lower: dict[str, list[str]] = {}
    for c in codes:
        by_lower.setdefault(c.lower(), []).append(c)
    out: dict[str, float] = {}
    shorthand: dict[str, float] = {}
    unknown = []
    for raw, given in grades.items():
        value = _check_value(raw, given, rules)
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


def _check_value(code: str, value: Any, rules: Rules) -> float:
    try:
        v = float(str(value).replace(",", ".")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise GradeError(f"note illisible pour {code} : {value!r}") from None
    if math.isnan(v) or not rules.grade_min <= v <= rules.grade_max:
        raise GradeError(
            f"note hors de l'intervalle {fmt.number(rules.grade_min)}-"
            f"{fmt.number(rules.grade_max)} pour {code} : {value}"
        )
    return v


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


# --------------------------------------------------------------------------- prepared


@dataclass(frozen=True)
class Prepared:
    """What does not depend on the grades: per table its mode, weights and UE list; the UEs of
    both tables, which modules feed each, the RCUE pairs and the year. The dashboard caches it per
    selection so that a slider move only redoes the arithmetic."""

    table_ids: tuple[str, ...]
    modes: tuple[str, ...]
    weights: tuple[pl.DataFrame, ...]
    ue_lists: tuple[pl.DataFrame, ...]
    ues: tuple[tuple[str, str, int], ...]  # (table_id, ue, competence), display order
    feeds: tuple[tuple[tuple[str, float], ...], ...]  # per UE: (module key, coefficient)
    pairs: tuple[tuple[int, int, int], ...]
    missing: tuple[int, ...]
    modules: tuple[str, ...]  # keys of the modules with a weight, first seen first
    year: int | None


def prepare(
    coefficients: pl.DataFrame,
    ues: pl.DataFrame,
    table_ids: Sequence[str],
    modes: Mapping[str, str] | None = None,
    year: int | None = None,
) -> Prepared:
    """``modes``: optional table_id → "modules" | "coarse" (default: auto). ``year``: the B.U.T.
    year (1-3) when known from the tables' semesters, else inferred from the UE codes."""
    if not 1 <= len(table_ids) <= 2:
        raise ValueError("one or two tables")
    used, weights, ue_lists = [], [], []
    for tid in table_ids:
        w, mode = semester_weights(coefficients, ues, tid, (modes or {}).get(tid, "auto"))
        used.append(mode)
        weights.append(w)
        ue_lists.append(table_ues(ues, tid))
    ue_rows = [(str(t), str(u), int(c)) for frame in ue_lists for t, u, c in frame.iter_rows()]
    feeds: dict[tuple[str, str], dict[str, float]] = {(t, u): {} for t, u, _ in ue_rows}
    modules: dict[str, None] = {}
    for w in weights:
        for t, u, _, m, c in w.iter_rows():
            mods = feeds.setdefault((t, u), {})
            mods[m] = mods.get(m, 0.0) + float(c)
            modules[m] = None
    feed_list = tuple(tuple(feeds[(t, u)].items()) for t, u, _ in ue_rows)
    pairs, missing = pair_rcues(ue_rows, table_ids, [bool(f) for f in feed_list])
    if year is None:
        year = infer_year(ues, table_ids)
    return Prepared(
        tuple(table_ids),
        tuple(used),
        tuple(weights),
        tuple(ue_lists),
        tuple(ue_rows),
        feed_list,
        pairs,
        missing,
        tuple(modules),
        year,
    )
