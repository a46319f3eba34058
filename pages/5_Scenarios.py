"""Scénarios: copy a stored table (or the two tables of a year), change its coefficients, see its
conformity, its difference with the origin and its impact on a simulated cohort; save it; hand
the council its workbook and note."""

import streamlit as st

from ui import scenarios_editor as editor
from ui import scenarios_panels as panels
from ui import scenarios_saves as saves
from ui import scenarios_state as ss
from ui import widgets
from ui.layout import guard, page

with page(
    "Scénarios",
    "Proposer de nouveaux coefficients : partez d'un tableau de la base (ou des deux tableaux "
    "d'une année), modifiez la grille module × UE ; conformité, écarts avec l'origine et effet "
    "sur une cohorte simulée se mettent à jour. Les documents sources ne sont jamais modifiés.",
):
    ss.show_flashes()
    chosen = editor.choose()
    if chosen is None:
        st.stop()
    key, work = chosen
    s = work.scenario
    st.subheader(f"« {s.name} »")
    st.caption(ss.origin_caption(s))
    editor.history(key, work)
    for tid in s.proposal.table_ids:
        st.markdown(f"**{editor.table_title(s, tid)}** — grille module × UE (modifiable)")
        editor.grid(key, work, tid)
    editor.tools(key, work)
    st.markdown("**Modifications**")
    editor.change_list(work)

    band = widgets.band_slider()
    settings = ss.settings(band)
    findings = work.findings(settings)
    st.subheader("Conformité")
    with guard("la conformité"):
        panels.conformity(findings)
    st.subheader("Écarts avec l'origine")
    with guard("les écarts avec l'origine"):
        panels.difference(s, band)
    st.subheader("Effet sur les étudiants")
    result = None
    with guard("l'effet sur les étudiants"):
        result = panels.cohort(editor.uid(key), work)
        if result is not None:
            panels.impact_view(result)
    st.subheader("Pour le conseil")
    panels.council(work, settings, findings, result, ss.origin_labels(s), ss.origin_sources(s))
    st.subheader("Enregistrer")
    with guard("l'enregistrement"):
        saves.save_form(key, work)
    st.subheader("Scénarios enregistrés")
    with guard("la liste des scénarios enregistrés"):
        saves.saved_section()
