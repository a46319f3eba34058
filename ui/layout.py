"""Page frame shared by every page: page config, French sidebar navigation, store check, notices,
the « Imprimer / PDF » button, and an error guard so that nobody ever sees a stack trace (a
French message instead)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st

from butdata.errors import ButdataError
from butdata.store import store_notice

from . import auth, printing, state
from .store import ensure_built

ROOT = Path(__file__).resolve().parents[1]
LOG = logging.getLogger("butdata.ui")

# Navigation: (script path relative to the project, French label, icon). Pages of other
# engineers are listed when their file exists; unknown files in pages/ get a label from their name.
NAV = [
    ("app.py", "Vue d'ensemble", ":material/dashboard:"),
    ("pages/1_Comparer_les_parcours.py", "Comparer les parcours", ":material/compare_arrows:"),
    ("pages/2_Poids_par_UE.py", "Poids par UE", ":material/stacked_bar_chart:"),
    ("pages/3_Simulation_de_notes.py", "Simulation de notes", ":material/calculate:"),
    ("pages/4_Donnees.py", "Données", ":material/table_view:"),
    ("pages/5_Scenarios.py", "Scénarios", ":material/edit_note:"),
]


@functools.cache
def nav_entries() -> tuple[tuple[str, str, str], ...]:
    """The navigation links whose file exists, known pages first, then any other page file
    (read once per server: page files do not come and go while it runs)."""
    known = {path for path, _, _ in NAV}
    entries = [e for e in NAV if (ROOT / e[0]).exists()]
    for extra in sorted((ROOT / "pages").glob("*.py")):
        rel = f"pages/{extra.name}"
        if rel not in known and not extra.name.startswith((".", "_")):
            label = extra.stem.split("_", 1)[-1].replace("_", " ")
            entries.append((rel, label, ":material/article:"))
    return tuple(entries)


# Projector layout (1280×720 is the target): a compact header and sidebar, hover labels and
# tooltips at body size, wrapped (never cut) button and tab labels, and a print style that drops
# the sidebar and the toolbar. The automatic pages/ list (which names the home page after its
# file, "app") is switched off in .streamlit/config.toml: sidebar_nav() gives French links.
_CSS = """<style>
[data-testid='stMainBlockContainer'], .block-container {padding-top: 3.2rem; padding-bottom: 2rem;
  padding-left: 2rem; padding-right: 2rem; max-width: 100%;}
section[data-testid='stSidebar'] {width: 250px !important; min-width: 250px !important;}
[data-testid='stSidebarUserContent'] {padding-top: 1rem;}
h1 {font-size: 1.9rem !important; padding: 0 0 0.2rem 0 !important;}
h2 {font-size: 1.45rem !important;}
h3 {font-size: 1.2rem !important;}
[data-testid='stMetricLabel'] p {white-space: normal !important; overflow: visible !important;}
[data-testid='stMetricLabel'] {overflow: visible !important;}
[data-testid='stBaseButton-secondary'] p, [data-testid='stDownloadButton'] p,
[data-testid='stBaseButton-pills'] p, [data-testid='stBaseButton-pillsActive'] p {
  white-space: normal !important; text-overflow: clip !important; overflow: visible !important;}
button[data-baseweb='tab'] p {white-space: nowrap;}
.st-key-chart-library-loader {display: none !important;}
.hoverlayer .hovertext text {font-size: 16px !important;}
@media print {
  [data-testid='stSidebar'], [data-testid='stToolbar'], header,
  [data-testid='stDecoration'] {display: none !important;}
}
</style>"""


@functools.cache
def _nav_pages() -> tuple[tuple[st.Page, str, str], ...]:
    """The navigation links as pages, made once per server (in a script run: a page resolves
    its file then): a link given a file path resolves it again on every rerun (≈ 0.1 ms a
    link). Same link as from the path: the home page is the default one (URL « / »)."""
    return tuple(
        (st.Page(path, default=path == NAV[0][0]), label, icon)
        for path, label, icon in nav_entries()
    )


def sidebar_nav() -> None:
    with st.sidebar:
        st.markdown("**butdata** · coefficients des B.U.T.")
        for target, label, icon in _nav_pages():
            st.page_link(target, label=label, icon=icon)
        st.caption(
            "Chaque choix est dans l'adresse (URL) : copiez-la pour partager exactement la même "
            "vue."
        )
        with guard("la connexion des éditeurs"):
            auth.sidebar_panel()


@contextmanager
def guard(what: str = "cette partie de la page") -> Iterator[None]:
    """Show a French message instead of any unexpected error (Streamlit's own control-flow
    exceptions are BaseException and pass through)."""
    try:
        yield
    except ButdataError as exc:
        st.error(f"Impossible d'afficher {what} : {exc}")
    except Exception:
        LOG.exception("unexpected error in %s", what)
        st.error(
            f"Une erreur inattendue empêche d'afficher {what}. Changez la sélection ou "
            "rechargez la page ; si cela persiste, signalez-le avec l'adresse (URL) de la page."
        )


@contextmanager
def page(
    title: str,
    intro: str | None = None,
    icon: str = ":material/bar_chart:",
    charts: bool = True,
) -> Iterator[None]:
    """Frame of one page: config, navigation, title, store ready, guarded body; notices of the
    run (invalid URL values…) and the print button are drawn at the top once the body ran.
    ``icon``: a material icon (an emoji makes Streamlit load its emoji catalogue, ≈ 0.1 s on a
    server's first page). ``charts=False``: the page draws no plotly chart, so no plotly.js
    is loaded while a fresh server builds its store."""
    st.set_page_config(page_title=f"{title} — butdata", page_icon=icon, layout="wide")
    st.markdown(_CSS, unsafe_allow_html=True)
    sidebar_nav()
    st.title(title)
    with st.sidebar:
        tool_box = st.container()
    if intro:
        st.caption(intro)
    notes = st.container()
    notice = store_notice()
    if notice:  # e.g. a read-only data directory: the store lives in the user's cache
        st.sidebar.info(notice, icon=":material/info:")
    try:
        ensure_built(preload_charts=charts)
    except ButdataError as exc:
        st.error(f"La base n'a pas pu être construite à partir des documents sources : {exc}")
        st.stop()
    printing.start(title, intro)
    auth.refuse_unoffered_writes()
    try:
        with guard("cette page"):
            yield
    finally:
        state.drop_unused_url_params()
        for text in state.take_notices():
            notes.info(text, icon=":material/link_off:")
        with tool_box:
            printing.button()
