"""A seeded synthetic *national* store, for benchmarks only.

It has the store's schema (``butdata.store.SCHEMA``) and is modelled on the structure of the
real tables, but every number in it is invented. It is marked as synthetic everywhere it could
be seen: ``tables.source`` / ``sources.source`` is ``SYNTHÉTIQUE-national-scale<N>-seed<S>``,
``sources.layout`` is ``synthetic``, every ``table_id`` starts with ``syn-``, and the ``meta``
table has ``synthetic = true`` and ``sources_dir = synthetic`` (not a directory, so the app never
tries to "rebuild" it from ``data/sources``).

What ``--scale N`` means: **each of the 24 B.U.T. specialities is taught at N sites**. A
(speciality, site) offers 1 to 5 of its speciality's national parcours; it has one table per
semester and parcours (S1/S2 are a single tronc-commun table for most specialities), plus
work-study (alternance) copies of S3-S6 at half of the sites. ``--scale 100`` is the
national order of magnitude (≈ 100 IUT sites: ≈ 37,000 tables, ≈ 1.8 million coefficients);
the coefficient count grows linearly with N (≈ 18,000 per unit of scale).

How the tables are made:

- per speciality, a national *template* (3-5 competences, so 3-5 UEs per semester; module lists
  per semester with the counts of the QLIO tables ± a little: ressources, SAÉ, a portfolio, a
  stage in S4/S6, "autre" lines; from S3 on, the modules of each parcours - one ressource and
  two SAÉ, section "spécialité" - beside the shared tronc-commun modules);
- each module feeds one UE, all UEs, or all but one, with the frequencies of its kind in the
  QLIO tables, and its coefficient values are drawn from the QLIO distribution of its kind
  (``PROFILE``, checked against the real store by the tests; ``learn_profile`` recomputes it);
- each site adapts about a third of the (module, UE) coefficients (x0.5 to x2, rounded to 0.05);
  the adaptation depends on (site, module, UE) only, so tronc-commun modules keep the same
  coefficients in every parcours (and alternance) table of a site, as in the real documents;
- about a quarter of the (speciality, site) pairs are printed as damaged *grids*, like document
  004: no module codes or names (``module_code`` NULL), only the leading SAÉ values have a kind,
  printed ratio and AOP, comma decimals; a few grid tables are ``partial`` (one UE row lost) or
  ``empty``.

Everything is vectorised (numpy + polars) and written with bulk inserts, rows sorted by
``table_id`` (so DuckDB's zone maps skip most of the file for one table or one site); the file is
written next to the target and moved over it with ``os.replace``.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from butdata.store.lock import temporary_path, write_lock
from butdata.store.schema import SCHEMA, SCHEMA_VERSION

SYNTHETIC_PREFIX = "SYNTHÉTIQUE"

# The 24 national B.U.T. specialities (acronym, name).
SPECIALITIES = (
    ("CJ", "Carrières juridiques"),
    ("CS", "Carrières sociales"),
    ("CHIMIE", "Chimie"),
    ("GB", "Génie biologique"),
    ("GCCD", "Génie civil - construction durable"),
    ("GCGP", "Génie chimique - génie des procédés"),
    ("GEII", "Génie électrique et informatique industrielle"),
    ("GIM", "Génie industriel et maintenance"),
    ("GMP", "Génie mécanique et productique"),
    ("GACO", "Gestion administrative et commerciale des organisations"),
    ("GEA", "Gestion des entreprises et des administrations"),
    ("HSE", "Hygiène, sécurité, environnement"),
    ("INFOCOM", "Information-communication"),
    ("INFO", "Informatique"),
    ("MLT", "Management de la logistique et du transport"),
    ("MP", "Mesures physiques"),
    ("MMI", "Métiers du multimédia et de l'internet"),
    ("MT2E", "Métiers de la transition et de l'efficacité énergétiques"),
    ("PEC", "Packaging, emballage et conditionnement"),
    ("QLIO", "Qualité, logistique industrielle et organisation"),
    ("RT", "Réseaux et télécommunications"),
    ("SGM", "Science et génie des matériaux"),
    ("SD", "Science des données"),
    ("TC", "Techniques de commercialisation"),
)

SITES = (
    "Aix-Marseille",
    "Amiens",
    "Angers",
    "Angoulême",
    "Annecy",
    "Belfort-Montbéliard",
    "Besançon",
    "Béthune",
    "Blagnac",
    "Bordeaux",
    "Bourges",
    "Brest",
    "Brive",
    "Caen",
    "Calais",
    "Castres",
    "Chalon-sur-Saône",
    "Chartres",
    "Châteauroux",
    "Cherbourg",
    "Clermont-Ferrand",
    "Colmar",
    "Dijon",
    "Épinal",
    "Évry",
    "Grenoble",
    "Haguenau",
    "Indre",
    "La Rochelle",
    "Laval",
    "Le Creusot",
    "Le Havre",
    "Le Mans",
    "Lannion",
    "Lens",
    "Lille",
    "Limoges",
    "Longwy",
    "Lorient",
    "Lyon",
    "Mantes",
    "Metz",
    "Montpellier",
    "Montreuil",
    "Moselle-Est",
    "Mulhouse",
    "Nancy",
    "Nantes",
    "Nice",
    "Nîmes",
    "Niort",
    "Orléans",
    "Orsay",
    "Paris",
    "Pau",
    "Périgueux",
    "Perpignan",
    "Poitiers",
    "Quimper",
    "Reims",
    "Rennes",
    "Roanne",
    "Rodez",
    "Rouen",
    "Saint-Brieuc",
    "Saint-Dié",
    "Saint-Étienne",
    "Saint-Malo",
    "Saint-Nazaire",
    "Sceaux",
    "Sénart",
    "Sète",
    "Soissons",
    "Strasbourg",
    "Tarbes",
    "Thionville",
    "Toulon",
    "Toulouse",
    "Tours",
    "Troyes",
    "Valence",
    "Valenciennes",
    "Vannes",
    "Vélizy",
    "Villetaneuse",
    "Vienne",
    "Ville-d'Avray",
    "Agen",
    "Alençon",
    "Auch",
    "Auxerre",
    "Bayonne",
    "Beauvais",
    "Cergy",
    "Cachan",
    "Chambéry",
    "Digne",
    "Figeac",
    "Forbach",
    "Guadeloupe",
)

PARCOURS_NAMES = (
    "QMI",
    "OSC",
    "MP",
    "DEV",
    "ADM",
    "CYB",
    "IOT",
    "BDI",
    "EME",
    "AII",
    "ESE",
    "MEE",
    "RSE",
    "BIO",
    "SAN",
    "ENV",
    "GPI",
    "TDC",
    "MDC",
    "BI",
    "SI",
    "PME",
    "GEMA",
    "CCA",
    "CF",
    "GRH",
    "MEO",
    "CRO",
    "IA",
    "VTD",
)

KINDS = ("ressource", "sae", "portfolio", "stage", "autre")

# Learned from the 18 real QLIO tables (document 000) by ``learn_profile``; the tests check that
# these constants still match the real store. coefficient values: value -> count; fanout: how
# many UEs a module feeds ("one", "all_but_one", "all") -> count; same_value: among modules
# feeding several UEs, (with one value everywhere, all).
PROFILE = {
    "values": {  # (kind, "one" | "several" UEs fed) -> {value: count}
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

# Tronc-commun module counts per semester in the QLIO tables (ressource, sae, portfolio, stage,
# autre); from S3 on each parcours adds PARCOURS_MODULES.
SEMESTER_MODULES = {
    1: (13, 6, 1, 0, 0),
    2: (13, 4, 1, 0, 1),
    3: (13, 1, 1, 0, 0),
    4: (10, 1, 1, 1, 2),
    5: (15, 1, 1, 0, 0),
    6: (8, 0, 1, 1, 1),
}
PARCOURS_MODULES = (1, 2)  # ressource, sae

SITE_ADAPTED_SHARE = 0.35  # share of (site, module, UE) coefficients a site changes
SITE_FACTORS = np.array([0.5, 0.75, 1.25, 1.5, 2.0])
GRID_SHARE, ALTERNANCE_SHARE, S12_COMMON_SHARE = 0.25, 0.5, 0.6
PARTIAL_SHARE, EMPTY_SHARE = 0.04, 0.01  # of grid tables


@dataclass
class SynthReport:
    db_path: Path
    source: str
    rows: dict[str, int]
    seconds: float

    @property
    def cells(self) -> int:
        """Stored coefficient values (the "cells" of the tables)."""
        return self.rows.get("t_coefficients", 0)


def source_name(scale: int, seed: int) -> str:
    return f"{SYNTHETIC_PREFIX}-national-scale{scale}-seed{seed}"


# --------------------------------------------------------------------------- profile


def learn_profile(con: duckdb.DuckDBPyConnection, where: str = "TRUE") -> dict:
    """The PROFILE structure computed from a store (``where``: a fixed SQL filter on
    ``t_coefficients``, e.g. ``"table_id LIKE '000-%'"``; never user input)."""
    values: dict = {}
    for kind, fan, value, n in con.execute(f"""
            WITH c AS (
                SELECT kind, coefficient,
                       count(*) OVER (PARTITION BY table_id, module_code) AS nue
                FROM t_coefficients
                WHERE module_code IS NOT NULL AND kind IS NOT NULL AND {where})
            SELECT kind, CASE WHEN nue = 1 THEN 'one' ELSE 'several' END, coefficient, count(*)
            FROM c GROUP BY ALL ORDER BY ALL""").fetchall():
        values.setdefault((kind, fan), {})[value] = n
    fanout: dict = {}
    same: dict = {}
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


# --------------------------------------------------------------------------- hashing


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: deterministic, platform-independent pseudo-random uint64."""
    x = x.astype(np.uint64, copy=True)
    with np.errstate(over="ignore"):
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    return x


def _uniform(*keys: np.ndarray, seed: int) -> np.ndarray:
    h = _mix(np.full(len(keys[0]), seed, dtype=np.uint64))
    for k in keys:
        h = _mix(h ^ np.asarray(k).astype(np.uint64))
    return (h >> np.uint64(11)).astype(np.float64) / float(2**53)


# --------------------------------------------------------------------------- templates


def _draw(rng: np.random.Generator, table: dict) -> object:
    keys = list(table)
    w = np.array([table[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=w / w.sum()))]


def _module_coefs(rng, kind: str, n_ue: int, only: list[int] | None = None) -> dict[int, float]:
    comps = list(range(1, n_ue + 1))
    fan = _draw(rng, PROFILE["fanout"][kind])
    if only:
        fed = only
    elif fan == "one":
        fed = [int(rng.integers(1, n_ue + 1))]
    elif fan == "all_but_one" and n_ue > 2:
        skip = int(rng.integers(1, n_ue + 1))
        fed = [c for c in comps if c != skip]
    else:
        fed = comps
    values = PROFILE["values"].get((kind, "one" if len(fed) == 1 else "several"))
    if values is None:  # e.g. a parcours SAÉ of a kind never seen feeding one UE
        values = PROFILE["values"][(kind, "several")]
    same_n, all_n = PROFILE["same_value"].get(kind, (1, 1))
    if len(fed) > 1 and rng.random() < same_n / all_n:
        v = _draw(rng, values)
        return {c: v for c in fed}
    return {c: _draw(rng, values) for c in fed}


def _templates(seed: int) -> tuple[pl.DataFrame, pl.DataFrame, list[dict]]:
    """National templates: coefficient rows, module rows, and per-speciality settings."""
    coef_rows, module_rows, specs = [], [], []
    uid = 0
    for f_idx, (acr, name) in enumerate(SPECIALITIES):
        rng = np.random.default_rng([seed, f_idx])
        n12 = int(rng.integers(3, 6))
        n36 = min(5, n12 + int(rng.integers(0, 2)))
        n_par = int(rng.integers(1, 6))
        parcours = [str(p) for p in rng.choice(PARCOURS_NAMES, n_par, replace=False)]
        spec = dict(
            formation=acr,
            formation_name=name,
            n12=n12,
            n36=n36,
            parcours=parcours,
            s12_common=bool(rng.random() < S12_COMMON_SHARE),
            f_idx=f_idx,
        )
        specs.append(spec)
        for s in range(1, 7):
            n_ue = n12 if s <= 2 else n36
            counts = SEMESTER_MODULES[s]
            common = []
            for kind, base_n in zip(KINDS, counts):
                n = base_n
                if kind == "ressource":
                    n = max(4, base_n + int(rng.integers(-2, 3)))
                elif kind == "sae" and base_n:
                    n = max(1, base_n + int(rng.integers(-1, 2)))
                for i in range(1, n + 1):
                    code = {
                        "ressource": f"R{s}.{i:02d}",
                        "sae": f"SAE{s}.{i:02d}",
                        "portfolio": f"SAE{s}.PF",
                        "stage": f"STAGE{s}",
                        "autre": f"AUTRE{s}.{i}",
                    }[kind]
                    label = {
                        "ressource": f"Ressource {s}.{i:02d} de {acr}",
                        "sae": f"SAÉ {s}.{i:02d} de {acr}",
                        "portfolio": f"Portfolio S{s}",
                        "stage": f"Stage S{s}",
                        "autre": f"Activité {s}.{i}",
                    }[kind]
                    uid += 1
                    common.append(
                        (uid, code, label, kind, "tronc commun", _module_coefs(rng, kind, n_ue))
                    )
            keys = [None] if (s <= 2 and spec["s12_common"]) else parcours
            specific: dict = {}
            if s >= 3:
                for p in parcours:
                    mods = []
                    # Parcours modules feed the last competences (the parcours' own).
                    own = list(range(max(1, n_ue - 1), n_ue + 1))
                    for kind, n in zip(("ressource", "sae"), PARCOURS_MODULES):
                        for i in range(1, n + 1):
                            uid += 1
                            num = 12 + i if kind == "ressource" else 1 + i
                            code = (
                                f"R{s}.{p}.{num:02d}"
                                if kind == "ressource"
                                else f"SAE{s}.{p}.{num:02d}"
                            )
                            label = (
                                f"{p} {'Ressource' if kind == 'ressource' else 'SAÉ'} {s}.{num:02d}"
                            )
                            only = None if kind == "ressource" else [own[(i - 1) % len(own)]]
                            mods.append(
                                (
                                    uid,
                                    code,
                                    label,
                                    kind,
                                    "spécialité",
                                    _module_coefs(rng, kind, n_ue, only),
                                )
                            )
                    specific[p] = mods
            for key in keys:
                mods = common + specific.get(key, [])
                # Printed order: ressources, SAÉ, portfolio, stage, autre (as in QLIO).
                mods.sort(key=lambda m: (KINDS.index(m[3]), m[1]))
                for pos, (m_uid, code, label, kind, section, coefs) in enumerate(mods, 1):
                    module_rows.append((acr, s, key or "", m_uid, pos, code, label, kind, section))
                    for comp, value in coefs.items():
                        coef_rows.append(
                            (acr, s, key or "", m_uid, pos, code, label, kind, comp, value)
                        )
    coefs = pl.DataFrame(
        coef_rows,
        orient="row",
        schema={
            "formation": pl.String,
            "semester": pl.Int32,
            "pkey": pl.String,
            "module_uid": pl.Int64,
            "mpos": pl.Int32,
            "code": pl.String,
            "label": pl.String,
            "tkind": pl.String,
            "competence": pl.Int32,
            "base": pl.Float64,
        },
    )
    modules = pl.DataFrame(
        module_rows,
        orient="row",
        schema={
            "formation": pl.String,
            "semester": pl.Int32,
            "pkey": pl.String,
            "module_uid": pl.Int64,
            "mpos": pl.Int32,
            "code": pl.String,
            "label": pl.String,
            "tkind": pl.String,
            "section": pl.String,
        },
    )
    return coefs, modules, specs


def _site_tables(specs: list[dict], scale: int, seed: int) -> pl.DataFrame:
    rows = []
    site_uid = 0
    for spec in specs:
        rng = np.random.default_rng([seed, spec["f_idx"], 1])
        pool = list(SITES) + [f"Site {i:03d}" for i in range(len(SITES) + 1, scale + 1)]
        chosen = sorted(rng.choice(len(pool), scale, replace=False).tolist()) if scale else []
        for s_idx in chosen:
            site_uid += 1
            site = pool[s_idx]
            n_par = len(spec["parcours"])
            offered = sorted(
                rng.choice(n_par, int(rng.integers(1, n_par + 1)), replace=False).tolist()
            )
            offered = [spec["parcours"][i] for i in offered]
            alternance = bool(rng.random() < ALTERNANCE_SHARE)
            grid = bool(rng.random() < GRID_SHARE)
            for s in range(1, 7):
                keys = [None] if (s <= 2 and spec["s12_common"]) else offered
                for alt in (False, True) if (alternance and s >= 3) else (False,):
                    for p in keys:
                        status = "complete"
                        if grid:
                            u = rng.random()
                            status = (
                                "empty"
                                if u < EMPTY_SHARE
                                else "partial"
                                if u < EMPTY_SHARE + PARTIAL_SHARE
                                else "complete"
                            )
                        rows.append(
                            (
                                spec["formation"],
                                spec["formation_name"],
                                site,
                                site_uid,
                                s,
                                p,
                                p or "",
                                alt,
                                "grid" if grid else "modules",
                                status,
                                spec["n12"] if s <= 2 else spec["n36"],
                            )
                        )
    return pl.DataFrame(
        rows,
        orient="row",
        schema={
            "formation": pl.String,
            "formation_name": pl.String,
            "site": pl.String,
            "site_uid": pl.Int64,
            "semester": pl.Int32,
            "parcours": pl.String,
            "pkey": pl.String,
            "alternance": pl.Boolean,
            "layout": pl.String,
            "status": pl.String,
            "n_ue": pl.Int32,
        },
    )


# --------------------------------------------------------------------------- frames


def _printed(coef: pl.Expr, grid: pl.Expr) -> pl.Expr:
    """ "0.50" (clean layout) or "0,5" (grid: comma, no trailing zeros)."""
    cents = (coef * 100).round(0).cast(pl.Int64)
    whole = (cents // 100).cast(pl.String)
    frac2 = (cents % 100).cast(pl.String).str.zfill(2)
    frac1 = ((cents % 100) // 10).cast(pl.String)
    grid_text = (
        pl.when(cents % 100 == 0)
        .then(whole)
        .when(cents % 10 == 0)
        .then(pl.concat_str(whole, pl.lit(","), frac1))
        .otherwise(pl.concat_str(whole, pl.lit(","), frac2))
    )
    return pl.when(grid).then(grid_text).otherwise(pl.concat_str(whole, pl.lit("."), frac2))


def generate(scale: int, seed: int = 42) -> dict[str, pl.DataFrame]:
    """The base-table frames of a synthetic store (keys: t_sources, t_tables, t_ues, t_modules,
    t_coefficients, t_warnings), rows sorted by table_id."""
    if scale < 0:
        raise ValueError("scale must be >= 0")
    source = source_name(scale, seed)
    tcoefs, tmodules, specs = _templates(seed)
    tables = _site_tables(specs, scale, seed)

    tables = tables.with_columns(
        table_id=pl.concat_str(
            pl.lit("syn-"),
            pl.col("formation").str.to_lowercase(),
            pl.lit("-"),
            pl.col("site_uid").cast(pl.String).str.zfill(5),
            pl.lit("-s"),
            pl.col("semester").cast(pl.String),
            pl.when(pl.col("alternance")).then(pl.lit("-alt")).otherwise(pl.lit("")),
            pl.when(pl.col("parcours").is_null())
            .then(pl.lit(""))
            .otherwise(pl.lit("-") + pl.col("parcours").str.to_lowercase()),
        ),
        title=pl.concat_str(
            pl.lit("Semestre "),
            pl.col("semester").cast(pl.String),
            pl.lit(" BUT "),
            pl.col("formation"),
            pl.lit(" ("),
            pl.col("site"),
            pl.lit(")"),
            pl.when(pl.col("alternance")).then(pl.lit(" par alternance")).otherwise(pl.lit("")),
            pl.when(pl.col("parcours").is_null())
            .then(pl.lit(""))
            .otherwise(pl.lit(" ") + pl.col("parcours")),
        ),
    ).sort("table_id")
    n_mod = tmodules.group_by("formation", "semester", "pkey").agg(n_mod=pl.len())
    tables = (
        tables.join(n_mod, on=["formation", "semester", "pkey"], how="left")
        .with_columns(
            span=pl.when(pl.col("layout") == "grid")
            .then(pl.col("n_ue") * 7 + 6)
            .otherwise(pl.col("n_mod") * 2 + 8)
            .cast(pl.Int32)
        )
        .with_columns(source_line=(pl.col("span").cum_sum() - pl.col("span") + 1).cast(pl.Int32))
        .with_columns(
            totals_line=(pl.col("source_line") + pl.col("span") - 3).cast(pl.Int32),
            ord=pl.int_range(pl.len(), dtype=pl.Int32),
        )
    )
    grid = pl.col("layout") == "grid"

    # Coefficients: every table × its template rows, then the site's adaptation.
    c = tables.select(
        "table_id",
        "formation",
        "semester",
        "pkey",
        "site_uid",
        "layout",
        "status",
        "n_ue",
        "source_line",
    ).join(tcoefs, on=["formation", "semester", "pkey"])
    c = c.filter(
        (pl.col("status") == "complete")
        | ((pl.col("status") == "partial") & (pl.col("competence") != pl.col("n_ue")))
    )
    site_uid = c["site_uid"].to_numpy()
    module_uid = c["module_uid"].to_numpy()
    comp = c["competence"].to_numpy()
    u1 = _uniform(site_uid, module_uid, comp, seed=seed)
    u2 = _uniform(site_uid, module_uid, comp, np.full(len(c), 7), seed=seed)
    factor = np.where(
        u1 < SITE_ADAPTED_SHARE, SITE_FACTORS[(u2 * len(SITE_FACTORS)).astype(int)], 1.0
    )
    value = np.maximum(0.05, np.round(c["base"].to_numpy() * factor * 20) / 20)
    c = c.with_columns(coefficient=pl.Series(np.round(value, 2)))
    c = c.sort("table_id", "competence", pl.col("tkind") != "sae", "mpos")
    c = c.with_columns(
        position=pl.when(grid)
        .then(pl.int_range(1, pl.len() + 1).over("table_id", "competence"))
        .otherwise(pl.col("mpos"))
        .cast(pl.Int32),
        module_code=pl.when(grid).then(None).otherwise(pl.col("code")),
        module_name=pl.when(grid).then(None).otherwise(pl.col("label")),
        kind=pl.when(grid & (pl.col("tkind") != "sae")).then(None).otherwise(pl.col("tkind")),
        printed=_printed(pl.col("coefficient"), grid),
        line=pl.when(grid)
        .then(pl.col("source_line") + pl.col("competence") * 7)
        .otherwise(pl.col("source_line") + pl.col("mpos") * 2 + 1)
        .cast(pl.Int32),
    )
    t_coefficients = c.select(
        "table_id",
        pl.col("competence").cast(pl.Int32),
        "module_code",
        "module_name",
        "kind",
        "position",
        "coefficient",
        "printed",
        pl.col("line").alias("source_line"),
    ).sort("table_id", "competence", "position")

    # UEs: every competence of every non-empty table; totals from the coefficients.
    sums = c.group_by("table_id", "competence").agg(
        total=pl.col("coefficient").sum().round(2),
        sae=pl.col("coefficient").filter(pl.col("tkind") == "sae").sum(),
    )
    names = pl.DataFrame(
        [
            (s["formation"], k, f"Compétence {k} de {s['formation']}")
            for s in specs
            for k in range(1, 6)
        ],
        orient="row",
        schema={"formation": pl.String, "competence": pl.Int32, "name": pl.String},
    )
    u = (
        tables.filter(pl.col("status") != "empty")
        .select("table_id", "formation", "semester", "n_ue", "layout", "source_line", "totals_line")
        .with_columns(competence=pl.int_ranges(1, pl.col("n_ue") + 1, dtype=pl.Int32))
        .explode("competence")
        .join(sums, on=["table_id", "competence"], how="left")
        .join(names, on=["formation", "competence"], how="left")
        .with_columns(g=pl.col("layout") == "grid", n=pl.col("n_ue").cast(pl.Int64))
    )
    base_ects = 30 // pl.col("n")
    extra = 30 - base_ects * pl.col("n")
    u = u.with_columns(
        ue=pl.when(pl.col("g"))
        .then(pl.format("UE {}.{}", pl.col("semester"), pl.col("competence")))
        .otherwise(pl.format("UE{}{}", pl.col("semester"), pl.col("competence"))),
        level=pl.when(pl.col("g")).then(pl.format("Niveau {}", (pl.col("semester") + 1) // 2)),
        ects=(
            base_ects + pl.when(pl.col("competence") > pl.col("n") - extra).then(1).otherwise(0)
        ).cast(pl.Float64),
        share=pl.when(pl.col("total") > 0).then(pl.col("sae") / pl.col("total")),
    ).with_columns(
        sae_share=pl.when(pl.col("g")).then(pl.col("share").round(2)).otherwise(pl.col("share")),
        sae_share_printed=pl.col("g"),
        aop_total=pl.when(pl.col("g")).then(pl.lit(0.5)),
        line=(
            pl.col("source_line")
            + pl.when(pl.col("g")).then(pl.col("competence") * 7).otherwise(pl.col("competence"))
        ).cast(pl.Int32),
        sum_ok=pl.when(pl.col("total").is_not_null()).then(pl.lit(True)),
        ratio_ok=pl.when(pl.col("g") & pl.col("total").is_not_null()).then(pl.lit(True)),
        row_layout=pl.when(pl.col("g")).then(pl.lit("A")),
        ord=(pl.col("competence") - 1).cast(pl.Int32),
    )
    t_ues = u.select(
        "table_id",
        "ue",
        "competence",
        "name",
        "level",
        "ects",
        "total",
        "sae_share",
        "sae_share_printed",
        "aop_total",
        pl.col("line").alias("source_line"),
        pl.when(~pl.col("g")).then(pl.col("totals_line")).alias("ects_line"),
        pl.when(~pl.col("g")).then(pl.col("totals_line")).alias("total_line"),
        "sum_ok",
        "ratio_ok",
        "row_layout",
        "ord",
    ).sort("table_id", "ord")

    # Modules: the clean-layout tables only (grids have no surviving module headers).
    sem_coef = c.group_by("table_id", "module_uid").agg(
        semester_coefficient=pl.col("coefficient").sum()
    )
    t_modules = (
        tables.filter(~grid)
        .select("table_id", "formation", "semester", "pkey", "source_line")
        .join(tmodules, on=["formation", "semester", "pkey"])
        .join(sem_coef, on=["table_id", "module_uid"], how="left")
        .select(
            "table_id",
            pl.col("code").alias("module_code"),
            pl.col("label").alias("module_name"),
            pl.col("tkind").alias("kind"),
            pl.col("mpos").alias("position"),
            pl.col("semester_coefficient").fill_null(0.0).round(2),
            "section",
            (pl.col("source_line") + pl.col("mpos") * 2 + 1).cast(pl.Int32).alias("source_line"),
        )
        .sort("table_id", "position")
    )

    # Table totals.
    totals = t_ues.group_by("table_id").agg(
        declared_total=pl.col("total").sum().round(2),
        declared_ects=pl.col("ects").sum(),
        declared_aop=pl.col("aop_total").sum(),
        has_aop=pl.col("aop_total").is_not_null().any(),
    )
    t_tables = (
        tables.join(totals, on="table_id", how="left")
        .with_columns(
            source=pl.lit(source),
            identity_inferred=pl.lit(False),
            year=pl.lit("2025-2026"),
            declared_aop=pl.when(pl.col("has_aop")).then(pl.col("declared_aop")),
        )
        .select(
            "table_id",
            "source",
            "source_line",
            "title",
            "formation",
            "formation_name",
            "site",
            "semester",
            "parcours",
            "alternance",
            "status",
            "layout",
            "identity_inferred",
            "year",
            "declared_total",
            "declared_ects",
            "declared_aop",
            "totals_line",
            "ord",
        )
    )

    warnings = (
        pl.concat(
            [
                tables.filter(pl.col("status") == "partial").select(
                    "table_id",
                    (pl.col("source_line") + pl.col("n_ue") * 7).alias("source_line"),
                    severity=pl.lit("warning"),
                    code=pl.lit("row_lost"),
                    message=pl.lit("ligne d'UE illisible (données synthétiques)"),
                ),
                tables.filter(pl.col("status") == "empty").select(
                    "table_id",
                    "source_line",
                    severity=pl.lit("warning"),
                    code=pl.lit("empty_table"),
                    message=pl.lit("aucune ligne lisible sous ce titre (données synthétiques)"),
                ),
            ]
        )
        .with_columns(source=pl.lit(source))
        .select("source", "table_id", "source_line", "severity", "code", "message")
        .sort("table_id")
    )
    n_lines = int(tables["source_line"].max() + tables["span"].max()) if tables.height else 0
    t_sources = pl.DataFrame(
        {
            "source": [source],
            "layout": ["synthetic"],
            "n_lines": [n_lines],
            "sha256": [hashlib.sha256(source.encode()).hexdigest()],
            "n_tables": [tables.height],
            "title": ["Base nationale SYNTHÉTIQUE (valeurs inventées, pour les mesures)"],
            "year": [None],
            "kind": ["synthetic"],
        },
        schema={
            "source": pl.String,
            "layout": pl.String,
            "n_lines": pl.Int32,
            "sha256": pl.String,
            "n_tables": pl.Int32,
            "title": pl.String,
            "year": pl.String,
            "kind": pl.String,
        },
    )
    return {
        "t_sources": t_sources,
        "t_tables": t_tables,
        "t_ues": t_ues,
        "t_modules": t_modules,
        "t_coefficients": t_coefficients,
        "t_warnings": warnings,
    }


def write_synthetic_store(db_path: Path, scale: int, seed: int = 42) -> SynthReport:
    """Generate and atomically write a synthetic store at ``db_path``."""
    start = time.perf_counter()
    db_path = Path(db_path)
    frames = generate(scale, seed)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_path(db_path)
    source = source_name(scale, seed)
    with write_lock(db_path):
        _write_frames(frames, tmp, db_path, scale, seed)
    return SynthReport(
        db_path, source, {k: v.height for k, v in frames.items()}, time.perf_counter() - start
    )


def _write_frames(
    frames: dict[str, pl.DataFrame], tmp: Path, db_path: Path, scale: int, seed: int
) -> None:
    try:
        con = duckdb.connect(str(tmp))
        try:
            con.execute(SCHEMA)
            for name, frame in frames.items():
                con.register("frame", frame.to_arrow())
                con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM frame")  # name: fixed list
                con.unregister("frame")
            con.execute(
                "INSERT INTO meta VALUES ('schema_version', ?), ('fingerprint', ?), "
                "('sources_dir', 'synthetic'), ('built_at', ?), ('synthetic', 'true'), "
                "('synth_scale', ?), ('synth_seed', ?)",
                [
                    SCHEMA_VERSION,
                    f"synthetic:{scale}:{seed}",
                    time.strftime("%Y-%m-%dT%H:%M:%S"),
                    str(scale),
                    str(seed),
                ],
            )
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, db_path)
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
