"""French number formatting: the examples the brief and the docstrings promise."""

from __future__ import annotations

from butdata import fmt

NNBSP = "\u202f"


def test_documented_examples():
    assert fmt.number(0.25) == "0,25"
    assert fmt.number(1.5) == "1,5"
    assert fmt.number(1.5, trim=False) == "1,50"
    assert fmt.number(3090659) == f"3{NNBSP}090{NNBSP}659"
    assert fmt.number(None) == "—"
    assert fmt.percent(0.4125) == f"41,3{NNBSP}%"  # 3,3 / 8: a half rounds up, as printed
    assert fmt.percent(0.475) == f"47,5{NNBSP}%"
    assert fmt.percent(0.4) == f"40{NNBSP}%"


def test_halves_round_up_on_the_printed_decimal():
    assert fmt.number(2.675, 2) == "2,68"  # the binary value is 2.67499999…
    assert fmt.number(2.5, 0) == "3" and fmt.number(0.125, 2) == "0,13"
    assert fmt.number(-1.25, 1) == "-1,3" and fmt.number(-0.001) == "0"
    assert fmt.number(1e300, 2).startswith("1") and fmt.number(float("inf")) == "∞"
