"""How the coefficients of the real QLIO tables are distributed (``PROFILE``), and the query
that learns it from a store (the tests check the constants against the real store)."""

from __future__ import annotations

from typing import TypedDict

import duckdb


class Profile(TypedDict):
    # (kind, "one" | "several" UEs fed) -> {value: count}
    values: dict[tuple[str, str], dict[float, int]]
    # kind -> {how many UEs a module feeds ("one", "all_but_one", "all"): count}
    fanout: dict[str, dict[str, int]]
    # kind -> among the modules feeding several UEs, (with one value everywhere, all)
    same_value: dict[str, tuple[int, int]]


# Learned from the 18 real QLIO tables (document 000) by ``learn_profile``; the tests check that
# these constants still match the real store.
PROFILE: Profile = {
    "values": {
        ("autre", "several"): {0.25: 20},
        ("portfolio", "several"): {0.25: 20, 0.3: 3, 0.5: 12},
        ("ressource", "one"): {1.2: 24, 1.4: 17, 1.5: 55, 2.0: 12},
        ("ressource", "several"): {0.15: 12, 0.2: 44, 0.25: 300, 0.3: 63, 0.4: 12, 0.5: 27},
        ("sae", "one"): {1.0: 3, 1.4: 5, 1.5: 5, 2.0: 9, 2.2: 3},
        ("sae", "several"): {0.5: 20, 1.0: 15, 1.3: 9, 1.5: 38, 1.7: 3, 1.8: 15, 2.6: 3},
        ("stage", "several"): {1.0: 3, 2.0: 20, 2.5: 9},
    },
    "fanout": {
        "autre": {"all": 5},
        "portfolio": {"all": 9},
        "ressource": {"all": 118, "one": 108},
        "sae": {"all": 14, "all_but_one": 16, "one": 25},
        "stage": {"all": 8},
    },
    "same_value": {
        "autre": (5, 5),
        "portfolio": (9, 9),
        "ressource": (112, 118),
        "sae": (27, 30),
        "stage": (5, 8),
    },
}


def learn_profile(con: duckdb.DuckDBPyConnection, where: str = "TRUE") -> Profile:
    """The PROFILE structure computed from a store (``where``: a fixed SQL filter on
    ``t_coefficients``, e.g. ``"table_id LIKE '000-%'"``; never user input)."""
    values: dict[tuple[str, str], dict[float, int]] = {}
    for kind, fan, value, n in con.execute(f"""
            WITH c AS (
                SELECT kind, coefficient,
                       count(*) OVER (PARTITION BY table_id, module_code) AS nue
                FROM t_coefficients
                WHERE module_code IS NOT NULL AND kind IS NOT NULL AND {where})
            SELECT kind, CASE WHEN nue = 1 THEN 'one' ELSE 'several' END, coefficient, count(*)
            FROM c GROUP BY ALL ORDER BY ALL""").fetchall():
        values.setdefault((kind, fan), {})[value] = n
    fanout: dict[str, dict[str, int]] = {}
    same: dict[str, tuple[int, int]] = {}
    for kind, fan, n, n_same in con.execute(f"""
            WITH m AS (
                SELECT c.table_id, c.module_code, any_value(c.kind) AS kind, count(*) AS nue,
                       count(DISTINCT c.coefficient) AS nd, any_value(u.n) AS n
                FROM t_coefficients c
                JOIN (SELECT table_id, count(*) AS n FROM t_ues GROUP BY 1) u USING (table_id)
                WHERE c.module_code IS NOT NULL AND c.kind IS NOT NULL AND {where}
                GROUP BY c.table_id, c.module_code)
            SELECT kind, CASE WHEN nue = 1 THEN 'one' WHEN nue = n THEN 'all' ELSE 'all_but_one' END,
                   count(*), count(*) FILTER (WHERE nd = 1)
            FROM m GROUP BY ALL ORDER BY ALL""").fetchall():
        fanout.setdefault(kind, {})[fan] = n
        if fan != "one":
            a, b = same.get(kind, (0, 0))
            same[kind] = (a + n_same, b + n)
    return {"values": values, "fanout": fanout, "same_value": same}
