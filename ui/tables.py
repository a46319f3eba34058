"""Every table a page shows goes through ``show_table``: Streamlit draws a polars frame by converting
it to pandas, then to Arrow (≈ 4 ms a table on every rerun); handed the Arrow table that polars
gives without a copy, it only serialises it (≈ 0,4 ms). A missing value reads « — », never
Streamlit's « None » (a Styler's display text does not reach null cells either). The pages'
frames are shared views, drawn on every rerun: each one's Arrow table is kept while it lives."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import polars as pl
import streamlit as st

from butdata import fmt

if TYPE_CHECKING:  # imported by polars on the first table: not before the first page shows
    import pyarrow as pa


def show_table(df: Any, placeholder: str = fmt.MISSING, **kwargs: Any) -> Any:
    """``st.dataframe`` of a polars frame (as Arrow) or of anything else Streamlit takes (a
    pandas Styler for coloured tables); ``placeholder``: the text of a missing value. Returns
    the selection event like ``st.dataframe``."""
    if not isinstance(df, pl.DataFrame):
        return st.dataframe(df, placeholder=placeholder, **kwargs)
    if df.height <= EAGER_ROWS:
        # what Streamlit's default does at this size (the rows sent at once), without its
        # lazy-source check, which imports pandas (≈ 0,3 s on a server's first page)
        kwargs.setdefault("lazy", False)
    return st.dataframe(_arrow(df), placeholder=placeholder, **kwargs)


# Streamlit (1.67: dataframe.lazy_df_source.AUTO_LAZY_ROW_THRESHOLD) loads a larger in-memory
# table by chunks; tests/test_import_weight.py checks the constant still says so.
EAGER_ROWS = 150_000


# id(frame) -> (frame, its Arrow table): the frame is held, so its id is not reused meanwhile.
_ARROW: OrderedDict[int, tuple[pl.DataFrame, pa.Table]] = OrderedDict()
_ARROW_MAX = 128
_arrow_lock = threading.Lock()


def _arrow(df: pl.DataFrame) -> pa.Table:
    """``df.to_arrow()`` (≈ 0.3 ms), once per frame among the last ``_ARROW_MAX`` drawn."""
    with _arrow_lock:
        hit = _ARROW.get(id(df))
        if hit is not None and hit[0] is df:
            _ARROW.move_to_end(id(df))
            return hit[1]
    table = df.to_arrow()
    with _arrow_lock:
        _ARROW[id(df)] = (df, table)
        while len(_ARROW) > _ARROW_MAX:
            _ARROW.popitem(last=False)
    return table
