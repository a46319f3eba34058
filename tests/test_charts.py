"""Figure builders are plain functions of data: tested without Streamlit."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from butdata import charts
from butdata.analysis import compare as cmp
from butdata.analysis import queries as q


def _frames(con, ids):
    t = q.table_rows(con, ids)
    return t, q.coefficients_of(con, ids), q.ues_of(con, ids)


def test_overview_map_one_trace_per_status(con):
    fig = charts.overview_map(q.overview_tables(con))
    names = {tr.name for tr in fig.data}
    assert names <= {"complet", "partiel", "vide"} and "complet" in names
    for tr in fig.data:
        assert tr.marker.color == charts.STATUS_COLORS[tr.name]
        assert all("ligne" in h for h in tr.hovertext)
    # projector-sized text, from the house template every figure uses
    assert fig.layout.template.layout.font.size >= 16


def test_compare_heatmap_hover_names_module_and_line(con):
    t, c, _ = _frames(con, ["000-qlio-s3-mp", "000-qlio-s3-osc"])
    m = cmp.compare_modules(c, t)
    fig = charts.compare_heatmap(m, t["label"].to_list())
    hm = fig.data[0]
    assert isinstance(hm, go.Heatmap) and list(hm.x) == ["MP", "OSC"]
    first = hm.hovertext[0][0]
    assert "R3.01" in first and "Anglais" in first and "lignes source" in first


def test_ue_stack_by_kind_and_module(con):
    t, c, _ = _frames(con, ["000-qlio-s1"])
    fig = charts.ue_stack(cmp.ue_weights(c, t, by="kind"), by="kind")
    assert fig.layout.barmode == "stack"
    assert {tr.name for tr in fig.data} >= {"SAÉ", "ressource"}
    fig2 = charts.ue_stack(cmp.ue_weights(c, t, by="module"), by="module")
    hovers = [h for tr in fig2.data for h in tr.hovertext if h]
    assert any("R1.07" in h and "ligne source : 43" in h for h in hovers)


def test_sae_share_band_is_a_local_setting(con):
    t, c, u = _frames(con, ["000-qlio-s1"])
    fig = charts.sae_share_chart(cmp.ue_summary(c, u, t), (0.45, 0.55))
    texts = [a.text for a in fig.layout.annotations]
    assert any("réglage local" in x and "45–55 %" in x for x in texts)
    # UE11: 4 of 10 = 40 % is outside 45-55 % -> orange
    assert fig.data[0].marker.color[0] == charts.SAE_OUT_BAND


def test_spread_and_strip(con):
    t, c, _ = _frames(con, ["004-qlio-s1", "000-qlio-s1"])
    vals = cmp.value_distribution(c, t)
    fig = charts.spread_chart(vals)
    assert any("(non attribuable)" in h for h in fig.data[0].hovertext)
    strip = charts.ue_values_strip(vals)
    assert {tr.name for tr in strip.data} == set(t["label"])


def test_simulation_chart_colours_codes():
    ues = [
        {"semestre": "S1", "ue": "UE11", "moyenne": 12.0, "code": "ADM"},
        {"semestre": "S1", "ue": "UE12", "moyenne": 8.0, "code": "AJ"},
        {"semestre": "S1", "ue": "UE13", "moyenne": None, "code": None},
    ]
    fig = charts.simulation_chart(ues)
    assert list(fig.data[0].marker.color) == ["#2e7d32", "#c62828", "#9e9e9e"]
    assert fig.data[0].text[2] == "pas de note"


def test_empty_frames_do_not_fail():
    empty = pl.DataFrame(
        schema={
            "label": pl.String,
            "competence": pl.Int64,
            "segment": pl.String,
            "ue": pl.String,
            "coefficient": pl.Float64,
        }
    )
    assert isinstance(charts.ue_stack(empty), go.Figure)
