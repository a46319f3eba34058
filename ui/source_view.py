"""« Voir la source »: the document lines behind a value, the value highlighted (text escaped:
the lines come from source documents)."""

from __future__ import annotations

import functools
import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl
import streamlit as st

from butdata.analysis.source_view import Excerpt, excerpt, pdf_cell
from butdata.errors import ButdataError
from butdata.store import DEFAULT_SOURCES
from ui import data, store


def sources_dir() -> Path:
    """The directory the current store was built from."""
    return Path(store.meta().get("sources_dir") or DEFAULT_SOURCES)


@functools.lru_cache(maxsize=2048)  # a card redraws a dozen excerpts on every rerun
def _excerpt_html(ex: Excerpt) -> str:
    """The lines as a small monospace block, the value's token marked (everything escaped)."""
    rows = []
    for n, text in ex.lines:
        if n == ex.line and ex.span:
            a, b = ex.span
            body = (
                html.escape(text[:a])
                + f"<mark style='background:#ffd54f;font-weight:700'>{html.escape(text[a:b])}</mark>"
                + html.escape(text[b:])
            )
        else:
            body = html.escape(text)
        weight = "font-weight:600;" if n == ex.line else "color:#555;"
        rows.append(
            f"<div style='{weight}white-space:pre-wrap'><span style='color:#888'>{n:>5} │ </span>"
            f"{body}</div>"
        )
    return (
        "<div style='font-family:monospace;font-size:0.9rem;background:#f7f7f7;padding:6px 8px;"
        f"border-radius:4px;overflow-x:auto'>{''.join(rows)}</div>"
    )


def show(
    source: str,
    line: int,
    printed: str | None = None,
    caption: str | None = None,
    **where: Any,
) -> None:
    """One excerpt: ``caption`` (what the value is), then the lines. ``where``: layout,
    position, ue_ord, n_ue (see :func:`butdata.analysis.source_view.locate`); for a PDF value,
    page and bbox (its cell), shown as an image of the page region."""
    kind, *parts = _excerpt(data.store_key(), source, line, printed, tuple(sorted(where.items())))
    if kind == "error":
        st.caption(f"{caption or source} — {parts[0]}")
    elif kind == "image":
        page, png = parts
        st.caption(f"{caption + ' — ' if caption else ''}fichier {source}, page {page}")
        st.image(png, caption="la cellule est encadrée en rouge")
    else:
        ex = parts[0]
        st.caption(f"{caption + ' — ' if caption else ''}fichier {source}, ligne {line}")
        st.markdown(_excerpt_html(ex), unsafe_allow_html=True)
        if ex.note:
            st.caption(ex.note)


@functools.lru_cache(maxsize=2048)  # a plain memo: a card shows a dozen excerpts a rerun
def _excerpt(
    key: str, source: str, line: int, printed: str | None, where: tuple[tuple[str, Any], ...]
) -> tuple[Any, ...]:
    """What ``show`` draws, read from the document once per store file: ("image", page, png),
    ("text", excerpt) or ("error", French reason)."""
    found = dict(where)
    page, bbox = found.pop("page", None), found.pop("bbox", None)
    try:
        if page and bbox:
            return ("image", page, pdf_cell(sources_dir(), source, int(page), bbox))
        ex = excerpt(sources_dir(), source, line, printed, **found)
    except ButdataError as exc:
        return ("error", str(exc))
    return ("text", ex)


def values_of(
    coefficients: pl.DataFrame,
    ues: pl.DataFrame,
    tables: pl.DataFrame,
    competence: int | None,
    module: str | None,
    position: int | None = None,
    *,
    every_module: bool = False,
) -> list[dict[str, Any]]:
    """For each table, its values of one module (``module`` None: the values without a module
    at ``position`` in their UE row; ``every_module``: all of them) in one competence (None:
    every UE), with what :func:`show` needs to locate each on its line."""
    from butdata.analysis.compare import module_key

    out: list[dict[str, Any]] = []
    rows = coefficients.with_columns(module=module_key())
    if competence is not None:
        rows = rows.filter(pl.col("competence") == competence)
    if every_module:
        pass  # every value of the UE (a simulation card)
    elif module is not None:
        rows = rows.filter(pl.col("module") == module)
    else:
        rows = rows.filter(pl.col("module").is_null() & (pl.col("position") == position))
    info = {r["table_id"]: r for r in tables.iter_rows(named=True)}
    for r in rows.iter_rows(named=True):
        t = info.get(r["table_id"])
        if t is None:
            continue
        table_ues = ues.filter(pl.col("table_id") == r["table_id"]).sort("ord")
        codes = table_ues["competence"].to_list()
        out.append(
            {
                "label": t["label"],
                "source": t["source"],
                "line": r["source_line"],
                "printed": r["printed"],
                "layout": t.get("layout"),
                "position": r["position"],
                "ue_ord": codes.index(r["competence"]) if r["competence"] in codes else None,
                "n_ue": len(codes),
                "ue": r["ue"],
                **_pdf_cell_of(r),
            }
        )
    return out


def _pdf_cell_of(row: Mapping[str, Any]) -> dict[str, Any]:
    """A PDF value's page and cell (x0, top, x1, bottom), when the reader recorded them."""
    bbox = tuple(row.get(k) for k in ("cell_x0", "cell_top", "cell_x1", "cell_bottom"))
    if row.get("source_page") is None or any(v is None for v in bbox):
        return {}
    return {"page": row["source_page"], "bbox": tuple(float(v) for v in bbox)}


def show_values(found: Sequence[Mapping[str, Any]]) -> None:
    for v in found:
        show(
            v["source"],
            v["line"],
            v["printed"],
            caption=f"{v['label']} · {v['ue']} : « {v['printed']} »",
            layout=v["layout"],
            position=v["position"],
            ue_ord=v["ue_ord"],
            n_ue=v["n_ue"],
            page=v.get("page"),
            bbox=v.get("bbox"),
        )


@data.shared
def _ue_options(key: str, table_ids: tuple[str, ...]) -> tuple[pl.DataFrame, list[str]]:
    c = data.contents(table_ids)
    ues = c["ues"].join(c["tables"].select("table_id", "label"), on="table_id")
    ues = ues.sort("table_id", "ord")
    return ues, [f"{r['label']} · {r['ue']}" for r in ues.iter_rows(named=True)]


@data.shared
def _ue_values(key: str, table_ids: tuple[str, ...], picked: int) -> list[dict[str, Any]]:
    c = data.contents(table_ids)
    row = _ue_options(key, table_ids)[0].row(picked, named=True)
    mine = c["coefficients"].filter(pl.col("table_id") == row["table_id"])
    return values_of(mine, c["ues"], c["tables"], row["competence"], None, every_module=True)


def ue_picker(table_ids: Sequence[str], key: str = "source_ue") -> None:
    """« Voir la source » of a result card: pick a UE of the simulated tables, see the document
    lines of its coefficients (each value highlighted)."""
    ids = tuple(table_ids)
    options = _ue_options(data.store_key(), ids)[1]
    if not options:
        return
    with st.expander("Voir la source d'une UE"):
        picked = st.selectbox("UE", range(len(options)), format_func=options.__getitem__, key=key)
        found = _ue_values(data.store_key(), ids, int(picked))
        if not found:
            st.caption("Aucun coefficient de cette UE dans le document.")
        show_values(found)
