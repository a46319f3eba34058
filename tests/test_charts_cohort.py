"""Figures of the « Cohorte » tab are plain functions of frames (French labels)."""

from __future__ import annotations

import numpy as np
import polars as pl
from test_cohort import structure

from butdata import charts_cohort
from butdata.grading import cohort
from butdata.grading.cohort_tally import ue_average_stats


def test_ue_distribution_from_precomputed_statistics():
    s = structure()
    grades = np.tile(np.array([[8.0, 12.0, 10.0, 14.0, 6.0]]), (4, 1))
    grades[3] = np.nan  # a student without any grade: no average anywhere
    res = cohort.simulate_cohort(s, grades)
    stats = ue_average_stats(s.ues, res.arrays)
    # UE31 = (1 × 8 + 3 × 12) / 4 = 11 for the three graded students
    row = stats.filter(pl.col("ue") == "UE31").row(0, named=True)
    assert row["n"] == 3 and row["median"] == 11.0 and row["p5"] == 11.0
    fig = charts_cohort.ue_distribution(stats, 10.0, 8.0)
    boxes = [t for t in fig.data if t.type == "box"]
    assert [b.name for b in boxes] == ["UE31", "UE32", "UE41", "UE42"]
    assert "Distribution des moyennes d'UE" in fig.layout.title.text
    texts = [a.text for a in fig.layout.annotations]
    assert "validation 10" in texts and "plancher 8" in texts


def test_decision_shares_stack_per_scenario():
    d = pl.DataFrame(
        {
            "decision": ["ADM", "PASD", "AJ", None],
            "count": [2, 1, 1, 0],
            "share": [0.5, 0.25, 0.25, 0.0],
        }
    )
    fig = charts_cohort.decision_shares({"page": d, "autre": d})
    assert [t.name for t in fig.data] == [
        "ADM (année validée)",
        "PASD (passage de droit)",
        "AJ (le jury décide)",
    ]
    assert list(fig.data[0].text) == ["50\u202f%", "50\u202f%"]
