"""ScoDoc 9 ``decisions_jury`` records built by hand, in the export's shape
(shared/notes/but-rules.md): each comes with the year code a ScoDoc jury records for it and the
decision the published rules give, worked out by hand in the comment (never from our code)."""

from __future__ import annotations

from typing import Any


def ue(moy: float | None, code: str | None, ue_id: int) -> dict[str, Any]:
    return {"code": code, "moy": moy, "ue_id": ue_id}


def rcue(
    odd: float | None, even: float | None, code: str | None, moy: Any = "mean"
) -> dict[str, Any]:
    """An RCUE: its UE averages, its recorded code, its average (the mean of both by default)."""
    if moy == "mean":
        moy = None if odd is None or even is None else (odd + even) / 2
    ue_code = {"ADM": "ADM", "CMP": "CMP", "ADJ": "ADJR", "AJ": "AJ", None: None}[code]
    return {
        "code": code,
        "moy": moy,
        "ue_1": ue(odd, "ADM" if odd is not None and odd >= 10 else ue_code, 100),
        "ue_2": ue(even, "ADM" if even is not None and even >= 10 else ue_code, 200),
    }


def record(
    etudid: int, year: int | None, code: str | None, rcues: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    annee: Any = [] if code is None else {"code": code, "ordre": year, "annee_scolaire": 2023}
    return {
        "etudid": etudid,
        "nb_competences": extra.pop("nb_competences", len(rcues)),
        "annee": annee,
        "rcues": rcues,
        "ues": [],
        "semestre": {"code": extra.pop("semestre", None)},
        "autorisations": [],
        **extra,
    }


# (record, computed decision expected by the rules, note)
CASES: list[tuple[dict[str, Any], str | None, str]] = [
    # 4 RCUEs (12+13)/2 = 12.5, 11, 10.5, (10+10)/2 = 10: all ≥ 10 → ADM
    (
        record(
            1,
            1,
            "ADM",
            [rcue(12, 13, "ADM"), rcue(11, 11, "ADM"), rcue(9, 12, "CMP"), rcue(10, 10, "ADM")],
        ),
        "ADM",
        "tous validés",
    ),
    # 12, 11, 11 and (8 + 9)/2 = 8.5: 3 of 4 ≥ 10 (more than half), none < 8 → PASD
    (
        record(
            2,
            1,
            "PASD",
            [rcue(12, 12, "ADM"), rcue(11, 11, "ADM"), rcue(10, 12, "ADM"), rcue(8, 9, "AJ")],
        ),
        "PASD",
        "passage de droit",
    ),
    # 12, 12, 12 and (7 + 8)/2 = 7.5 < 8 → no PASD: AJ (the jury recorded RED)
    (
        record(
            3,
            1,
            "RED",
            [rcue(12, 12, "ADM"), rcue(12, 12, "ADM"), rcue(12, 12, "ADM"), rcue(7, 8, "AJ")],
        ),
        "AJ",
        "RCUE < 8",
    ),
    # BUT2: 12, 12, 9, 9: 2 of 4 ≥ 10 is not more than half → AJ (recorded NAR)
    (
        record(
            4,
            2,
            "NAR",
            [rcue(12, 12, "ADM"), rcue(12, 12, "ADM"), rcue(9, 9, "AJ"), rcue(9, 9, "AJ")],
        ),
        "AJ",
        "pas plus de la moitié",
    ),
    # RCUE (9.992 + 10)/2 = 9.996 > 10 − 0.00499999999999: validated by ScoDoc's tolerance; with
    # three others ≥ 10 → ADM (strict: 3 of 4, none < 8 → PASD)
    (
        record(
            5,
            1,
            "ADM",
            [rcue(9.992, 10, "CMP"), rcue(12, 12, "ADM"), rcue(12, 12, "ADM"), rcue(11, 11, "ADM")],
        ),
        "ADM",
        "tolérance 10",
    ),
    # RCUE (7.992 + 8)/2 = 7.996 > 8 − 0.00499999999999: not under 8 for ScoDoc; 3 others ≥ 10
    # → PASD (strict: 7.996 < 8 → AJ)
    (
        record(
            6,
            1,
            "PASD",
            [rcue(7.992, 8, "AJ"), rcue(12, 12, "ADM"), rcue(12, 12, "ADM"), rcue(11, 11, "ADM")],
        ),
        "PASD",
        "tolérance 8",
    ),
    # the jury validated an RCUE at (9 + 10)/2 = 9.5 (recorded ADJ): every RCUE validated → ADM
    (
        record(7, 2, "ADM", [rcue(9, 10, "ADJ"), rcue(12, 12, "ADM"), rcue(12, 12, "ADM")]),
        "ADM",
        "ADJ du jury sur un RCUE",
    ),
    # same, recorded with code ADM on an average below 10: also the jury's validation → ADM
    (
        record(8, 1, "ADM", [rcue(9, 9.5, "ADM"), rcue(12, 12, "ADM"), rcue(12, 12, "ADM")]),
        "ADM",
        "RCUE validé sous 10",
    ),
    # BUT3: 12, 12, 12 and 9: never PASD in the final year → AJ (recorded RED)
    (
        record(
            9,
            3,
            "RED",
            [rcue(12, 12, "ADM"), rcue(12, 12, "ADM"), rcue(12, 12, "ADM"), rcue(9, 9, "AJ")],
        ),
        "AJ",
        "BUT3 sans PASD",
    ),
    # BUT3, every RCUE ≥ 10 → ADM
    (
        record(10, 3, "ADM", [rcue(12, 12, "ADM"), rcue(10, 11, "ADM"), rcue(11, 12, "ADM")]),
        "ADM",
        "BUT3 validé",
    ),
    # BUT2: 12, 12, 9: the PASD conditions hold; BUT1 UEs unknown from the export → PASD
    (
        record(11, 2, "PASD", [rcue(12, 12, "ADM"), rcue(12, 12, "ADM"), rcue(9, 9, "AJ")]),
        "PASD",
        "BUT2 sous réserve",
    ),
    # 4 competences, only 3 RCUEs exported (all ≥ 10): the missing one is not validated → not ADM;
    # it counts below 8 as ScoDoc counts an RCUE without average → AJ (recorded RED)
    (
        record(
            12,
            1,
            "RED",
            [rcue(12, 12, "ADM"), rcue(12, 12, "ADM"), rcue(12, 12, "ADM")],
            nb_competences=4,
        ),
        "AJ",
        "RCUE absent",
    ),
    # an RCUE without average (UE moy null): not validated, below the floor → AJ (recorded RED)
    (
        record(13, 1, "RED", [rcue(12, 12, "ADM"), rcue(12, 12, "ADM"), rcue(None, 12, None)]),
        "AJ",
        "moyenne nulle",
    ),
    # capitalised UE: ue_1.moy = 8 this year, but the RCUE average 11 uses the capitalised 12:
    # (12 + 10)/2 = 11 ≥ 10 → validated; others ≥ 10 → ADM
    (
        record(
            14, 2, "ADM", [rcue(8, 10, "ADM", moy=11.0), rcue(12, 12, "ADM"), rcue(12, 12, "ADM")]
        ),
        "ADM",
        "UE capitalisée",
    ),
    # the jury let the student pass with an RCUE at 7 (PAS1NCI): the rules give AJ (7 < 8)
    (
        record(
            15,
            1,
            "PAS1NCI",
            [rcue(12, 12, "ADM"), rcue(12, 12, "ADM"), rcue(12, 12, "ADM"), rcue(7, 7, "AJ")],
        ),
        "AJ",
        "décision du jury",
    ),
    # démission: no decision by the rules
    (
        record(16, 1, "DEM", [rcue(12, 12, None), rcue(5, 6, None)], etat="D"),
        None,
        "démission",
    ),
    # no year decision recorded (annee = []): computed, not compared; 12, 12 → ADM
    (
        record(17, None, None, [rcue(12, 12, "ADM"), rcue(12, 12, "ADM")]),
        "ADM",
        "sans décision",
    ),
]
