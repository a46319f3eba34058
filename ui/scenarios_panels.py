"""The Scénarios page's read-outs of the work's current proposal: its conformity (live), its
difference with the origin (grid with changed cells highlighted, per-UE totals and SAÉ share
before / after, chart), its impact on one seeded cohort, and the council's documents (XLSX in
the MCC layout, PDF « note au conseil »)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pandas as pd
import polars as pl
import streamlit as st

from butdata import fmt, report
from butdata.analysis.conformity import Finding
from butdata.analysis.conformity_report import findings_table, summary
from butdata.analysis.conformity_rules import INFO, ConformitySettings
from butdata.charts_scenario import impact_chart, ue_diff_chart
from butdata.errors import ButdataError
from butdata.exports.scenario_xlsx import council_xlsx
from butdata.grading import cohort as cohort_engine
from butdata.grading.rules import DEFAULT_RULES
from butdata.report.council import cohort_text, council_page, decisions_table, impact_table
from butdata.scenarios import Impact, Scenario, grade_columns, impact
from butdata.scenarios.diff import ue_diff
from butdata.scenarios.tables import comparison, ue_changed_cells, ue_frame
from butdata.text import slug

from . import auth, downloads, printing
from . import scenarios_state as ss
from .cohort_view import ID_COLUMNS
from .downloads import XLSX_MIME
from .scenarios_editor import table_title
from .tables import show_table

HIGHLIGHT = "background-color: #ffe08a; font-weight: bold"


def styled(frame: pl.DataFrame, cells: Sequence[tuple[int, str]]) -> object:
    """A pandas Styler of ``frame`` with ``cells`` (row, column) highlighted."""
    pdf = pd.DataFrame(frame.to_dict(as_series=False))
    marks = pd.DataFrame("", index=pdf.index, columns=pdf.columns)
    for r, c in cells:
        if c in marks.columns and r < len(marks):
            marks.loc[r, c] = HIGHLIGHT
    return pdf.style.apply(lambda _: marks, axis=None)


# --------------------------------------------------------------------------- conformity


def conformity(findings: Sequence[Finding]) -> None:
    """Summary line, then errors and warnings, informations folded."""
    serious = [f for f in findings if f.severity != INFO]
    infos = [f for f in findings if f.severity == INFO]
    text = f"Conformité de la proposition : {summary(findings)}."
    if serious:
        st.warning(text, icon=":material/rule:")
        frame = findings_table(serious).drop("tableau", "fichier", "ligne")
        show_table(frame, hide_index=True, width="stretch")
        printing.note_table(frame, "Conformité : erreurs et avertissements")
    else:
        st.success(text + " Aucune erreur, aucun avertissement.", icon=":material/check:")
    printing.note_text(text, "Conformité")
    if infos:
        with st.expander(f"Informations ({fmt.integer(len(infos))})"):
            show_table(
                findings_table(infos).drop("tableau", "fichier", "ligne"),
                hide_index=True,
                width="stretch",
            )


# --------------------------------------------------------------------------- difference


def difference(s: Scenario, band: tuple[float, float]) -> None:
    st.markdown("**Par UE : origine et proposition** (valeurs modifiées surlignées)")
    per_ue = ue_frame(s)
    show_table(styled(per_ue, ue_changed_cells(s)), hide_index=True, width="stretch")
    printing.note_table(per_ue, "Par UE : origine et proposition")
    for tid in s.proposal.table_ids:
        cmp_ = comparison(s, tid)
        cells = list(cmp_.changed) + [(r, "Modification") for r in cmp_.rows_changed]
        n = len({r for r, _ in cells})
        st.markdown(
            f"**{table_title(s, tid)}** : module × UE, « nouvelle valeur (origine) » où elle change "
            f"({fmt.integer(n)} ligne(s) modifiée(s))"
        )
        show_table(styled(cmp_.frame, cells), hide_index=True, width="stretch", height=320)
    downloads.chart(ue_diff_chart(ue_diff(s.base, s.proposal), band), "scenario-ue", "scn_diff")


# --------------------------------------------------------------------------- impact


DRAWN, GRADES = "tirage", "notes"
COHORT_KINDS = {DRAWN: "cohorte tirée au hasard", GRADES: "notes d'une promotion (CSV)"}


def cohort(u: str, work: ss.Work) -> Impact | None:
    """The cohort both sides are simulated on: drawn with a seed, or grades given as a CSV
    (one row per student, one column per module code); the impact, or None (said why)."""
    kind = st.radio(
        "Cohorte",
        list(COHORT_KINDS),
        format_func=COHORT_KINDS.__getitem__,
        horizontal=True,
        key=f"scn_cohort_kind_{u}",
    )
    if kind == GRADES:
        grades = _grades(u, work)
        return None if grades is None else impact(work.scenario, grades=grades)
    c1, c2 = st.columns(2)
    n = c1.number_input(
        "Étudiants simulés",
        50,
        5000,
        500,
        step=50,
        key=f"scn_cohort_n_{u}",
        help="Une cohorte tirée au hasard (notes normales, moyenne 10, écart-type 3 par module), "
        "la même avant et après : seuls les coefficients changent.",
    )
    seed = c2.number_input("Graine du tirage", 0, 10**6, 0, key=f"scn_cohort_seed_{u}")
    return impact(work.scenario, n_students=int(n), seed=int(seed))


def _grades(u: str, work: ss.Work) -> np.ndarray | None:
    columns = grade_columns(work.scenario)
    st.caption(
        "Une ligne par étudiant, une colonne par module (son code d'origine ; un module ajouté : "
        "le code qu'il a reçu) ; cellule vide = non noté ; virgule décimale acceptée ; une "
        "colonne « etudiant » (ou id, nom…) est ignorée. Colonnes : " + ", ".join(columns)
    )
    uploaded = None
    if auth.can_write():  # a visitor is offered no upload (see ui.auth)
        uploaded = st.file_uploader("Fichier CSV de notes", type=["csv"], key=f"scn_csv_{u}")
    pasted = st.text_area("… ou collez le CSV", key=f"scn_csv_text_{u}", height=120)
    if uploaded is None and not pasted.strip():
        st.info("Donnez les notes de la promotion pour voir l'effet de la proposition.")
        return None
    raw = uploaded.getvalue() if uploaded is not None else pasted.encode("utf-8")
    name = uploaded.name if uploaded is not None else "CSV collé"
    first = raw.decode("utf-8-sig", errors="replace").splitlines()[0] if raw.strip() else ""
    header = [c.strip() for c in first.replace(";", ",").split(",")]
    extra = [c for c in header if c.lower() in ID_COLUMNS]
    identities = cohort_engine.CohortStructure(
        tuple(work.scenario.origin), tuple(columns), (), np.zeros((len(columns), 0)), ()
    )
    try:
        return cohort_engine.read_grades_csv(
            io.BytesIO(raw), identities, DEFAULT_RULES, extra, name=name
        )
    except ButdataError as exc:
        st.error(f"Notes illisibles : {exc}")
        return None


def _weights_frame(result: Impact) -> pl.DataFrame:
    rows = [
        [
            r["ue"],
            r["module_code"],
            fmt.percent(r["weight_before"]),
            fmt.percent(r["weight_after"]),
            fmt.number(None if r["delta"] is None else 100 * r["delta"], 2),
        ]
        for r in result.weights.iter_rows(named=True)
    ]
    columns = ("UE", "module", "poids, origine", "poids, proposition", "écart (points)")
    return pl.DataFrame(rows, schema={c: pl.String for c in columns}, orient="row")


def _rcue_frame(result: Impact) -> pl.DataFrame:
    rows = [
        [
            f"compétence {r['competence']}",
            fmt.percent(r["passed_before"]),
            fmt.percent(r["passed_after"]),
            fmt.number(r["mean_before"]),
            fmt.number(r["mean_after"]),
        ]
        for r in result.rcues.iter_rows(named=True)
    ]
    columns = (
        "RCUE",
        "validé, origine",
        "validé, proposition",
        "moyenne, origine",
        "moyenne, proposition",
    )
    return pl.DataFrame(rows, schema={c: pl.String for c in columns}, orient="row")


def impact_view(result: Impact) -> None:
    st.caption(cohort_text(result))
    table = impact_table(result)
    show_table(table, hide_index=True, width="stretch")
    printing.note_table(table, "UE validées (ADM ou CMP) et moyennes")
    downloads.chart(impact_chart(result.ues), "scenario-impact", "scn_impact")
    if result.rcues.height:
        st.markdown("**RCUE**")
        show_table(_rcue_frame(result), hide_index=True, width="stretch")
    decisions = decisions_table(result)
    if decisions.height:
        st.markdown("**Décisions d'année**")
        show_table(decisions, hide_index=True, width="stretch")
    with st.expander("Poids de chaque module dans la moyenne de chaque UE"):
        show_table(_weights_frame(result), hide_index=True, width="stretch")


# --------------------------------------------------------------------------- council


def council(
    work: ss.Work,
    settings: ConformitySettings,
    findings: Sequence[Finding],
    result: Impact | None,
    origin_labels: Sequence[str],
    sources: Sequence[str],
) -> None:
    s = work.scenario
    stem = f"scenario-{slug(s.name) or 'sans-nom'}"
    st.caption(
        "Pour le conseil : le classeur (proposition au format des MCC, origine / proposition "
        "avec les modifications surlignées, conformité) et la note au conseil en PDF (A4)."
    )
    c1, c2, _ = st.columns([1, 1, 3])
    c1.download_button(
        "Classeur du conseil (XLSX)",
        data=lambda: council_xlsx(s, settings, findings),
        file_name=f"{stem}.xlsx",
        mime=XLSX_MIME,
        key="scn_council_xlsx",
        icon=":material/download:",
    )
    c2.download_button(
        "Note au conseil (PDF)",
        data=lambda: report.render_pdf(  # the PDF engine is imported on the click
            council_page(
                s,
                settings=settings,
                findings=findings,
                impact=result,
                origin_labels=origin_labels,
                sources=sources,
                when=datetime.now(),
            )
        ),
        file_name=f"{stem}-note-au-conseil.pdf",
        mime="application/pdf",
        key="scn_council_pdf",
        icon=":material/picture_as_pdf:",
    )
