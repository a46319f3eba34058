"""Plotly figures of a scenario against its origin: plain functions of the frames of
:mod:`butdata.scenarios.diff` and :mod:`butdata.scenarios.impact`, French, in the house style of
:mod:`butdata.charts` (same template, fonts and colours)."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from butdata import fmt
from butdata.charts import SAE_OUT_BAND, _figure, _layout, add_band
from butdata.vocab import in_band

BEFORE_COLOR, AFTER_COLOR = "#9e9e9e", "#1f4e8c"
BEFORE_LABEL, AFTER_LABEL = "origine", "proposition"


def ue_diff_chart(ues: pl.DataFrame, band: tuple[float, float] = (0.4, 0.6)) -> go.Figure:
    """Per UE, origin beside proposal: the coefficient total (left) and the SAÉ share against
    the target band, a local setting (right). ``ues``: :func:`butdata.scenarios.diff.ue_diff`."""
    fig = _figure()
    if ues.height == 0:
        return _layout(fig, "Aucune UE")
    fig.set_subplots(
        rows=1,
        cols=2,
        subplot_titles=("Total des coefficients", "Part des SAÉ"),
        horizontal_spacing=0.1,
    )
    x = ues["ue"].to_list()
    lo, hi = band
    for side, label, color in (
        ("before", BEFORE_LABEL, BEFORE_COLOR),
        ("after", AFTER_LABEL, AFTER_COLOR),
    ):
        totals = ues[f"total_{side}"].to_list()
        shares = ues[f"share_{side}"].to_list()
        hover = [
            f"<b>{ue}</b> · {label}<br>total : {fmt.number(t)} · ECTS : {fmt.number(e)}<br>"
            f"SAÉ : {fmt.number(s)} ({fmt.percent(p)})"
            for ue, t, e, s, p in zip(
                x, totals, ues[f"ects_{side}"].to_list(), ues[f"sae_{side}"].to_list(), shares
            )
        ]
        fig.add_trace(
            go.Bar(
                x=x,
                y=totals,
                name=label,
                marker={"color": color},
                text=[fmt.number(t) for t in totals],
                textposition="outside",
                hovertext=hover,
                hoverinfo="text",
                legendgroup=label,
            ),
            row=1,
            col=1,
        )
        inside = [in_band(s, band) for s in shares]
        outline = [color if ok or side == "before" else SAE_OUT_BAND for ok in inside]
        fig.add_trace(
            go.Bar(
                x=x,
                y=[None if s is None else 100 * s for s in shares],
                name=label,
                marker={"color": color, "line": {"color": outline, "width": 3}},
                text=[fmt.percent(s) for s in shares],
                textposition="outside",
                hovertext=hover,
                hoverinfo="text",
                legendgroup=label,
                showlegend=False,
            ),
            row=1,
            col=2,
        )
    add_band(fig, band, row=1, col=2)
    fig.update_layout(barmode="group", legend={"orientation": "h", "y": -0.12, "x": 0})
    fig.update_yaxes(title_text="coefficient", row=1, col=1)
    fig.update_yaxes(title_text="part SAÉ (%)", range=[0, 100], ticksuffix=" %", row=1, col=2)
    return _layout(fig, "UE : origine et proposition", height=460)


def impact_chart(ues: pl.DataFrame) -> go.Figure:
    """Share of students validating each UE (ADM or CMP), origin beside proposal, on the same
    simulated cohort. ``ues``: the ``ues`` frame of :class:`butdata.scenarios.impact.Impact`."""
    fig = _figure()
    if ues.height == 0:
        return _layout(fig, "Aucune UE")
    x = ues["ue"].to_list()
    for side, label, color in (
        ("before", BEFORE_LABEL, BEFORE_COLOR),
        ("after", AFTER_LABEL, AFTER_COLOR),
    ):
        passed = ues[f"passed_{side}"].to_list()
        hover = [
            f"<b>{ue}</b> · {label}<br>UE validée : {fmt.percent(p)} (ADM {fmt.percent(a)}, "
            f"CMP {fmt.percent(c)})<br>moyenne : {fmt.number(m)}"
            for ue, p, a, c, m in zip(
                x,
                passed,
                ues[f"adm_{side}"].to_list(),
                ues[f"cmp_{side}"].to_list(),
                ues[f"mean_{side}"].to_list(),
            )
        ]
        fig.add_trace(
            go.Bar(
                x=x,
                y=[None if p is None else 100 * p for p in passed],
                name=label,
                marker={"color": color},
                text=[fmt.percent(p) for p in passed],
                textposition="outside",
                hovertext=hover,
                hoverinfo="text",
            )
        )
    fig.update_layout(
        barmode="group",
        yaxis={"title": "étudiants validant l'UE (%)", "range": [0, 105], "ticksuffix": " %"},
        legend={"orientation": "h", "y": -0.12, "x": 0},
    )
    return _layout(fig, "UE validées (ADM ou CMP), même cohorte simulée", height=420)
