"""butdata: B.U.T. coefficient tables (MCC) in one DuckDB store. Never imports streamlit."""

__version__ = "0.1.0"
