"""Streamlit's floor for a slider move: one slider, one line of text, nothing else.

``benchmarks/bench_browser.py`` times, in Chromium, a key press on this slider until the text
shows the new value; that figure is printed beside the simulation page's own.
"""

import streamlit as st

value = st.slider("Note", 0.0, 20.0, 10.0, 0.5, key="hello")
st.markdown(f"Moyenne : **{value:.2f}**")
