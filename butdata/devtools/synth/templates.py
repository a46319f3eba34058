"""National templates: per speciality, its competences, parcours and the modules of each
semester (tronc commun, plus each parcours' own from S3 on) with their coefficients."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import polars as pl

from butdata.devtools.synth.draws import module_coefs
from butdata.devtools.synth.names import PARCOURS_NAMES, SPECIALITIES
from butdata.devtools.synth.shape import (
    KINDS,
    PARCOURS_MODULES,
    S12_COMMON_SHARE,
    SEMESTER_MODULES,
)

# A template module as the frames hold it (pkey: the parcours, "" for the tronc-commun table).
MODULE_COLUMNS: dict[str, pl.DataType | type[pl.DataType]] = {
    "formation": pl.String,
    "semester": pl.Int32,
    "pkey": pl.String,
    "module_uid": pl.Int64,
    "mpos": pl.Int32,
    "code": pl.String,
    "label": pl.String,
    "tkind": pl.String,
}


@dataclass
class Speciality:
    """The settings drawn for one speciality."""

    formation: str
    formation_name: str
    n12: int  # UEs (competences) in S1-S2
    n36: int  # UEs in S3-S6
    parcours: list[str]
    s12_common: bool  # S1/S2 are one tronc-commun table
    f_idx: int  # rank in SPECIALITIES (seeds its draws)


class TemplateModule(NamedTuple):
    uid: int
    code: str
    label: str
    kind: str
    section: str
    coefs: dict[int, float]  # competence -> value


def templates(seed: int) -> tuple[pl.DataFrame, pl.DataFrame, list[Speciality]]:
    """National templates: coefficient rows, module rows, and per-speciality settings."""
    coef_rows, module_rows, specs = [], [], []
    uid = 0
    for f_idx, (acr, name) in enumerate(SPECIALITIES):
        rng = np.random.default_rng([seed, f_idx])
        n12 = int(rng.integers(3, 6))
        n36 = min(5, n12 + int(rng.integers(0, 2)))
        n_par = int(rng.integers(1, 6))
        parcours = [str(p) for p in rng.choice(PARCOURS_NAMES, n_par, replace=False)]
        spec = Speciality(
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
                        TemplateModule(
                            uid, code, label, kind, "tronc commun", module_coefs(rng, kind, n_ue)
                        )
                    )
            keys: list[str | None] = [None] if (s <= 2 and spec.s12_common) else list(parcours)
            specific: dict[str | None, list[TemplateModule]] = {}
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
                                TemplateModule(
                                    uid,
                                    code,
                                    label,
                                    kind,
                                    "spécialité",
                                    module_coefs(rng, kind, n_ue, only),
                                )
                            )
                    specific[p] = mods
            for key in keys:
                mods = common + specific.get(key, [])
                # Printed order: ressources, SAÉ, portfolio, stage, autre (as in QLIO).
                mods.sort(key=lambda m: (KINDS.index(m.kind), m.code))
                for pos, (m_uid, code, label, kind, section, coefs) in enumerate(mods, 1):
                    module_rows.append((acr, s, key or "", m_uid, pos, code, label, kind, section))
                    for comp, value in coefs.items():
                        coef_rows.append(
                            (acr, s, key or "", m_uid, pos, code, label, kind, comp, value)
                        )
    coef_frame = pl.DataFrame(
        coef_rows,
        orient="row",
        schema={**MODULE_COLUMNS, "competence": pl.Int32, "base": pl.Float64},
    )
    module_frame = pl.DataFrame(
        module_rows, orient="row", schema={**MODULE_COLUMNS, "section": pl.String}
    )
    return coef_frame, module_frame, specs
