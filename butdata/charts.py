"""Plotly figures of the dashboard: plain functions of frames (or plain lists), no Streamlit.

Made for a projector: large fonts, few colours with fixed meanings, French labels, and hover
texts that always say which module (code, name) and which source line a number comes from.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import plotly.io as pio
import polars as pl

FONT_SIZE = 16
STATUS_COLORS = {"complet": "#2e7d32", "partiel": "#ef8f00", "vide": "#9e9e9e"}
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
UNATTRIBUTED = "(non attribuable)"


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
    if x is None:
        return "—"
    return f"{x:.{digits}f}".rstrip("0").rstrip(".").replace(".", ",")


# --------------------------------------------------------------------------- overview


def overview_map(tables: pl.DataFrame) -> go.Figure:
    """One square per table: rows = formation · document (· site), columns = semesters S1-S6,
    side by side when a semester has several parcours; colour = status."""
    fig = _figure()
    if tables.height == 0:
        return _layout(fig, "Aucun tableau dans la base")
    df = tables.with_columns(
        row=pl.concat_str(pl.col("formation").fill_null("?"), pl.lit(" · "), pl.col("doc")),
        sem=pl.col("semester").fill_null(0),
    )
    df = df.with_columns(k=pl.int_range(pl.len()).over("row", "sem"), n=pl.len().over("row", "sem"))
    df = df.with_columns(
        x=pl.col("sem")
        + (pl.col("k") - (pl.col("n") - 1) / 2) * 0.8 / pl.max_horizontal(pl.col("n"), 4)
    )
    rows = (
        df.select("row", "source", "ord")
        .group_by("row")
        .agg(pl.col("source").first(), pl.col("ord").min())
    )
    order = rows.sort("source", "ord", descending=[True, True])["row"].to_list()
    for statut, color in STATUS_COLORS.items():
        part = df.filter(pl.col("statut") == statut)
        if part.height == 0:
            continue
        hover = [
            f"<b>{r['formation'] or '?'} · {r['label']}</b><br>{r['title'] or ''}<br>"
            f"statut : {statut} · {r['n_ue']} UE · {r['n_coefficients']} coefficients"
            + (
                f" dont {r['n_unattributed']} non attribuables à un module"
                if r["n_unattributed"]
                else ""
            )
            + f"<br>avertissements : {r['n_warnings']}<br>source : {r['source']}, ligne {r['source_line']}"
            for r in part.iter_rows(named=True)
        ]
        fig.add_trace(
            go.Scatter(
                x=part["x"].to_list(),
                y=part["row"].to_list(),
                mode="markers",
                name=statut,
                marker={
                    "symbol": "square",
                    "size": 17,
                    "color": color,
                    "line": {"width": 1, "color": "#ffffff"},
                },
                hovertext=hover,
                hoverinfo="text",
            )
        )
    fig.update_xaxes(
        tickvals=[1, 2, 3, 4, 5, 6],
        ticktext=[f"S{i}" for i in range(1, 7)],
        range=[0.5, 6.5],
        side="top",
        showgrid=True,
        gridcolor="#eeeeee",
    )
    fig.update_yaxes(categoryorder="array", categoryarray=order, showgrid=True, gridcolor="#f3f3f3")
    fig.update_layout(
        legend={
            "orientation": "h",
            "y": -0.02,
            "yanchor": "top",
            "x": 0,
            "title": {"text": "Statut du tableau : "},
        }
    )
    return _layout(fig, height=120 + 30 * len(order))


# --------------------------------------------------------------------------- comparison


def compare_heatmap(matrix: pl.DataFrame, labels: Sequence[str]) -> go.Figure:
    """Heatmap of module × parcours coefficients (``compare_modules`` output), one row per
    module of each UE; empty cells = module absent from that parcours."""
    fig = _figure()
    labels = list(labels)
    if matrix.height == 0 or not labels:
        return _layout(fig, "Aucune valeur attribuable à un module")
    y = [f"{r['ue']} · {r['module_code']}" for r in matrix.iter_rows(named=True)]
    z = [[r[lab] for lab in labels] for r in matrix.iter_rows(named=True)]
    text = [[_fr(v) if v is not None else "" for v in row] for row in z]
    hover = [
        [
            f"<b>{r['module_code']}</b> {r['module_name'] or ''}<br>{r['ue']} · {lab}<br>"
            f"coefficient : {_fr(r[lab]) if r[lab] is not None else 'absent'}<br>"
            f"statut : {r['statut']}<br>lignes source : {r['lignes']}"
            for lab in labels
        ]
        for r in matrix.iter_rows(named=True)
    ]
    fig.add_trace(
        go.Heatmap(
            z=z,
            x=labels,
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
    return _layout(fig, height=140 + 22 * len(y))


def ue_values_strip(values: pl.DataFrame) -> go.Figure:
    """Every printed value of each UE, one colour per table (UE-level comparison, used when the
    values are not attributable to modules). ``values``: ``value_distribution`` output."""
    fig = _figure()
    for lab in values["label"].unique(maintain_order=True).to_list():
        part = values.filter(pl.col("label") == lab)
        hover = [
            f"<b>{r['module']}</b> {r['module_name'] or ''}<br>{r['ue']} · {lab}<br>"
            f"valeur : {_fr(r['coefficient'])} ({r['kind_fr']})<br>ligne source : {r['source_line']}"
            for r in part.iter_rows(named=True)
        ]
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
    fig.update_layout(
        boxmode="group",
        yaxis_title="coefficient",
        xaxis_title=None,
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
    )
    return _layout(fig, "Valeurs imprimées par UE", height=430)


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
    x1 = [r["label"] for r in cats.iter_rows(named=True)]
    keys = list(zip([r["competence"] for r in cats.iter_rows(named=True)], x1))
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
        marker = {"line": {"width": 0.5, "color": "#ffffff"}}
        if by == "kind":
            marker["color"] = KIND_COLORS.get(seg, "#7f7f7f")
        elif seg == UNATTRIBUTED:
            marker["color"] = "#c7c7c7"
        fig.add_trace(
            go.Bar(x=[x0, x1], y=ys, name=seg, hovertext=hov, hoverinfo="text", marker=marker)
        )
    fig.update_layout(
        barmode="stack",
        yaxis_title="coefficient dans l'UE",
        showlegend=by == "kind",
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
    )
    fig.update_xaxes(tickfont={"size": FONT_SIZE - 3})
    title = (
        "Total de chaque UE, par type de module"
        if by == "kind"
        else "Total de chaque UE, par module (survol : code, intitulé, ligne)"
    )
    return _layout(fig, title, height=480)


def sae_share_chart(summary: pl.DataFrame, band: tuple[float, float] = (0.4, 0.6)) -> go.Figure:
    """SAÉ share of each UE (``ue_summary`` output) against the target band (a local setting)."""
    fig = _figure()
    df = summary.sort("competence")
    lo, hi = band
    x0 = df["ue"].to_list()
    x1 = df["label"].to_list()
    shares = df["part_sae"].to_list()
    colors = [
        ("#c7c7c7" if s is None else SAE_IN_BAND if lo - 1e-9 <= s <= hi + 1e-9 else SAE_OUT_BAND)
        for s in shares
    ]
    hover = [
        f"<b>{r['ue']}</b> · {r['label']}<br>part SAÉ : "
        + (f"{_fr(100 * r['part_sae'], 1)} %" if r["part_sae"] is not None else "inconnue")
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
            text=[f"{_fr(100 * s, 0)} %" if s is not None else "?" for s in shares],
            textposition="outside",
            name="part SAÉ",
            showlegend=False,
        )
    )
    fig.add_hrect(
        y0=100 * lo,
        y1=100 * hi,
        fillcolor="#2e7d32",
        opacity=0.10,
        line_width=0,
        annotation_text=f"cible {_fr(100 * lo, 0)}–{_fr(100 * hi, 0)} % (réglage local)",
        annotation_position="top left",
        annotation_font_size=FONT_SIZE - 1,
    )
    fig.update_yaxes(range=[0, 100], title="part SAÉ (%)", ticksuffix=" %")
    fig.update_xaxes(tickfont={"size": FONT_SIZE - 3})
    return _layout(
        fig, "Part des SAÉ dans chaque UE (bleu : dans la cible, orange : hors cible)", height=440
    )


def spread_chart(values: pl.DataFrame) -> go.Figure:
    """Spread of module weights per UE across the selected tables: one box per UE (by competence)
    with every module's coefficient as a point (hover: module, table, source line)."""
    fig = _figure()
    if values.height == 0:
        return _layout(fig, "Aucun coefficient")
    df = values.with_columns(
        ue_key=pl.concat_str(pl.lit("compétence "), pl.col("competence").cast(pl.String))
    )
    hover = [
        f"<b>{r['module']}</b> {r['module_name'] or ''}<br>{r['ue']} · {r['label']}<br>"
        f"coefficient : {_fr(r['coefficient'])} ({r['kind_fr']})<br>ligne source : {r['source_line']}"
        for r in df.iter_rows(named=True)
    ]
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


def simulation_chart(ues: Sequence[dict], pass_mark: float = 10.0) -> go.Figure:
    """UE averages coloured by code. ``ues``: dicts with ``semestre``, ``ue``, ``moyenne``
    (None = no grade yet) and ``code`` (ADM / CMP / AJ / None)."""
    fig = _figure()
    x0 = [u["semestre"] for u in ues]
    x1 = [u["ue"] for u in ues]
    y = [u["moyenne"] if u["moyenne"] is not None else 0 for u in ues]
    fig.add_trace(
        go.Bar(
            x=[x0, x1],
            y=y,
            marker={"color": [CODE_COLORS.get(u["code"], "#9e9e9e") for u in ues]},
            text=[
                (
                    f"{_fr(u['moyenne'])} · {u['code']}"
                    if u["moyenne"] is not None
                    else "pas de note"
                )
                for u in ues
            ],
            textposition="outside",
            hoverinfo="skip",
            showlegend=False,
        )
    )
    _hline(fig, pass_mark, f"validation : {_fr(pass_mark)}")
    fig.update_yaxes(range=[0, 21.5], title="moyenne de l'UE", dtick=2)
    return _layout(fig, height=340)
