"""« Cohorte » tab of the simulation: a cohort drawn at random or read from a grade CSV, its pass
rates per UE, RCUE and decision under the page's rules, compared with another rule setting or
another year (parcours) on the same grades; and a ScoDoc jury export decided again, with the
agreement with the recorded codes and what-ifs (tolerance, floor 8 → 7).

Computations are in :mod:`butdata.grading` (cohort, records) and figures in
:mod:`butdata.charts_cohort`; this module only lays them out (French, numbers via fmt)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl
import streamlit as st

from butdata import charts_cohort, fmt
from butdata.errors import ButdataError
from butdata.grading import cohort, records
from butdata.grading.cohort_tally import ue_average_stats
from butdata.grading.rules import DEFAULT_RULES, TOLERANCE_LABELS, Rules
from butdata.vocab import JURY_LABELS

from . import data
from .rules_panel import TOLERANCE_NAMES
from .tables import show_table
from .widgets import cell_number

BOUND: dict[str, Any] = {"bind": "query-params"}
DRAWN, CSV, JURY = "tirée au hasard", "fichier de notes (CSV)", "export de jury ScoDoc"
NOTHING, OTHER_RULES, OTHER_YEAR = "rien", "un autre réglage", "une autre année (parcours)"
ID_COLUMNS = (
    "etudiant",
    "étudiant",
    "student",
    "id",
    "etudid",
    "nom",
    "prénom",
    "prenom",
    "code_nip",
)
KINDS = {"sae": "SAÉ", "ressource": "ressources"}
DECISION_LABELS = {
    "ADM": "ADM — année validée",
    "PASD": "PASD — passage de droit",
    "AJ": "AJ — le jury décide",
    None: "en attente / non décidable",
}
BUT1 = {"inconnu": None, "oui": True, "non": False}
_cache = st.cache_data(show_spinner=False, max_entries=32, ttl=3600)


# --------------------------------------------------------------------------- computations


@_cache
def _drawn(
    key: str,
    table_ids: tuple[str, ...],
    n: int,
    mean: float,
    spread: float,
    seed: int,
    ungraded: float,
    per_kind: tuple[tuple[str, float, float], ...],
    per_module: tuple[tuple[str, float, float], ...] = (),
) -> np.ndarray:
    structure = data.cohort_structure(table_ids)
    return cohort.draw_grades(
        structure,
        n,
        mean,
        spread,
        per_module={k: (m, s) for k, m, s in per_module},
        seed=seed,
        ungraded_rate=ungraded,
        per_kind={k: (m, s) for k, m, s in per_kind},
    )


def _rate(share: float | None) -> str:
    """A pass rate with one decimal (« 85,7 % »)."""
    return fmt.percent(share, 1)


def _run(
    structure: cohort.CohortStructure, grades: np.ndarray, rules: Rules, but1: bool | None
) -> cohort.CohortResult:
    return cohort.simulate_cohort(structure, grades, rules, but1)


def regrade(
    grades: np.ndarray, source: cohort.CohortStructure, target: cohort.CohortStructure, seed: int
) -> np.ndarray:
    """The same students on another year: a module of both keeps its grades, a module only in
    ``target`` is drawn (same spread as the cohort, seeded) — or ungraded for grades read from a
    file (``seed`` < 0)."""
    out = np.full((grades.shape[0], len(target.module_codes)), np.nan, dtype=grades.dtype)
    index = {c: j for j, c in enumerate(source.module_codes)}
    rng = np.random.default_rng(seed if seed >= 0 else 0)
    mu = float(np.nanmean(grades)) if np.isfinite(grades).any() else 10.0
    sd = float(np.nanstd(grades)) if np.isfinite(grades).any() else 3.0
    for j, code in enumerate(target.module_codes):
        if code in index:
            out[:, j] = grades[:, index[code]]
        elif seed >= 0:
            out[:, j] = np.clip(rng.normal(mu, sd, grades.shape[0]), 0, 20)
    return out


# --------------------------------------------------------------------------- tables


def decisions_table(result: cohort.CohortResult) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "décision": [
                DECISION_LABELS.get(d, str(d)) for d in result.decisions["decision"].to_list()
            ],
            "étudiants": [fmt.integer(int(c)) for c in result.decisions["count"].to_list()],
            "part": [_rate(float(s)) for s in result.decisions["share"].to_list()],
        }
    )


def ues_table(result: cohort.CohortResult) -> pl.DataFrame:
    r = result.ues
    return pl.DataFrame(
        {
            "UE": r["ue"].to_list(),
            "compétence": r["competence"].to_list(),
            "moyenne": [fmt.number(x) for x in r["mean"].to_list()],
            "validée": [_rate(x) for x in r["passed"].to_list()],
            "dont compensée (CMP)": [_rate(x) for x in r["cmp"].to_list()],
            "non validée (AJ)": [_rate(x) for x in r["aj"].to_list()],
            "sans moyenne": [_rate(x) for x in r["pending"].to_list()],
        }
    )


def rcues_table(result: cohort.CohortResult, rules: Rules) -> pl.DataFrame:
    r = result.rcues
    return pl.DataFrame(
        {
            "compétence": r["competence"].to_list(),
            "moyenne": [fmt.number(x) for x in r["mean"].to_list()],
            f"validé (≥ {fmt.number(rules.pass_mark)})": [_rate(x) for x in r["passed"].to_list()],
            f"sous {fmt.number(rules.rcue_floor)}": [_rate(x) for x in r["below_floor"].to_list()],
            "sans moyenne": [_rate(x) for x in r["pending"].to_list()],
        }
    )


# --------------------------------------------------------------------------- page parts


def render(table_ids: Sequence[str], rules: Rules, formation: str | None = None) -> None:
    """The whole tab for one table or a year (the page's selection)."""
    table_ids = tuple(table_ids)
    structure = data.cohort_structure(table_ids)
    source = st.radio("Cohorte", [DRAWN, CSV, JURY], key="c_source", horizontal=True, **BOUND)
    if source == JURY:
        render_jury_export(rules)
        return
    if not structure.module_codes:
        st.warning("Ce choix n'a aucun module à noter : pas de cohorte possible.")
        return
    but1 = None
    if structure.year == 2:
        choice = st.radio(
            "UE du BUT1 toutes validées ? (entrée en BUT3)",
            list(BUT1),
            key="c_but1",
            horizontal=True,
            help="« inconnu » : le passage de droit est compté sous réserve.",
            **BOUND,
        )
        but1 = BUT1[str(choice)]
    if source == DRAWN:
        grades, seed = _draw_controls(table_ids, structure)
    else:
        grades, seed = _csv_controls(structure), -1
        if grades is None:
            return
    result = _run(structure, grades, rules, but1)
    _results(structure, result, rules)
    _compare(structure, grades, seed, rules, but1, formation, result)


def _draw_controls(
    table_ids: tuple[str, ...], structure: cohort.CohortStructure
) -> tuple[np.ndarray, int]:
    c1, c2, c3, c4, c5 = st.columns(5)
    n = int(c1.number_input("Étudiants", 10, 100_000, 500, 100, key="c_n", **BOUND))
    mean = float(c2.number_input("Moyenne des notes", 0.0, 20.0, 11.0, 0.5, key="c_moy", **BOUND))
    spread = float(c3.number_input("Écart-type", 0.0, 10.0, 3.5, 0.5, key="c_et", **BOUND))
    seed = int(c4.number_input("Graine du tirage", 0, 1_000_000, 1, 1, key="c_graine", **BOUND))
    ungraded = float(
        c5.number_input(
            "Part non notée",
            0.0,
            0.9,
            0.0,
            0.05,
            key="c_nonnote",
            help="Notes pas encore saisies (décisions provisoires).",
            **BOUND,
        )
    )
    per_kind = []
    with st.expander("Moyenne et écart-type par type de module"):
        for kind, label in KINDS.items():
            k1, k2, k3 = st.columns([1, 1, 1])
            on = k1.checkbox(f"Réglage propre aux {label}", key=f"c_{kind}", **BOUND)
            m = k2.number_input(
                f"Moyenne ({label})",
                0.0,
                20.0,
                mean,
                0.5,
                key=f"c_{kind}_moy",
                disabled=not on,
                **BOUND,
            )
            s = k3.number_input(
                f"Écart-type ({label})",
                0.0,
                10.0,
                spread,
                0.5,
                key=f"c_{kind}_et",
                disabled=not on,
                **BOUND,
            )
            if on:
                per_kind.append((kind, float(m), float(s)))
    per_module = []
    with st.expander("Moyenne et écart-type par module"):
        st.caption("Laissez vide pour garder le réglage général (ou celui du type de module).")
        frame = pl.DataFrame(
            {
                "module": list(structure.module_codes),
                "moyenne": [None] * len(structure.module_codes),
                "écart-type": [None] * len(structure.module_codes),
            },
            schema={"module": pl.String, "moyenne": pl.Float64, "écart-type": pl.Float64},
        )
        edited = st.data_editor(
            frame, key="c_modules", hide_index=True, disabled=["module"], width="stretch"
        )
        rows = (
            edited.to_dicts()
            if isinstance(edited, pl.DataFrame)
            else pl.DataFrame(edited).to_dicts()
        )
        for r in rows:
            m, sd = cell_number(r.get("moyenne")), cell_number(r.get("écart-type"))
            if m is not None or sd is not None:
                per_module.append(
                    (
                        r["module"],
                        min(max(m if m is not None else mean, 0.0), 20.0),
                        max(sd if sd is not None else spread, 0.0),
                    )
                )
    grades = _drawn(
        data.store_key(),
        table_ids,
        n,
        mean,
        spread,
        seed,
        ungraded,
        tuple(per_kind),
        tuple(per_module),
    )
    st.caption(
        f"{fmt.integer(n)} étudiants tirés (loi normale bornée à 0-20, graine {seed}) sur "
        f"{len(structure.module_codes)} modules : le même réglage redonne la même cohorte."
    )
    return grades, seed


def _csv_controls(structure: cohort.CohortStructure) -> np.ndarray | None:
    st.caption(
        "Une ligne par étudiant, une colonne par module (son code, ou son intitulé s'il n'a pas "
        "de code) ; cellule vide = non noté ; virgule décimale acceptée ; une colonne "
        "« etudiant » (ou id, nom…) est ignorée. Modules : "
        + ", ".join(structure.module_codes[:40])
        + (" …" if len(structure.module_codes) > 40 else "")
    )
    uploaded = st.file_uploader("Fichier CSV de notes", type=["csv"], key="c_csv")
    pasted = st.text_area("… ou collez le CSV", key="c_csv_text", height=120)
    if uploaded is None and not pasted.strip():
        st.info("Déposez un fichier de notes (ou collez son contenu) pour voir la cohorte.")
        return None
    raw = uploaded.getvalue() if uploaded is not None else pasted.encode("utf-8")
    name = uploaded.name if uploaded is not None else "CSV collé"
    first = raw.decode("utf-8-sig", errors="replace").splitlines()[0] if raw.strip() else ""
    columns = [c.strip() for c in first.replace(";", ",").split(",")]
    extra = [c for c in columns if c.lower() in ID_COLUMNS]
    try:
        return cohort.read_grades_csv(io.BytesIO(raw), structure, DEFAULT_RULES, extra, name=name)
    except ButdataError as exc:
        st.error(f"Notes illisibles : {exc}")
        return None


def _results(structure: cohort.CohortStructure, result: cohort.CohortResult, rules: Rules) -> None:
    n = result.n_students
    if structure.is_year:
        shares = dict(
            zip(result.decisions["decision"].to_list(), result.decisions["share"].to_list())
        )
        cols = st.columns(5)
        cols[0].metric("Étudiants", fmt.integer(n))
        for col, d in zip(cols[1:], ("ADM", "PASD", "AJ", None)):
            col.metric(DECISION_LABELS[d], _rate(shares.get(d, 0.0)))
        if result.provisional:
            st.caption(
                "Décisions provisoires (un module au moins non noté) : "
                f"{_rate(result.provisional)} des étudiants."
            )
        if structure.year == 3:
            st.caption("BUT3 : pas de passage de droit après la dernière année.")
    else:
        st.info(
            "Un seul semestre : taux par UE seulement (choisissez une année pour les RCUE et les décisions)."
        )
    left, right = st.columns([3, 2])
    with left:
        st.plotly_chart(
            charts_cohort.ue_distribution(
                ue_average_stats(structure.ues, result.arrays),
                rules.pass_mark,
                rules.rcue_floor if structure.is_year else None,
            ),
            width="stretch",
            key="c_distribution",
            config={"displaylogo": False},
        )
    with right:
        st.markdown("**UE validées**")
        show_table(ues_table(result), hide_index=True, width="stretch")
    if structure.is_year:
        st.markdown("**RCUE**")
        show_table(rcues_table(result, rules), hide_index=True, width="stretch")


def _compare(
    structure: cohort.CohortStructure,
    grades: np.ndarray,
    seed: int,
    rules: Rules,
    but1: bool | None,
    formation: str | None,
    base: cohort.CohortResult,
) -> None:
    if not structure.is_year:
        return
    st.markdown("#### Comparer, sur les mêmes notes")
    what = st.radio(
        "Comparer avec",
        [NOTHING, OTHER_RULES, OTHER_YEAR],
        key="c_comparer",
        horizontal=True,
        **BOUND,
    )
    if what == OTHER_RULES:
        c1, c2, c3 = st.columns(3)
        names = list(TOLERANCE_NAMES)
        tol_name = c1.selectbox(
            "Tolérance",
            names,
            index=1 if rules.tolerance == "scodoc" else 0,
            key="c_alt_tol",
            help=" ; ".join(f"{n} : {TOLERANCE_LABELS[t]}" for n, t in TOLERANCE_NAMES.items()),
            **BOUND,
        )
        tol = TOLERANCE_NAMES[str(tol_name)]
        floor = c2.number_input(
            "Plancher d'un RCUE", 0.0, 20.0, 7.0, 0.5, key="c_alt_plancher", **BOUND
        )
        mark = c3.number_input(
            "Note de validation", 0.0, 20.0, rules.pass_mark, 0.5, key="c_alt_seuil", **BOUND
        )
        try:
            other_rules = rules.with_changes(
                tolerance=str(tol), rcue_floor=float(floor), pass_mark=float(mark)
            )
        except ValueError:
            st.error("Réglage impossible : le plancher dépasse la note de validation.")
            return
        other = _run(structure, grades, other_rules, but1)
        _side_by_side({"réglage de la page": base, "autre réglage": other})
    elif what == OTHER_YEAR and formation:
        options = data.year_options(formation)
        years = options.filter(pl.col("kind") == "année")
        labels = [
            lab
            for lab, ids in zip(years["label"].to_list(), years["table_ids"].to_list())
            if tuple(ids) != structure.table_ids
        ]
        if not labels:
            st.info("Aucune autre année pour cette formation.")
            return
        label = st.selectbox(
            "Autre année (parcours)", labels, key="c_autre_annee", **BOUND, placeholder="Choisir…"
        )
        ids = tuple(years.filter(pl.col("label") == label)["table_ids"][0].to_list())
        target = data.cohort_structure(ids)
        other = _run(
            target, regrade(grades, structure, target, seed + 1 if seed >= 0 else -1), rules, but1
        )
        common = len(set(structure.module_codes) & set(target.module_codes))
        st.caption(
            f"{common} module(s) communs gardent leurs notes ; les autres sont "
            + (
                "tirés avec la même moyenne et le même écart-type."
                if seed >= 0
                else "non notés (absents du fichier)."
            )
        )
        _side_by_side({"année de la page": base, str(label): other})


def _side_by_side(results: dict[str, cohort.CohortResult]) -> None:
    st.plotly_chart(
        charts_cohort.decision_shares({k: r.decisions for k, r in results.items()}),
        width="stretch",
        key="c_decisions_compare",
        config={"displaylogo": False},
    )
    rows = []
    for name, r in results.items():
        shares = dict(zip(r.decisions["decision"].to_list(), r.decisions["share"].to_list()))
        rows.append(
            {
                "scénario": name,
                **{
                    DECISION_LABELS[d]: _rate(shares.get(d, 0.0))
                    for d in ("ADM", "PASD", "AJ", None)
                },
            }
        )
    show_table(pl.DataFrame(rows), hide_index=True, width="stretch")


# --------------------------------------------------------------------------- ScoDoc export


def what_ifs(recs: Sequence[records.StudentRecord], rules: Rules, scodoc: bool) -> pl.DataFrame:
    """Agreement and changed decisions under the page's rules and three alternatives."""
    base = records.decide_records(recs, rules, scodoc)
    strict = rules.with_changes(tolerance="strict")
    floor = min(7.0, rules.pass_mark)
    scenarios = {
        "réglage de la page": rules,
        "tolérance stricte": strict,
        f"plancher {fmt.number(floor)}": rules.with_changes(rcue_floor=floor),
        f"tolérance stricte, plancher {fmt.number(floor)}": strict.with_changes(rcue_floor=floor),
    }
    rows = []
    for name, r in scenarios.items():
        out = base if r == rules else records.decide_records(recs, r, scodoc)
        summary = records.agreement(out) if scodoc else None
        changed = sum(a["decision"] != b["decision"] for a, b in zip(base, out))
        rows.append(
            {
                "scénario": name,
                "accord": _rate(summary["rate"])
                if summary and summary["rate"] is not None
                else fmt.MISSING,
                "décisions changées": fmt.integer(changed),
                **{
                    d: fmt.integer(sum(o["decision"] == d for o in out))
                    for d in ("ADM", "PASD", "AJ")
                },
            }
        )
    return pl.DataFrame(rows)


def render_jury_export(rules: Rules) -> None:
    st.caption(
        "Export de jury ScoDoc 9 (API formsemestre/<id>/decisions_jury), ou notre format : JSON "
        "ou CSV de moyennes d'UE. Les décisions sont recalculées à partir des moyennes d'UE et des "
        "décisions du jury sur les RCUE, puis comparées aux codes enregistrés (RED et NAR "
        "comptent comme AJ)."
    )
    uploaded = st.file_uploader(
        "Export de jury (JSON) ou moyennes d'UE (CSV)", type=["json", "csv"], key="c_jury"
    )
    pasted = st.text_area("… ou collez son contenu", key="c_jury_text", height=120)
    if uploaded is None and not pasted.strip():
        st.info("Déposez un export de jury pour le comparer aux règles.")
        return
    name = (
        uploaded.name
        if uploaded is not None
        else ("export.csv" if not pasted.lstrip().startswith(("[", "{")) else "export.json")
    )
    text = (
        uploaded.getvalue().decode("utf-8-sig", errors="replace")
        if uploaded is not None
        else pasted
    )
    try:
        recs, kind = records.read_records(name, text)
    except ButdataError as exc:
        st.error(f"Export illisible : {exc}")
        return
    scodoc = kind == records.SCODOC_FORMAT
    out = records.decide_records(recs, rules, scodoc)
    st.caption(f"{fmt.integer(len(out))} étudiant(s) — {records.FORMAT_LABELS[kind]}.")
    if scodoc:
        summary = records.agreement(out)
        c = st.columns(4)
        c[0].metric(
            "Accord avec le jury",
            _rate(summary["rate"]) if summary["rate"] is not None else fmt.MISSING,
        )
        c[1].metric("Décisions comparées", fmt.integer(summary["compared"]))
        c[2].metric("Décisions du jury (ADJ, PAS1NCI)", fmt.integer(summary["jury_decisions"]))
        c[3].metric(
            "Non comparées",
            fmt.integer(summary["stopped"] + summary["no_decision"] + summary["other"]),
        )
        st.markdown("**Codes enregistrés × décisions calculées**")
        show_table(agreement_table(summary), hide_index=True, width="stretch")
    st.markdown("**Et si… (mêmes moyennes, autres règles)**")
    show_table(what_ifs(recs, rules, scodoc), hide_index=True, width="stretch")
    st.markdown("**Par étudiant**")
    show_table(students_table(out, scodoc), hide_index=True, width="stretch")


def agreement_table(summary: dict[str, Any]) -> pl.DataFrame:
    rows = []
    for p in summary["pairs"]:
        rec = p["recorded"]
        cls = records.RECORDED_CLASS.get(rec)
        verdict = "accord" if cls == p["computed"] else ("désaccord" if cls else "non comparé")
        rows.append(
            {
                "code enregistré": f"{rec} — {JURY_LABELS.get(rec, '')}" if rec else "aucun",
                "décision calculée": p["computed"] or fmt.MISSING,
                "étudiants": fmt.integer(p["count"]),
                "verdict": verdict,
            }
        )
    return pl.DataFrame(
        rows, schema=["code enregistré", "décision calculée", "étudiants", "verdict"]
    )


def students_table(out: Sequence[dict[str, Any]], scodoc: bool) -> pl.DataFrame:
    rows = []
    for o in out:
        row = {
            "étudiant": str(o["student"]),
            "RCUE": " · ".join(
                f"C{r['competence']} {fmt.number(r['average'])} {r['code'] or fmt.MISSING}"
                for r in o["rcues"]
            ),
            "décision calculée": o["decision"] or fmt.MISSING,
        }
        if scodoc:
            row["code enregistré"] = o["recorded"] or fmt.MISSING
            row["accord"] = {True: "oui", False: "non", None: fmt.MISSING}[o["agrees"]]
        row["règle"] = o["rule"]
        rows.append(row)
    return pl.DataFrame(rows)
