"""Every table a page shows goes through ``show_table``: Streamlit draws a polars frame by converting
it to pandas, then to Arrow (≈ 4 ms a table on every rerun); handed the Arrow table that polars
gives without a copy, it only serialises it (≈ 0,4 ms). A missing value reads « — », never
Streamlit's « None » (a Styler's display text does not reach null cells either)."""

from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from butdata import fmt


def show_table(df: Any, placeholder: str = fmt.MISSING, **kwargs: Any) -> Any:
    """``st.dataframe`` of a polars frame (as Arrow) or of anything else Streamlit takes (a
    pandas Styler for coloured tables); ``placeholder``: the text of a missing value. Returns
    the selection event like ``st.dataframe``."""
    data = df.to_arrow() if isinstance(df, pl.DataFrame) else df
    return st.dataframe(data, placeholder=placeholder, **kwargs)
