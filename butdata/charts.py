"""Plotly figures of the dashboard: plain functions of frames (or plain lists), no Streamlit.

Made for a projector: large fonts, few colours with fixed meanings, French labels, and hover
texts that always say which module (code, name) and which source line a number comes from.
"""

from __future__ import annotations

import copy
import functools
import textwrap
import zlib
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

import plotly.graph_objects as go
import plotly.io as pio
import polars as pl

from butdata import fmt
from butdata.analysis.compare import UNATTRIBUTED_LABEL as UNATTRIBUTED
from butdata.overview_map import (
    LEGEND_TITLE,
    NO_SEMESTER,
    RELIABILITY_COLORS,
    map_rows,
    tip_lines,
)
from butdata.overview_map import columns as map_columns
from butdata.vocab import RELIABILITIES, RELIABILITY_LABELS, in_band

FONT_SIZE = 16
CODE_COLORS = {"ADM": "#2e7d32", "CMP": "#1f77b4", "AJ": "#c62828", None: "#9e9e9e"}
KIND_COLORS = {
    "SAÉ": "#1f4e8c",
    "ressource": "#8fb3e0",
    "portfolio": "#8e5bc4",
    "stage": "#e0a100",
    "autre": "#7f7f7f",
    "non identifié": "#c7c7c7",
}
SAE_IN_BAND, SAE_OUT_BAND = "#1f4e8c", "#ef8f00"

# The house style lives in one template made the process default once: a figure then refers to
# it instead of copying it (update_layout(template=...) deep-copies a template, ~15 ms a figure,
# which a slider move on the simulation page would pay every time).
_STYLE = go.layout.Template(pio.templates["plotly_white"])
_STYLE.layout.update(
    font={"size": FONT_SIZE, "family": "sans-serif"},
    legend={"font": {"size": FONT_SIZE - 1}},
    hoverlabel={"font": {"size": FONT_SIZE}},
    separators=", ",  # French decimal comma, thin-space thousands
)
pio.templates["butdata"] = _STYLE
pio.templates.default = "butdata"


def _figure() -> go.Figure:
    """A new figure in the house style. Importing streamlit after this module resets plotly's
    default template to its own: set it back (a string compare) before the figure takes it."""
    if pio.templates.default != "butdata":
        pio.templates.default = "butdata"
    return go.Figure()


def _layout(fig: go.Figure, title: str | None = None, height: int | None = None) -> go.Figure:
    fig.update_layout(
        title={"text": title, "font": {"size": FONT_SIZE + 4}} if title else None,
        margin={"l": 10, "r": 10, "t": 60 if title else 20, "b": 10},
        height=height,
    )
    return fig


def _hline(fig: go.Figure, y: float, text: str) -> None:
    """A dashed reference line across the plot with its label (add_hline is ~5 ms slower)."""
    fig.add_shape(
        type="line", xref="paper", x0=0, x1=1, y0=y, y1=y, line={"dash": "dash", "color": "#333333"}
    )
    fig.add_annotation(
        xref="paper", x=0, y=y, text=text, showarrow=False, xanchor="left", yanchor="bottom"
    )


def _fr(x: float | None, digits: int = 2) -> str:
    return fmt.number(x, digits)


def wrap(text: str | None, width: int = 18, lines: int = 3) -> str:
    """A long axis label on a few lines (``<br>``), cut with « … » beyond ``lines``; the full
    text stays in the hover and the legend."""
    parts = textwrap.wrap(text or "", width) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: max(1, width - 1)] + "…"
    return "<br>".join(parts)


def _lines(labels: Sequence[str]) -> int:
    return max((lab.count("<br>") + 1 for lab in labels), default=1)


def _legend_below(fig: go.Figure, title: str | None = None) -> None:
    """A horizontal legend under the plot, never over the title."""
    fig.update_layout(
        legend={
            "orientation": "h",
            "y": -0.12,
            "yanchor": "top",
            "x": 0,
            "xanchor": "left",
            "title": {"text": title} if title else None,
        }
    )


# --------------------------------------------------------------------------- overview


def overview_map(tables: pl.DataFrame) -> go.Figure:
    """The home page's map as a figure (print, download; the screen draws
    :func:`butdata.overview_map.map_html`): the same rows, colours and hover texts, one trace
    per ``reliability``, the parcours of a semester side by side."""
    fig = _figure()
    if tables.height == 0:
        return _layout(fig, "Aucun tableau dans la base")
    rows = map_rows(tables)
    points: dict[str, tuple[list[float], list[str], list[str]]] = {
        c: ([], [], []) for c in RELIABILITIES
    }
    for row in rows:
        for sem, cell in row.cells.items():
            for k, r in enumerate(cell):
                xs, ys, hovers = points[r["reliability"]]
                spread = (k - (len(cell) - 1) / 2) * 0.8 / max(len(cell), 4)
                xs.append((sem or 0) + spread)
                ys.append(row.label)
                head, *rest = tip_lines(r)
                hovers.append(f"<b>{head}</b><br>" + "<br>".join(rest))
    for code in RELIABILITIES:
        xs, ys, hovers = points[code]
        if xs:
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="markers",
                    name=RELIABILITY_LABELS[code],
                    marker={
                        "symbol": "square",
                        "size": 17,
                        "color": RELIABILITY_COLORS[code],
                        "line": {"width": 1, "color": "#ffffff"},
                    },
                    hovertext=hovers,
                    hoverinfo="text",
                )
            )
    cols = map_columns(rows)
    fig.update_xaxes(
        tickvals=[s or 0 for s in cols],
        ticktext=[f"S{s}" if s is not None else NO_SEMESTER for s in cols],
        range=[min(s or 0 for s in cols) - 0.5, max(s or 0 for s in cols) + 0.5],
        side="top",
        showgrid=True,
        gridcolor="#eeeeee",
    )
    # the first category is drawn at the bottom: the first row of the document goes on top
    order = [row.label for row in reversed(rows)]
    fig.update_yaxes(categoryorder="array", categoryarray=order, showgrid=True, gridcolor="#f3f3f3")
    fig.update_layout(
        legend={
            "orientation": "h",
            "y": 0,
            "yanchor": "top",
            "x": 0,
            "title": {"text": LEGEND_TITLE},
        }
    )
    fig = _layout(fig, height=150 + 30 * len(order))
    fig.update_layout(margin={"b": 60})
    return fig


# --------------------------------------------------------------------------- comparison


def compare_heatmap(matrix: pl.DataFrame, labels: Sequence[str]) -> go.Figure:
    """Heatmap of module × parcours coefficients (``compare_modules`` output), one row per
    module of each UE; empty cells = module absent from that parcours."""
    fig = _figure()
    labels = list(labels)
    if matrix.height == 0 or not labels:
        return _layout(fig, "Aucune valeur attribuable à un module")
    y = [f"{r['ue']} · {wrap(r['module'], 24, 1)}" for r in matrix.iter_rows(named=True)]
    z = [[r[lab] for lab in labels] for r in matrix.iter_rows(named=True)]
    text = [[_fr(v) if v is not None else "" for v in row] for row in z]
    hover = [
        [
            f"<b>{r['module_code'] or ''}</b> {r['module_name'] or ''}<br>{r['ue']} · {lab}<br>"
            f"coefficient : {_fr(r[lab]) if r[lab] is not None else 'absent'}<br>"
            f"statut : {r['statut']}<br>lignes source : {r['lignes']}"
            for lab in labels
        ]
        for r in matrix.iter_rows(named=True)
    ]
    shown = [wrap(lab, 22) for lab in labels]
    fig.add_trace(
        go.Heatmap(
            z=z,
            x=shown,
            y=y,
            text=text,
            texttemplate="%{text}",
            hovertext=hover,
            hoverinfo="text",
            colorscale="Blues",
            colorbar={"title": {"text": "coef."}},
            xgap=2,
            ygap=1,
        )
    )
    fig.update_yaxes(autorange="reversed", tickfont={"size": FONT_SIZE - 3})
    fig.update_xaxes(side="top")
    return _layout(fig, height=120 + 22 * _lines(shown) + 22 * len(y))


def _value_hover(r: Mapping[str, Any], table: str, word: str) -> str:
    """Hover text of one printed value (a ``value_distribution`` row): module, UE and table,
    the value and its kind, the source line."""
    return (
        f"<b>{r['module']}</b> {r['module_name'] or ''}<br>{r['ue']} · {table}<br>"
        f"{word} : {_fr(r['coefficient'])} ({r['kind_fr']})<br>ligne source : {r['source_line']}"
    )


def ue_values_strip(values: pl.DataFrame) -> go.Figure:
    """Every printed value of each UE, one colour per table (UE-level comparison, used when the
    values are not attributable to modules). ``values``: ``value_distribution`` output."""
    fig = _figure()
    for lab in values["label"].unique(maintain_order=True).to_list():
        part = values.filter(pl.col("label") == lab)
        hover = [_value_hover(r, lab, "valeur") for r in part.iter_rows(named=True)]
        fig.add_trace(
            go.Box(
                x=part["ue"].to_list(),
                y=part["coefficient"].to_list(),
                name=lab,
                boxpoints="all",
                jitter=0.4,
                pointpos=0,
                hovertext=hover,
                hoverinfo="text",
                line={"width": 1},
                fillcolor="rgba(0,0,0,0)",
                marker={"size": 9},
            )
        )
    fig.update_layout(boxmode="group", yaxis_title="coefficient", xaxis_title=None)
    _legend_below(fig)
    n = values["label"].n_unique()
    return _layout(fig, "Valeurs imprimées par UE", height=430 + 26 * n)


# --------------------------------------------------------------------------- weights per UE


def ue_stack(weights: pl.DataFrame, by: str = "module") -> go.Figure:
    """Stacked bars of each UE's total split by module or by kind (``ue_weights`` output).
    x = UE, then table label (grouped); one trace per segment."""
    fig = _figure()
    if weights.height == 0:
        return _layout(fig, "Aucun coefficient")
    cats = (
        weights.select("competence", "ue", "label").unique(maintain_order=True).sort("competence")
    )
    ue_of = {(r["competence"], r["label"]): r["ue"] for r in cats.iter_rows(named=True)}
    x0 = [r["ue"] for r in cats.iter_rows(named=True)]
    full = [r["label"] for r in cats.iter_rows(named=True)]
    x1 = [wrap(lab, 14) for lab in full]
    keys = list(zip([r["competence"] for r in cats.iter_rows(named=True)], full))
    segments = weights["segment"].unique(maintain_order=True).to_list()
    if by == "kind":
        segments = [k for k in KIND_COLORS if k in segments] + [
            s for s in segments if s not in KIND_COLORS
        ]
    for seg in segments:
        part = {
            (r["competence"], r["label"]): r
            for r in weights.filter(pl.col("segment") == seg).iter_rows(named=True)
        }
        ys, hov = [], []
        for key in keys:
            r = part.get(key)
            ys.append(r["coefficient"] if r else None)
            if r is None:
                hov.append("")
            elif by == "kind":
                hov.append(
                    f"<b>{seg}</b> · {ue_of[key]} · {key[1]}<br>total : {_fr(r['coefficient'])}"
                    f"<br>modules : {r['modules']}<br>lignes source : {r['lignes']}"
                )
            else:
                hov.append(
                    f"<b>{seg}</b> {r.get('module_name') or ''}<br>{r.get('kind_fr')} · "
                    f"{ue_of[key]} · {key[1]}<br>coefficient : {_fr(r['coefficient'])}"
                    f"<br>ligne source : {r['lignes']}"
                )
        marker: dict[str, object] = {"line": {"width": 0.5, "color": "#ffffff"}}
        if by == "kind":
            marker["color"] = KIND_COLORS.get(seg, "#7f7f7f")
        elif seg == UNATTRIBUTED:
            marker["color"] = "#c7c7c7"
        fig.add_trace(
            go.Bar(x=[x0, x1], y=ys, name=seg, hovertext=hov, hoverinfo="text", marker=marker)
        )
    fig.update_layout(barmode="stack", yaxis_title="coefficient dans l'UE", showlegend=by == "kind")
    _legend_below(fig)
    fig.update_xaxes(tickfont={"size": FONT_SIZE - 3}, tickangle=0)
    title = (
        "Total de chaque UE, par type de module"
        if by == "kind"
        else "Total de chaque UE, par module (survol : code, intitulé, ligne)"
    )
    return _layout(fig, title, height=440 + 18 * _lines(x1))


def sae_share_chart(summary: pl.DataFrame, band: tuple[float, float] = (0.4, 0.6)) -> go.Figure:
    """SAÉ share of each UE (``ue_summary`` output) against the target band (a local setting)."""
    fig = _figure()
    df = summary.sort("competence")
    lo, hi = band
    x0 = df["ue"].to_list()
    x1 = [wrap(lab, 14) for lab in df["label"].to_list()]
    shares = df["part_sae"].to_list()
    colors = [
        {None: "#c7c7c7", True: SAE_IN_BAND, False: SAE_OUT_BAND}[in_band(s, band)] for s in shares
    ]
    hover = [
        f"<b>{r['ue']}</b> · {r['label']}<br>part SAÉ : "
        + (fmt.percent(r["part_sae"]) if r["part_sae"] is not None else "inconnue")
        + (" (imprimée)" if r["sae_share_printed"] else " (calculée)")
        + f"<br>total : {_fr(r['somme'])} · ECTS : {_fr(r['ects'])}<br>ligne source : {r['source_line']}"
        for r in df.iter_rows(named=True)
    ]
    fig.add_trace(
        go.Bar(
            x=[x0, x1],
            y=[None if s is None else 100 * s for s in shares],
            marker={"color": colors},
            hovertext=hover,
            hoverinfo="text",
            text=[fmt.percent(s, 0) if s is not None else "?" for s in shares],
            textposition="outside",
            name="part SAÉ",
            showlegend=False,
        )
    )
    add_band(fig, band)
    fig.update_yaxes(range=[0, 105], title="part SAÉ (%)", ticksuffix=" %")
    fig.update_xaxes(tickfont={"size": FONT_SIZE - 3}, tickangle=0)
    return _layout(
        fig,
        "Part des SAÉ dans chaque UE (bleu : dans la cible, orange : hors cible)",
        height=420 + 18 * _lines(x1),
    )


def add_band(fig: go.Figure, band: tuple[float, float], **where: int) -> None:
    """The SAÉ target band (a local setting, said so) behind a share axis in percent."""
    lo, hi = band
    fig.add_hrect(
        y0=100 * lo,
        y1=100 * hi,
        fillcolor="#2e7d32",
        opacity=0.10,
        line_width=0,
        layer="below",
        annotation_text=f"cible {band_label(band)} (réglage local)",
        annotation_position="top left",
        annotation_font_size=FONT_SIZE - 1,
        **where,
    )


def band_label(band: tuple[float, float]) -> str:
    """``(0.4, 0.6)`` -> « 40–60 % »."""
    lo, hi = band
    return f"{fmt.number(100 * lo, 1)}–{fmt.number(100 * hi, 1)}{fmt.NNBSP}%"


def spread_chart(values: pl.DataFrame) -> go.Figure:
    """Spread of module weights per UE across the selected tables: one box per UE (by competence)
    with every module's coefficient as a point (hover: module, table, source line)."""
    fig = _figure()
    if values.height == 0:
        return _layout(fig, "Aucun coefficient")
    df = values.with_columns(
        ue_key=pl.concat_str(pl.lit("compétence "), pl.col("competence").cast(pl.String))
    )
    hover = [_value_hover(r, r["label"], "coefficient") for r in df.iter_rows(named=True)]
    fig.add_trace(
        go.Box(
            x=df["ue_key"].to_list(),
            y=df["coefficient"].to_list(),
            boxpoints="all",
            jitter=0.5,
            pointpos=0,
            hovertext=hover,
            hoverinfo="text",
            marker={"size": 8, "color": "#1f4e8c", "opacity": 0.6},
            line={"color": "#555555"},
            fillcolor="rgba(31,78,140,0.08)",
            name="coefficients",
            showlegend=False,
        )
    )
    fig.update_layout(yaxis_title="coefficient d'un module dans l'UE")
    return _layout(fig, "Dispersion des coefficients des modules, par compétence", height=420)


# --------------------------------------------------------------------------- simulation


class UEAverage(TypedDict):
    """One bar of the simulation chart."""

    semestre: str
    ue: str
    moyenne: float | None  # None: no grade yet
    code: str | None  # ADM / CMP / AJ / None


def simulation_chart(ues: Sequence[UEAverage], pass_mark: float = 10.0) -> go.Figure:
    """UE averages coloured by code. Redrawn on every slider move: the frame (house style,
    pass line, axis) is built and validated once per pass mark, the bar added as a plain spec
    without plotly's validation (≈ 5 ms → 0,5 ms); ``tests/test_charts.py`` checks that the
    figure equals the one plotly builds with validation."""
    x0 = [u["semestre"] for u in ues]
    x1 = [u["ue"] for u in ues]
    bar = {
        "type": "bar",
        "x": [x0, x1],
        "y": [u["moyenne"] if u["moyenne"] is not None else 0 for u in ues],
        "marker": {"color": [CODE_COLORS.get(u["code"], "#9e9e9e") for u in ues]},
        "text": [
            f"{_fr(u['moyenne'])} · {u['code']}" if u["moyenne"] is not None else "pas de note"
            for u in ues
        ],
        "textposition": "outside",
        "hoverinfo": "skip",
        "showlegend": False,
    }
    layout = copy.deepcopy(_simulation_layout(pass_mark))
    return go.Figure({"data": [bar], "layout": layout}, _validate=False)


_NOT_2D_BAR = frozenset(
    {"coloraxis", "colorscale", "geo", "mapbox", "polar", "scene", "ternary", "colorway"}
)


@functools.lru_cache(maxsize=8)
def _simulation_layout(pass_mark: float) -> dict[str, Any]:
    fig = _figure()
    _hline(fig, pass_mark, f"validation : {_fr(pass_mark)}")
    fig.update_yaxes(range=[0, 21.5], title="moyenne de l'UE", dtick=2)
    layout = _layout(fig, height=340).to_dict()["layout"]
    # Of the house template, only what a 2-D bar chart uses: the rest (other trace types,
    # colour scales, maps, 3-D scenes: ≈ 6 KB) would be copied three times on every slider move
    # and sent for nothing.
    template = layout.get("template", {})
    layout["template"] = {
        "layout": {k: v for k, v in template.get("layout", {}).items() if k not in _NOT_2D_BAR},
        "data": {"bar": template.get("data", {}).get("bar", [])},
    }
    return {k: v for k, v in layout.items() if v not in (None, {})}


def _spread(key: str) -> float:
    """A stable number in [0, 1) from a key (Python's hash() changes from one process to the
    next)."""
    return zlib.crc32(key.encode()) % 1000 / 1000


def sae_share_strip(
    summary: pl.DataFrame, band: tuple[float, float] = (0.4, 0.6), by: str = "formation"
) -> go.Figure:
    """The SAÉ share of every UE of many tables (all formations of a semester or a year), one
    column per ``by`` value, one point per UE (blue in the band, orange outside), the band
    shaded, each point hovering to its table. ``summary``: ``ue_summary`` output with the
    columns ``formation`` and ``full_label``."""
    fig = _figure()
    df = summary.filter(pl.col("part_sae").is_not_null()).sort(by, "full_label", "competence")
    if df.height == 0:
        return _layout(fig, "Aucune part SAÉ connue pour cette sélection")
    groups = df[by].unique(maintain_order=True).to_list()
    where = {g: i for i, g in enumerate(groups)}
    everything = list(df.iter_rows(named=True))
    for inside, color, name in (
        (True, SAE_IN_BAND, "dans la cible"),
        (False, SAE_OUT_BAND, "hors cible"),
    ):
        rows = [r for r in everything if in_band(r["part_sae"], band) is inside]
        if not rows:
            continue
        # Deterministic jitter (same view, same picture): spread the points of a column.
        xs = [where[r[by]] + (_spread(f"{r['table_id']}|{r['ue']}") - 0.5) * 0.6 for r in rows]
        hover = [
            f"<b>{r['formation']} · {r['full_label']}</b><br>{r['ue']} : part SAÉ "
            f"{fmt.percent(r['part_sae'])} ({'imprimée' if r['sae_share_printed'] else 'calculée'})"
            f"<br>total {_fr(r['somme'])} · ECTS {_fr(r['ects'])}<br>fichier {r['source']}, ligne "
            f"{r['source_line']}"
            for r in rows
        ]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=[100 * r["part_sae"] for r in rows],
                mode="markers",
                name=f"UE {name} ({len(rows)})",
                marker={"size": 9, "color": color, "opacity": 0.75},
                hovertext=hover,
                hoverinfo="text",
            )
        )
    add_band(fig, band)
    fig.update_xaxes(
        tickvals=list(range(len(groups))),
        ticktext=[wrap(str(g), 12, 2) for g in groups],
        range=[-0.6, len(groups) - 0.4],
        tickangle=0,
    )
    fig.update_yaxes(range=[0, 105], title="part SAÉ de l'UE (%)", ticksuffix=" %")
    _legend_below(fig)
    return _layout(fig, "Part des SAÉ de chaque UE, par formation", height=480)
