"""Plotly figures of the « Cohorte » tab: plain functions of frames, no Streamlit (house style of
:mod:`butdata.charts`: projector fonts, French labels, fixed colours per decision)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import plotly.graph_objects as go
import polars as pl

from butdata import fmt
from butdata.charts import _figure, _hline, _layout

DECISION_COLORS = {"ADM": "#2e7d32", "PASD": "#7cb342", "AJ": "#c62828", None: "#9e9e9e"}
DECISION_NAMES = {
    "ADM": "ADM (année validée)",
    "PASD": "PASD (passage de droit)",
    "AJ": "AJ (le jury décide)",
    None: "en attente",
}


def ue_distribution(
    stats: pl.DataFrame, pass_mark: float = 10.0, floor: float | None = None
) -> go.Figure:
    """Distribution of the UE averages of a cohort, one box per UE from precomputed statistics
    (columns ``ue``, ``n``, ``mean``, ``p5``, ``q1``, ``median``, ``q3``, ``p95``: whiskers at
    the 5th and 95th percentiles), so that a cohort of any size draws instantly."""
    fig = _figure()
    rows = stats.filter(pl.col("n") > 0)
    for r in rows.iter_rows(named=True):
        fig.add_trace(
            go.Box(
                name=str(r["ue"]),
                q1=[r["q1"]],
                median=[r["median"]],
                q3=[r["q3"]],
                lowerfence=[r["p5"]],
                upperfence=[r["p95"]],
                mean=[r["mean"]],
                marker={"color": "#1f4e8c"},
                hoverinfo="skip",
            )
        )
    hover = [
        f"{r['ue']} : médiane {fmt.number(r['median'])}, moyenne {fmt.number(r['mean'])}, "
        f"50 % entre {fmt.number(r['q1'])} et {fmt.number(r['q3'])} ({fmt.integer(r['n'])} étudiants)"
        for r in rows.iter_rows(named=True)
    ]
    fig.add_trace(
        go.Scatter(
            x=[str(u) for u in rows["ue"].to_list()],
            y=rows["median"].to_list(),
            mode="markers",
            marker={"opacity": 0},
            text=hover,
            hovertemplate="%{text}<extra></extra>",
        )
    )
    _hline(fig, pass_mark, f"validation {fmt.number(pass_mark)}")
    if floor is not None and floor != pass_mark:
        _hline(fig, floor, f"plancher {fmt.number(floor)}")
    fig.update_layout(showlegend=False, yaxis={"title": "moyenne d'UE", "range": [0, 20.5]})
    return _layout(
        fig, "Distribution des moyennes d'UE (5e, 25e, 50e, 75e, 95e centiles)", height=420
    )


def decision_shares(scenarios: Mapping[str, pl.DataFrame]) -> go.Figure:
    """Decision shares of one or more scenarios (frames with ``decision``, ``share``), one
    stacked bar per scenario."""
    fig = _figure()
    names = list(scenarios)
    for decision in ("ADM", "PASD", "AJ", None):
        shares = []
        for name in names:
            frame = scenarios[name]
            row = frame.filter(
                pl.col("decision").is_null() if decision is None else pl.col("decision") == decision
            )
            shares.append(float(row["share"][0]) if row.height else 0.0)
        if not any(shares):
            continue
        fig.add_trace(
            go.Bar(
                x=names,
                y=shares,
                name=DECISION_NAMES[decision],
                marker={"color": DECISION_COLORS[decision]},
                text=[fmt.percent(s) for s in shares],
                textposition="inside",
                hovertemplate="%{x} : %{text}<extra>" + DECISION_NAMES[decision] + "</extra>",
            )
        )
    fig.update_layout(barmode="stack", yaxis={"tickformat": ".0%", "title": "part des étudiants"})
    return _layout(fig, "Décisions d'année", height=380)


def pass_rates(
    frame: pl.DataFrame, label_column: str, labels: Sequence[str] | None = None
) -> go.Figure:
    """Share passed per UE or RCUE (``passed`` in 0-1), one bar each."""
    fig = _figure()
    names = labels or [str(x) for x in frame[label_column].to_list()]
    values = frame["passed"].to_list()
    fig.add_trace(
        go.Bar(
            x=names,
            y=values,
            marker={"color": "#1f4e8c"},
            text=[fmt.percent(v) for v in values],
            textposition="outside",
            hovertemplate="%{x} : %{text}<extra></extra>",
        )
    )
    fig.update_layout(yaxis={"tickformat": ".0%", "range": [0, 1.1], "title": "validé"})
    return _layout(fig, None, height=320)
