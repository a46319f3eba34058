"""The home page's map (butdata.overview_map): HTML on screen, the same rows and hover texts in
the plotly figure of the print. Tables are written out below; every expectation is read from
them by hand."""

from __future__ import annotations

import re

import polars as pl

from butdata import charts
from butdata.overview_map import NO_SEMESTER, RELIABILITY_COLORS, map_html, map_rows, tip_lines


def _table(table_id, source, ord_, formation, doc, semester, reliability, **extra):
    row = {
        "table_id": table_id,
        "source": source,
        "ord": ord_,
        "source_line": 10 * ord_ + 1,
        "formation": formation,
        "formation_name": f"B.U.T. {formation}",
        "doc": doc,
        "semester": semester,
        "label": f"S{semester} · {table_id}",
        "title": f"Titre {table_id}",
        "reliability": reliability,
        "n_ue": 4,
        "n_coefficients": 1234,
        "n_unattributed": 0,
        "n_warnings": 0,
    }
    return row | extra


TABLES = pl.DataFrame(
    [
        # b.txt comes after a.txt although its row is listed first
        _table("b-s1", "b.txt", 0, "GEA", "MCC B", 1, "ue_only"),
        _table("a-s3-y", "a.txt", 7, "QLIO", "MCC A", 3, "partial", n_unattributed=3),
        _table("a-s3-x", "a.txt", 6, "QLIO", "MCC A", 3, "modules"),
        _table("a-s6", "a.txt", 8, "QLIO", "MCC A", 6, "modules"),
        _table("b-nosem", "b.txt", 1, "GEA", "MCC B", None, "empty", title="<b>x</b> & co"),
    ],
    schema_overrides={"semester": pl.Int32},
)


def test_rows_in_document_order_and_tables_of_a_semester_side_by_side():
    rows = map_rows(TABLES)
    assert [r.label for r in rows] == ["QLIO · MCC A", "GEA · MCC B"]
    assert [t["table_id"] for t in rows[0].cells[3]] == ["a-s3-x", "a-s3-y"]  # ord 6 then 7
    assert set(rows[1].cells) == {1, None}


def test_tip_says_the_table_its_counts_and_its_source_line():
    r = TABLES.row(1, named=True)  # a-s3-y: ord 7, line 71, 3 unattributed
    assert tip_lines(r) == [
        "QLIO · S3 · a-s3-y",
        "Titre a-s3-y",
        "partiel · 4 UE · 1\u202f234 coefficients dont 3 non attribuables à un module",
        "avertissements : 0",
        "fichier a.txt, ligne 71",
    ]


def test_html_map_columns_squares_colours_and_escaping():
    page = map_html(TABLES)
    heads = re.findall(r"<th(?: [^>]*)?>(.*?)</th>", page)
    assert heads == ["Formation · document", "S1", "S2", "S3", "S4", "S5", "S6", NO_SEMESTER]
    squares = re.findall(r"data-table='([^']+)' style='background:([^']+)'", page)
    assert squares == [
        ("a-s3-x", RELIABILITY_COLORS["modules"]),
        ("a-s3-y", RELIABILITY_COLORS["partial"]),
        ("a-s6", RELIABILITY_COLORS["modules"]),
        ("b-s1", RELIABILITY_COLORS["ue_only"]),
        ("b-nosem", RELIABILITY_COLORS["empty"]),
    ]
    # a title from a document is text, never markup
    assert "&lt;b&gt;x&lt;/b&gt; &amp; co" in page and "<b>x</b>" not in page
    # the right half of the columns (S4 onwards, here S6 and « sans semestre ») opens leftwards
    ends = re.findall(r"class='bd-sq( bd-end)?' tabindex='0' data-table='([^']+)'", page)
    assert {t: bool(e) for e, t in ends} == {
        "a-s3-x": False,
        "a-s3-y": False,
        "a-s6": True,
        "b-s1": False,
        "b-nosem": True,
    }
    # each square can be reached with Tab, and its text shows on focus as on hover
    assert page.count("tabindex='0'") == 5
    assert ".bd-sq:focus .bd-tip" in page
    for label in ("modules identifiés", "valeurs par UE seulement", "partiel", "vide"):
        assert label in page  # the legend


def test_html_map_of_an_empty_store():
    assert "Aucun tableau" in map_html(TABLES.clear())


def test_figure_has_the_same_rows_hovers_and_a_column_for_tables_without_semester():
    fig = charts.overview_map(TABLES)
    # the first row of the documents on top: plotly draws the first category at the bottom
    assert list(fig.layout.yaxis.categoryarray) == ["GEA · MCC B", "QLIO · MCC A"]
    assert list(fig.layout.xaxis.ticktext)[-1] == NO_SEMESTER
    assert fig.layout.xaxis.range[0] < 0 < fig.layout.xaxis.range[1]  # x = 0 is shown
    hovers = {h for tr in fig.data for h in tr.hovertext}
    head, *rest = tip_lines(TABLES.row(1, named=True))
    assert f"<b>{head}</b><br>" + "<br>".join(rest) in hovers
    by_name = {tr.name: len(tr.x) for tr in fig.data}
    assert by_name == {
        "modules identifiés": 2,
        "valeurs par UE seulement": 1,
        "partiel": 1,
        "vide": 1,
    }
    # two tables in QLIO S3: side by side around x = 3
    xs = sorted(x for tr in fig.data for x, y in zip(tr.x, tr.y) if y == "QLIO · MCC A")
    assert xs[0] < 3 < xs[1] < 4 and xs[2] == 6
