"""French formatting, written once in butdata.fmt (expected texts are French typography: decimal
comma, narrow no-break space between thousands and before « % », « 1er » for the first)."""

from __future__ import annotations

import datetime as dt

from butdata import fmt

N = "\u202f"


def test_numbers():
    assert fmt.number(0.25) == "0,25" and fmt.number(2.0) == "2" and fmt.number(1.5) == "1,5"
    assert fmt.number(1.5, trim=False) == "1,50" and fmt.number(0.5, 2, trim=False) == "0,50"
    assert fmt.number(1234.5) == f"1{N}234,5" and fmt.number(1234567) == f"1{N}234{N}567"
    assert fmt.integer(3090659) == f"3{N}090{N}659"
    assert fmt.number(-0.001) == "0" and fmt.number(None) == "—"
    assert fmt.number(float("nan"), missing="n.c.") == "n.c."
    # zeros of the integer part are never stripped (« cible 4–6 % » was 40–60 %)
    assert fmt.number(70.0) == "70" and fmt.number(70.0, 0) == "70" and fmt.number(40, 0) == "40"
    assert fmt.number(100.0) == "100" and fmt.number(-12.5) == "-12,5"


def test_percentages():
    # 41,25 % and 47,5 %: QLIO S3 QMI UE31 before and after moving 0,5 to SAE3.01 (3,3 / 8, 3,8 / 8)
    assert fmt.percent(0.4125) == f"41,25{N}%" and fmt.percent(0.475) == f"47,5{N}%"
    assert fmt.percent(0.4125, 1) == f"41,3{N}%"  # half away from zero, as a person rounds
    assert fmt.percent(0.4) == f"40{N}%" and fmt.percent(0.4, 0) == f"40{N}%"
    assert fmt.percent(None) == "—"


def test_dates_durations_selection():
    when = dt.datetime(2026, 12, 1, 10, 42)
    assert fmt.timestamp(when) == "1er décembre 2026 à 10:42"
    assert fmt.day(dt.date(2026, 3, 15)) == "15 mars 2026"
    assert fmt.seconds(0.5) == f"0,5{N}s"
    selection = [("Formation", "QLIO"), ("Semestre", "S3"), ("Parcours", "QMI, MP")]
    assert fmt.selection(selection) == (
        "Formation\u00a0: QLIO · Semestre\u00a0: S3 · Parcours\u00a0: QMI, MP"
    )


def test_cells():
    assert (
        fmt.cell(None) == "—"
        and fmt.cell(True) == "oui"
        and fmt.cell(0.413, percent_=True) == f"41,3{N}%"
    )
    assert fmt.cell(1.5) == "1,5" and fmt.cell(1.5, digits=2) == "1,50" and fmt.cell(12) == "12"
    assert fmt.cell([1.5, 2]) == "1,5, 2" and fmt.cell(dt.date(2026, 12, 1)) == "01/12/2026"


def test_halves_round_up_on_the_printed_decimal():
    assert fmt.number(2.675, 2) == "2,68"  # the binary value is 2.67499999…
    assert fmt.number(2.5, 0) == "3" and fmt.number(0.125, 2) == "0,13"
    assert fmt.number(-1.25, 1) == "-1,3" and fmt.number(-0.001) == "0"
    assert fmt.number(1e300, 2).startswith("1") and fmt.number(float("inf")) == "∞"
