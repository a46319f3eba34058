"""Figure builders are plain functions of data: tested without Streamlit, on the fixture store
(tests/fixtures.py: every expected number below is derived there by hand)."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import polars as pl
import pytest
from fixtures import tiny_store

from butdata import charts
from butdata.analysis import compare as cmp
from butdata.analysis import queries as q

N = "\u202f"


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    import duckdb

    con = duckdb.connect(
        str(tiny_store(tmp_path_factory.mktemp("fx") / "fx.duckdb")), read_only=True
    )
    yield con
    con.close()


def _frames(con, ids):
    t = q.table_rows(con, ids)
    return t, q.coefficients_of(con, ids), q.ues_of(con, ids)


def test_overview_map_one_trace_per_reliability(fx):
    fig = charts.overview_map(q.overview_tables(fx))
    by_name = {tr.name: tr for tr in fig.data}
    # 3 QLIO tables with modules, GEA S1 by UE only, GEA S2 partial, GEA S1 X empty
    assert {n: len(tr.x) for n, tr in by_name.items()} == {
        "modules identifiés": 3,
        "valeurs par UE seulement": 1,
        "partiel": 1,
        "vide": 1,
    }
    assert by_name["modules identifiés"].marker.color == "#2e7d32"  # green: usable module by module
    assert by_name["vide"].marker.color == "#9e9e9e"
    assert all("ligne" in h for tr in fig.data for h in tr.hovertext)
    # projector-sized text, from the house template every figure uses
    assert fig.layout.template.layout.font.size >= 16
    assert fig.layout.template.layout.hoverlabel.font.size >= 16  # hover text at body size


def test_compare_heatmap_wraps_long_labels_and_hovers_module_and_line(fx):
    t, c, _ = _frames(fx, ["fix-qlio-s3-qmi", "fix-qlio-s3-mp"])
    long = "un parcours au nom vraiment très long"
    m = cmp.compare_modules(c, t)
    fig = charts.compare_heatmap(m.rename({"QMI": long}), [long, "MP"])
    hm = fig.data[0]
    assert list(hm.x)[0] == "un parcours au nom<br>vraiment très long"  # wrapped, never cut
    fig = charts.compare_heatmap(m, t["label"].to_list())
    first = fig.data[0].hovertext[0][0]
    assert "R3.01" in first and "Module R3.01" in first and "lignes source" in first


def test_ue_stack_by_kind_and_module(fx):
    t, c, _ = _frames(fx, ["fix-qlio-s3-qmi"])
    fig = charts.ue_stack(cmp.ue_weights(c, t, by="kind"), by="kind")
    assert fig.layout.barmode == "stack"
    sae = next(tr for tr in fig.data if tr.name == "SAÉ")
    assert list(sae.y) == [4.0, 3.0]  # SAE3.01 in UE31 and UE32
    assert fig.layout.legend.y < 0  # under the plot, never over the title
    fig2 = charts.ue_stack(cmp.ue_weights(c, t, by="module"), by="module")
    hovers = [h for tr in fig2.data for h in tr.hovertext if h]
    assert any("R3.07" in h and "ligne source" in h for h in hovers)


def test_sae_share_band_label_and_colours(fx):
    t, c, u = _frames(fx, ["fix-qlio-s3-qmi", "fix-qlio-s3-mp"])
    summary = cmp.ue_summary(c, u, t)
    fig = charts.sae_share_chart(summary, (0.45, 0.60))
    texts = [a.text for a in fig.layout.annotations]
    assert any(x == f"cible 45–60{N}% (réglage local)" for x in texts), texts  # was « 45–6 % »
    assert charts.band_label((0.4, 0.6)) == f"40–60{N}%"  # was « 4–6 % »
    # UE31: QMI 4/8 = 50 % (in 45–60 %), MP 3/8 = 37,5 % (out); UE32: 75 % both (out)
    colours = dict(
        zip(
            zip(summary.sort("competence")["ue"], summary.sort("competence")["label"]),
            fig.data[0].marker.color,
        )
    )
    assert colours[("UE31", "QMI")] == charts.SAE_IN_BAND
    assert colours[("UE31", "MP")] == charts.SAE_OUT_BAND
    assert f"37,5{N}%" in " ".join(fig.data[0].hovertext)


def test_sae_share_strip_across_formations(fx):
    tables = q.tables_in_semesters(fx, [1, 3])
    ids = tables["table_id"].to_list()
    summary = cmp.ue_summary(q.coefficients_of(fx, ids), q.ues_of(fx, ids), tables).join(
        tables.select("table_id", "formation", "full_label"), on="table_id"
    )
    fig = charts.sae_share_strip(summary, (0.4, 0.6))
    inside = next(tr for tr in fig.data if tr.name.startswith("UE dans"))
    outside = next(tr for tr in fig.data if tr.name.startswith("UE hors"))
    # in 40–60 %: QMI UE31 50 %, GEA UE 1.1 40 % (printed), GEA UE 1.2 50 %;
    # outside: MP UE31 37,5 %, UE32 75 % twice
    assert sorted(inside.y) == [40.0, 50.0, 50.0] and sorted(outside.y) == [37.5, 75.0, 75.0]
    assert list(fig.layout.xaxis.ticktext) == ["GEA", "QLIO"]
    assert all("ligne" in h for h in inside.hovertext)


def test_spread_and_strip(fx):
    t, c, _ = _frames(fx, ["fix-gea-s1", "fix-qlio-s3-qmi"])
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


def test_simulation_chart_is_what_plotly_validates():
    """The chart is assembled without plotly's validation (it is redrawn on every slider move):
    validating the same spec must give exactly the same figure, so nothing invalid is sent."""
    ues = [
        {"semestre": "S3", "ue": "UE31", "moyenne": 12.25, "code": "ADM"},
        {"semestre": "S4", "ue": "UE41", "moyenne": 9.5, "code": "CMP"},
        {"semestre": "S4", "ue": "UE42", "moyenne": None, "code": None},
    ]
    fig = charts.simulation_chart(ues, pass_mark=10.0)
    validated = go.Figure(fig.to_dict())
    assert json.loads(fig.to_json()) == json.loads(validated.to_json())
    assert fig.layout.yaxis.range == (0, 21.5)
    assert fig.layout.annotations[0].text == "validation : 10"
    assert fig.data[0].text[0] == "12,25 · ADM"


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
