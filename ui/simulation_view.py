"""The simulation's widgets and results, from plain data.

Split in three so that a benchmark "floor" script can render exactly the same widgets and
figures from constants, with no store and no computation:

- :func:`build_spec` (pure, cached by the page): which sliders, grouped how, from the frames of
  one table or one year;
- :func:`render_controls` (Streamlit): presets and one slider per module, returns the grades;
- :func:`to_view` (pure) turns a :class:`butdata.grading.student.SimulationResult` into plain dicts,
  and :func:`render_results` (Streamlit) draws them.

:func:`render` lays them out (sliders on the left, results in a column beside them that stays
on screen, so a slider and the averages it moves are seen together). A floor script calls
``render(SPEC, lambda grades: VIEW)``.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence

import polars as pl
import streamlit as st

from butdata import charts, fmt
from butdata.analysis.compare import UNATTRIBUTED_REASON
from butdata.grading import student as sim
from butdata.grading.structure import coarse_modules, infer_year, module_key_expr, semesters_of
from butdata.vocab import JURY_LABELS, KIND_LABELS

from . import state

NOT_GRADED = "non noté"
# A slider's options are the labels themselves (« 12,25 »: the slider and the URL say them),
# read back as grades through a dict: given numbers and a format_func, Streamlit formats the 82
# options of each slider on every rerun and finds the value by float comparisons.
GRADE_OF: dict[str, float] = {fmt.number(i * 0.25, 2): i * 0.25 for i in range(81)}
GRADE_OPTIONS: list[str] = [NOT_GRADED, *GRADE_OF]
KIND_ORDER = ["SAÉ", "ressource", "portfolio", "stage", "autre", "non identifié"]
CODE_TEXT = {
    "ADM": "validée",
    "CMP": "compensée",
    "AJ": "non validée",
    "ADJ": "validée par le jury",
    "ADJR": "validée (RCUE validé par le jury)",
    None: "pas de note",
}
COMPENSATED = "validée par compensation (RCUE ≥ 10)"
DECISION_TEXT = {
    "ADM": "ADM — année validée",
    "PASD": "PASD — passage de droit",
    "AJ": "AJ — pas de passage de droit",
    None: "pas de décision",
}


def slider_key(code: str) -> str:
    """Widget key (and URL parameter) of a module's grade."""
    return f"n_{code}"


def _shown(x: float | None, rules, marks) -> str:
    """An average as displayed: consistent with its code (see Rules.shown)."""
    return fmt.MISSING if x is None else fmt.number(rules.shown(x, marks, 2), 2)


# --------------------------------------------------------------------------- spec (pure)


def build_spec(
    tables: pl.DataFrame,
    coefficients: pl.DataFrame,
    ues: pl.DataFrame,
    modules: pl.DataFrame,
    table_ids: Sequence[str],
) -> dict:
    """Plain description of the sliders of one table or a year (odd, even).

    ``{"semesters": [{table_id, title, mode, note, groups: [{title, modules: [{code, label,
    help}]}]}], "codes": [...], "modes": {table_id: mode}, "year": 1-3 or None}``. ``code`` is
    the module key (its code, else its printed name); a module already shown for an earlier
    semester is not repeated (one grade per module). Simplified mode reads its pseudo-modules
    from :func:`butdata.grading.structure.coarse_modules`.
    """
    labels = dict(zip(tables["table_id"].to_list(), tables["full_label"].to_list()))
    seen: set[str] = set()
    semesters, modes = [], {}
    for tid in table_ids:
        weights, mode = sim.semester_weights(coefficients, ues, tid)
        modes[tid] = mode
        groups, note = [], None
        if mode == sim.COARSE_MODE:
            note = (
                "Mode simplifié : " + UNATTRIBUTED_REASON + ". Une note pour les SAÉ et une "
                "pour les ressources de chaque UE, pondérées par la part SAÉ de l'UE."
            )
            pseudo, missing = coarse_modules(ues, tid)
            names = dict(
                zip(
                    ues.filter(pl.col("table_id") == tid)["ue"].to_list(),
                    ues.filter(pl.col("table_id") == tid)["name"].to_list(),
                )
            )
            by_ue: dict[str, list[dict]] = {}
            for m in pseudo:
                by_ue.setdefault(m.ue, []).append(
                    {"code": m.code, "label": m.label, "help": m.help}
                )
            groups = [
                {"title": f"{ue} — {names.get(ue) or ''}".strip(" —"), "modules": mods}
                for ue, mods in by_ue.items()
            ]
            if missing:
                note += f" Part SAÉ inconnue pour {', '.join(missing)} : pas de simulation possible pour ces UE."
        else:
            coefs = weights.group_by("module_code", maintain_order=True).agg(
                pl.concat_str(
                    pl.col("ue"), pl.lit(" × "), pl.col("coefficient").round(3).cast(pl.String)
                )
                .str.join(", ")
                .alias("detail")
            )
            detail = dict(zip(coefs["module_code"].to_list(), coefs["detail"].to_list()))
            mods = (
                modules.filter(pl.col("table_id") == tid)
                .pipe(lambda f: f.with_columns(key=module_key_expr(f)))
                .filter(pl.col("key").is_in(list(detail)))
                .unique("key", keep="first", maintain_order=True)
                .sort("position")
            )
            by_kind: dict[str, list[dict]] = {}
            for m in mods.iter_rows(named=True):
                if m["key"] in seen:
                    continue
                kind = KIND_LABELS.get(m["kind"], KIND_LABELS[None])
                name = m["module_name"] or ""
                short = f"{name[:38]}{'…' if len(name) > 38 else ''}"
                label = f"{m['module_code']} {short}" if m["module_code"] else short
                by_kind.setdefault(kind, []).append(
                    {
                        "code": m["key"],
                        "label": label,
                        "help": f"{name} — coefficients : {detail[m['key']]} (ligne {m['source_line']})",
                    }
                )
                seen.add(m["key"])
            groups = [
                {"title": k if k != "SAÉ" else "SAÉ", "modules": by_kind[k]}
                for k in KIND_ORDER
                if k in by_kind
            ]
        semesters.append(
            {
                "table_id": tid,
                "title": labels.get(tid, tid),
                "mode": mode,
                "note": note,
                "groups": groups,
            }
        )
    codes = [m["code"] for s in semesters for g in s["groups"] for m in g["modules"]]
    year = infer_year(ues, table_ids, semesters_of(tables, table_ids))
    ue_list = [
        {"table_id": t, "ue": u, "competence": c}
        for tid in table_ids
        for t, u, c in sim.table_ues(ues, tid).iter_rows()
    ]
    return {"semesters": semesters, "codes": codes, "modes": modes, "year": year, "ues": ue_list}


# --------------------------------------------------------------------------- controls


def _preset(codes: Sequence[str], value: str) -> None:
    for code in codes:
        st.session_state[slider_key(code)] = value


def render_presets(spec: Mapping) -> None:
    """Preset buttons (every module at 10, at 12, none graded)."""
    codes = spec["codes"]
    b = st.columns(3)
    for col, grade in zip(b, ("10", "12")):  # slider options (labels)
        col.button(
            f"Tout à {grade}",
            on_click=_preset,
            args=(codes, grade),
            key=f"preset_{grade}",
            width="stretch",
        )
    b[2].button(
        "Aucune note",
        on_click=_preset,
        args=(codes, NOT_GRADED),
        key="preset_reset",
        width="stretch",
        help="Tous les modules redeviennent « non noté ».",
    )


def render_controls(spec: Mapping, parent: object = None) -> dict[str, float]:
    """One grade slider per module (grouped by semester and kind). Returns {module code:
    grade} for the graded modules. Values follow ui.state (the URL says each grade given;
    another period resets them)."""
    st.caption(
        "Notes de 0 à 20 par pas de 0,25 ; tout à gauche = « non noté » (le module ne "
        "compte pas encore). Flèches du clavier pour ajuster finement."
    )
    grades: dict[str, float] = {}
    many = state.Many()
    for sem in spec["semesters"]:
        st.markdown(f"##### Notes — {sem['title']}")
        if sem["note"]:
            st.caption(sem["note"])
        for group in sem["groups"]:
            st.markdown(f"**{group['title']}**")
            cols = st.columns(2)
            for i, mod in enumerate(group["modules"]):
                key = slider_key(mod["code"])
                many.show(key, GRADE_OPTIONS, NOT_GRADED, str, "Note", parent)
                with cols[i % 2]:
                    v = st.select_slider(
                        mod["label"], options=GRADE_OPTIONS, key=key, help=mod["help"]
                    )
                many.remember(key, v, None if v == NOT_GRADED else v)
                if v in GRADE_OF:
                    grades[mod["code"]] = GRADE_OF[v]
    return grades


# --------------------------------------------------------------------------- results


def to_view(result: sim.SimulationResult, spec: Mapping) -> dict:
    """Plain data of a simulation result for :func:`render_results`. Averages are displayed
    through :meth:`Rules.shown` (never « 10,00 AJ » nor « 9,99 ADM »)."""
    rules = result.rules
    titles = {s["table_id"]: s["title"].split(" · ")[0] for s in spec["semesters"]}
    ues = []
    for s in result.semesters:
        for r in s.ue_rows:
            notes = f"{r['n_graded']}/{r['n_graded'] + r['n_ungraded']} notés"
            if r["capitalised"]:
                notes += " · moyenne capitalisée"
            if r["bonus"]:
                notes += f" · bonus {fmt.number(r['bonus'])}"
            ues.append(
                {
                    "semestre": titles.get(s.table_id, s.table_id),
                    "ue": r["ue"],
                    "moyenne": r["average"],
                    "affiche": _shown(r["average"], rules, (rules.pass_mark,)),
                    "code": r["code"],
                    "besoin": COMPENSATED
                    if r["code"] == sim.CMP
                    else sim.Needed(r["needed_status"], r["needed"]).label(rules),
                    "notes": notes,
                }
            )
    rcues = [
        {
            "competence": r["competence"],
            "ues": f"{r['ue_odd']} + {r['ue_even']}",
            "moyenne": r["average"],
            "affiche": _shown(r["average"], rules, (rules.pass_mark, rules.rcue_floor)),
            "valide": bool(r["validated"]),
            "code": r["code"],
            "besoin": sim.Needed(r["needed_status"], r["needed"]).label(rules),
        }
        for r in result.rcue_rows
    ]
    out = result.outcome
    return {
        "ues": ues,
        "rcues": rcues,
        "decision": result.decision,
        "rule": result.rule,
        "pass_mark": rules.pass_mark,
        "provisional": result.provisional and result.decision is not None,
        "n_ungraded": result.n_ungraded,
        "rule_only": None if out is None else out.rule_only,
        "jury_year": None if out is None else out.jury_year,
    }


def _card(title: str, value: str, color: str, lines: Sequence[tuple[str, str]], ue: str) -> str:
    """HTML of a compact result card: the title and the average on one line, then one small
    line of details. Every text is escaped (UE codes come from source documents); ``lines`` are
    (label, bold value) pairs."""
    e = html.escape
    details = " · ".join(
        f"{e(label)}{f'<b>{e(bold)}</b>' if bold else ''}" for label, bold in lines
    )
    return (
        f"<div class='ue-card' data-ue='{e(ue, quote=True)}' style='border-left:7px solid {color};"
        f"padding:2px 8px;margin-bottom:5px;background:#f7f9fc;border-radius:4px;line-height:1.25'>"
        f"<div style='display:flex;justify-content:space-between;align-items:baseline;gap:6px'>"
        f"<span><b>{e(title)}</b></span>"
        f"<span class='ue-avg' style='font-size:1.35em;font-weight:700;color:{color}'>{e(value)}</span>"
        f"</div><div style='font-size:0.8em;color:#333'>{details}</div></div>"
    )


# The results column stays in view while the sliders scroll (Chromium: :has()).
_STICKY = """<style>
[data-testid='stColumn']:has(.sim-results) {position: sticky; top: 0.5rem; align-self: flex-start;
  max-height: calc(100vh - 1rem); overflow-y: auto;}
</style><span class='sim-results'></span>"""


def render(
    spec: Mapping, compute: Callable[[dict[str, float]], Mapping], parent: object = None
) -> None:
    """The whole simulation: sliders on the left; presets, results and decision on the right,
    in a column that stays on screen while the sliders scroll; the chart below the sliders.
    ``compute(grades) -> view`` (see :func:`to_view`)."""
    left, right = st.columns([3, 2], gap="medium")
    with right:
        st.markdown(_STICKY, unsafe_allow_html=True)
        render_presets(spec)
        results = st.container()
    with left:
        grades = render_controls(spec, parent)
    view = compute(grades)
    with results:
        render_results(view)
    with left:
        st.plotly_chart(
            charts.simulation_chart(view["ues"], view["pass_mark"]),
            width="stretch",
            key="sim_chart",
            theme=None,
            config={"displaylogo": False},
        )


def render_results(view: Mapping) -> None:
    """UE cards (average, code, needed grade), RCUEs, decision with its rule."""
    by_sem: dict[str, list[dict]] = {}
    for u in view["ues"]:
        by_sem.setdefault(u["semestre"], []).append(u)
    for sem, ues in by_sem.items():
        st.markdown(f"**Moyennes des UE — {sem}**")
        cols = st.columns(2)
        for i, u in enumerate(ues):
            color = charts.CODE_COLORS.get(u["code"], "#9e9e9e")
            cols[i % 2].markdown(
                _card(
                    f"{u['ue']} · {u['code'] or '—'}",
                    u.get("affiche") or fmt.MISSING,
                    color,
                    [
                        (CODE_TEXT.get(u["code"], u["code"]), ""),
                        ("min. : ", u["besoin"]),
                        (u["notes"], ""),
                    ],
                    f"{sem}-{u['ue']}",
                ),
                unsafe_allow_html=True,
            )
    if view["rcues"]:
        st.markdown("**RCUE (les deux UE d'une compétence sur l'année)**")
        cols = st.columns(2)
        for i, r in enumerate(view["rcues"]):
            color = "#9e9e9e" if r["moyenne"] is None else ("#2e7d32" if r["valide"] else "#c62828")
            title = f"C{r['competence']} · {r['ues']}"
            if r.get("code") == "ADJ":
                title += " · ADJ (jury)"
            cols[i % 2].markdown(
                _card(
                    title,
                    r.get("affiche") or fmt.MISSING,
                    color,
                    [("validé" if r["valide"] else "non validé", ""), ("min. : ", r["besoin"])],
                    f"RCUE-{r['competence']}",
                ),
                unsafe_allow_html=True,
            )
    decision = DECISION_TEXT.get(view["decision"], view["decision"])
    if view.get("provisional"):
        n = view["n_ungraded"]
        decision += (
            f" · provisoire ({n} module{'s' if n > 1 else ''} non noté{'s' if n > 1 else ''})"
        )
    # AJ is a jury outcome, not a failure of the page: st.error stays for the page's own errors
    box = {"ADM": st.success, "PASD": st.success, "AJ": st.warning}.get(view["decision"], st.info)
    extra = ""
    if view.get("rule_only") not in (None, view["decision"]):
        extra += f"  \nSelon les règles seules : **{view['rule_only']}**"
    if view.get("jury_year"):
        extra += f"  \nDécision du jury : **{view['jury_year']} — {JURY_LABELS.get(view['jury_year'], '')}**"
    box(f"**Décision : {decision}**{extra}  \nRègle appliquée : {view['rule']}")
