"""butdata — tableau de bord des coefficients des B.U.T. (placeholder until the dashboard lands)."""

import streamlit as st

from butdata.store import default_db_path, ensure_store, open_store

st.set_page_config(page_title="butdata — coefficients des B.U.T.", layout="wide")
with st.spinner("Construction de la base à partir des documents sources…"):
    ensure_store()
con = open_store(default_db_path())
st.title("Coefficients des B.U.T.")
st.dataframe(con.sql("SELECT formation, site, semester, parcours, status FROM tables").pl())
