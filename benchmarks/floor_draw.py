"""Drawing of the generic floor (see ``floor_page.py``): a module, so that Streamlit's « magic »
does not rewrite it on every rerun as it does the script itself (the page's own drawing code
lives in modules too)."""

import json
import os
import pickle
import re

import plotly.graph_objects as go
import pyarrow as pa
import streamlit as st


@st.cache_resource
def _tree(path: str) -> dict:
    with open(path, "rb") as fh:
        return pickle.load(fh)


@st.cache_resource
def _table(data: bytes) -> pa.Table:
    return pa.ipc.open_stream(data).read_all()


@st.cache_resource
def _styled_parts(data: bytes, styles: str, display: bytes):
    """The styled table's data (pandas), the CSS of each cell and one display function per
    cell, from the page's message: constant, so that a rerun only pays Streamlit's (and
    pandas') own work of drawing a styled table, as the page does with its cached parts."""
    import pandas as pd

    df = _table(data).to_pandas()
    css = pd.DataFrame("", index=df.index, columns=df.columns)
    for rule in styles.splitlines():
        selectors, _, body = rule.partition(" { ")
        for one in selectors.split(", "):
            m = re.search(r"_row(\d+)_col(\d+)$", one)
            if m:
                css.iat[int(m[1]), int(m[2])] = body.rstrip(" }")
    shown = _table(display).to_pandas() if display else None
    funcs = {}
    if shown is not None:
        for r in range(shown.shape[0]):
            for c in range(shown.shape[1]):
                funcs[(r, c)] = lambda _v, text=str(shown.iat[r, c]): text
    return df, css, funcs


def _styled(n: dict):
    df, css, funcs = _styled_parts(n["data"], n["styles"], n["display"])
    styler = df.style.apply(lambda _: css, axis=None)
    styler._display_funcs.update(funcs)  # the page's display values (pandas keeps one per cell)
    return styler


@st.cache_resource
def _figure(spec: str) -> go.Figure:
    return go.Figure(json.loads(spec))


_ALERTS = {1: st.error, 2: st.warning, 3: st.info, 4: st.success}
_HEADINGS = {"h1": st.title, "h2": st.header, "h3": st.subheader}
_auto = [0]


def _k(n: dict) -> str:
    if n.get("key"):
        return n["key"]
    _auto[0] += 1
    return f"floor-{_auto[0]}"


ECHO = os.environ.get("BUTDATA_FLOOR_ECHO", "")  # "marker|widget key" (browser benchmark)


def _echo(body: str) -> str:
    """In the first text holding the marker, the watched widget's value: the browser benchmark
    then sees the floor's text change on a key press, as it sees the page's."""
    marker, key = ECHO.split("|", 1)
    if _echoed[0] or marker not in body:
        return body
    _echoed[0] = True
    return body + f"<span class='{marker}'>{st.session_state.get(key)}</span>"


_echoed = [False]


def _no_data() -> bytes:
    return b""


def _help(n: dict) -> str | None:
    return n.get("help") or None


def element(n: dict) -> None:
    k = n["k"]
    if k == "markdown" and ECHO and n["html"]:
        st.markdown(_echo(n["body"]), unsafe_allow_html=True)
    elif k == "markdown":
        if n["type"] == 2:
            st.caption(n["body"], unsafe_allow_html=n["html"])
        elif n["type"] == 5:
            st.divider()
        else:
            st.markdown(n["body"], unsafe_allow_html=n["html"])
    elif k == "heading":
        if n["tag"] == "h1":
            st.title(n["body"])
        else:
            _HEADINGS.get(n["tag"], st.subheader)(n["body"], divider=n["divider"] or None)
    elif k == "alert":
        _ALERTS.get(n["format"], st.info)(n["body"])
    elif k == "metric":
        st.metric(n["label"], n["body"], n["delta"])
    elif k == "page_link":
        st.page_link(
            f"https://butdata.invalid/{_k(n)}", label=n["label"], icon=n["icon"], help=_help(n)
        )
    elif k == "data_editor":
        st.data_editor(_table(n["data"]), hide_index=True, key=_k(n))
    elif k == "dataframe" and "styles" in n:
        st.dataframe(_styled(n), hide_index=True, key=_k(n))
    elif k == "dataframe":
        st.dataframe(_table(n["data"]), hide_index=True, key=_k(n))
    elif k == "plotly":
        st.plotly_chart(_figure(n["spec"]), key=_k(n))
    elif k == "selectbox":
        st.selectbox(n["label"], n["options"], index=n["index"], key=_k(n), help=_help(n))
    elif k == "multiselect":
        st.multiselect(n["label"], n["options"], default=n["default"], key=_k(n), help=_help(n))
    elif k == "radio":
        st.radio(n["label"], n["options"], index=n["index"], key=_k(n), help=_help(n))
    elif k == "button_group":
        draw = st.segmented_control if n["segmented"] else st.pills
        mode = "multi" if n["multi"] else "single"
        default = n["default"] if n["multi"] else (n["default"][0] if n["default"] else None)
        draw(
            n["label"], n["options"], selection_mode=mode, default=default, key=_k(n), help=_help(n)
        )
    elif k == "select_slider":
        v = n["value"]
        st.select_slider(
            n["label"],
            n["options"],
            value=v[0] if len(v) == 1 else tuple(v),
            key=_k(n),
            help=_help(n),
        )
    elif k == "slider":
        cast = int if n["int"] else float
        v = [cast(x) for x in n["value"]]
        st.slider(
            n["label"],
            cast(n["min"]),
            cast(n["max"]),
            v[0] if len(v) == 1 else tuple(v),
            cast(n["step"]),
            key=_k(n),
            help=_help(n),
        )
    elif k == "number_input":
        st.number_input(
            n["label"], value=float(n["value"]), step=float(n["step"]), key=_k(n), help=_help(n)
        )
    elif k == "checkbox":
        (st.toggle if n["toggle"] else st.checkbox)(
            n["label"], value=n["value"], key=_k(n), help=_help(n)
        )
    elif k == "button":
        st.button(n["label"], key=_k(n), help=_help(n))
    elif k == "download_button":
        st.download_button(
            n["label"], _no_data if n.get("deferred") else b"", key=_k(n), help=_help(n)
        )
    elif k == "file_uploader":
        st.file_uploader(n["label"], key=_k(n), help=_help(n))
    elif k == "text_input":
        st.text_input(n["label"], key=_k(n), help=_help(n))
    elif k == "unmapped":
        st.markdown(n["what"])


def block(n: dict, inside: bool) -> None:
    k, ch = n["k"], n["ch"]
    if k == "tabs":
        for tab, c in zip(st.tabs([c.get("label", "") for c in ch]), ch):
            with tab:
                draw(c["ch"], inside)
    elif k == "expander":
        with st.expander(n["label"], expanded=n["expanded"]):
            draw(ch, inside)
    elif k == "container" and ch and all(c["k"] == "column" for c in ch):
        for col, c in zip(st.columns([c["weight"] or 1 for c in ch]), ch):
            with col:
                draw(c["ch"], inside)
    else:
        with st.container(horizontal=n.get("horizontal", False)):
            draw(ch, inside)


def one(n: dict, inside: bool) -> None:
    if n["k"] in ("tabs", "expander", "container", "column", "tab"):
        block(n, inside)
    else:
        element(n)


@st.fragment
def fragment(nodes: list) -> None:
    _echoed[0] = False  # a fragment rerun draws its texts again
    for n in nodes:
        one(n, True)


def draw(nodes: list, inside: bool = False) -> None:
    """Consecutive nodes of one fragment of the page are drawn in one fragment here."""
    i = 0
    while i < len(nodes):
        frag = None if inside else nodes[i]["frag"]
        j = i + 1
        while frag and j < len(nodes) and nodes[j]["frag"] == frag:
            j += 1
        if frag:
            fragment(nodes[i:j])
        else:
            for n in nodes[i:j]:
                one(n, inside)
        i = j


def main() -> None:
    T = _tree(os.environ["BUTDATA_FLOOR_TREE"])
    st.set_page_config(page_title="plancher", layout="wide")
    _auto[0] = 0
    _echoed[0] = False
    with st.sidebar:
        draw(T["sidebar"])
    draw(T["main"])
