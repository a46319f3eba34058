"""Données: browse any coefficient table in the module × UE layout, download the tidy template
(CSV / XLSX), import a filled template or an MCC draft (preview, French errors, atomic rebuild)."""

import streamlit as st

from ui import donnees, widgets
from ui.layout import guard, page

with page(
    "Données",
    "Chaque tableau de coefficients tel qu'imprimé dans les MCC (modules en lignes, UE en "
    "colonnes), à télécharger en CSV ou XLSX, et l'import d'un modèle rempli par un "
    "département.",
    icon=":material/table_view:",
):
    # Tracked by the server: dropping a file reruns the page, which must stay on « Importer ».
    browse, download, upload, journal = st.tabs(
        ["Parcourir", "Télécharger", "Importer", "Journal des modifications"],
        key="onglet",
        on_change="rerun",
    )
    with browse:
        c1, c2, c3 = st.columns([2, 1, 3])
        with c1:
            formation = widgets.formation_select()
        with c2:
            semester = widgets.semester_select(formation)
        with c3:
            table_id = widgets.table_select(formation, semester)
        with guard("ce tableau"):
            donnees.wide_view(table_id)
            donnees.download_buttons(f"coefficients-{table_id}", "dl_table", table_ids=(table_id,))
    with download:
        st.caption(
            "Le modèle a une ligne par valeur (tableau, UE, module, coefficient) avec sa "
            "provenance ; le classeur XLSX ajoute une feuille lisible par tableau. "
            "Reconstruire la base à partir d'un export redonne exactement les mêmes "
            "tableaux, UE et coefficients."
        )
        st.markdown(f"**Formation {formation}** (tous semestres, documents et sites)")
        with guard("les téléchargements"):
            donnees.download_buttons(
                f"coefficients-{formation}", "dl_formation", formations=(formation,)
            )
            st.markdown("**Toute la base**")
            donnees.download_buttons("coefficients-butdata", "dl_all")
    with upload:
        with guard("l'import"):
            donnees.import_section()
    with journal:
        st.subheader("Journal des modifications")
        with guard("le journal des modifications"):
            donnees.journal_section()
