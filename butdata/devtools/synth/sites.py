"""The tables of the nation: each speciality at ``scale`` sites, the parcours each site offers,
its semesters, alternance copies, and which sites print damaged grids."""

from __future__ import annotations

import numpy as np
import polars as pl

from butdata.devtools.synth.names import SITES
from butdata.devtools.synth.shape import (
    ALTERNANCE_SHARE,
    EMPTY_SHARE,
    GRID_SHARE,
    PARTIAL_SHARE,
)
from butdata.devtools.synth.templates import Speciality


def site_tables(specs: list[Speciality], scale: int, seed: int) -> pl.DataFrame:
    """One row per table: formation, site, semester, parcours, alternance, layout, status."""
    rows = []
    site_uid = 0
    for spec in specs:
        rng = np.random.default_rng([seed, spec.f_idx, 1])
        pool = list(SITES) + [f"Site {i:03d}" for i in range(len(SITES) + 1, scale + 1)]
        chosen = sorted(rng.choice(len(pool), scale, replace=False).tolist()) if scale else []
        for s_idx in chosen:
            site_uid += 1
            site = pool[s_idx]
            n_par = len(spec.parcours)
            picked = sorted(
                rng.choice(n_par, int(rng.integers(1, n_par + 1)), replace=False).tolist()
            )
            offered = [spec.parcours[i] for i in picked]
            alternance = bool(rng.random() < ALTERNANCE_SHARE)
            grid = bool(rng.random() < GRID_SHARE)
            for s in range(1, 7):
                keys: list[str | None] = [None] if (s <= 2 and spec.s12_common) else list(offered)
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
                                spec.formation,
                                spec.formation_name,
                                site,
                                site_uid,
                                s,
                                p,
                                p or "",
                                alt,
                                "grid" if grid else "modules",
                                status,
                                spec.n12 if s <= 2 else spec.n36,
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
