"""The shape of the synthetic nation: module counts per semester, the shares of adapted values,
grids, alternance copies, damaged tables, and the name that marks the store as synthetic."""

from __future__ import annotations

import numpy as np

SYNTHETIC_PREFIX = "SYNTHÉTIQUE"

KINDS = ("ressource", "sae", "portfolio", "stage", "autre")

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


def source_name(scale: int, seed: int) -> str:
    return f"{SYNTHETIC_PREFIX}-national-scale{scale}-seed{seed}"
