"""Streamlit-side helpers shared by app.py and pages/ (the only place besides them that imports
streamlit). Domain logic stays in butdata."""
