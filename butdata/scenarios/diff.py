"""Difference between a scenario's proposal and its origin, as frames: every cell of the module ×
UE grid (before, after, what changed), the grid itself with changed cells flagged, per-UE totals,
ECTS and SAÉ shares before / after, and each module's weight in each UE (coefficient / UE total).

Sums and shares are computed on the exact decimals, then given as floats."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from butdata.scenarios.proposal import Module, Proposal, show_pair
from butdata.scenarios.scenario import Scenario
from butdata.vocab import KIND_LABELS

SAME, CHANGED, ADDED, REMOVED = "identique", "modifié", "ajouté", "retiré"
MODULE_ADDED, MODULE_REMOVED = "ajouté", "supprimé"
BEFORE_SUFFIX = " avant"  # grid column of the origin's value: "UE31 avant"


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _ue_order(p: Proposal) -> list[tuple[str, int, str]]:
    return [(u.table_id, u.competence, u.code) for u in p.ues]


def _modules(before: Proposal, after: Proposal) -> list[tuple[Module | None, Module | None]]:
    """(origin module, proposal module) pairs by identity: the proposal's order, then the
    modules it removed."""
    old = {(m.table_id, m.key): m for m in before.modules}
    new = {(m.table_id, m.key): m for m in after.modules}
    pairs = [(old.get(k), m) for k, m in new.items()]
    return pairs + [(m, None) for k, m in old.items() if k not in new]


def _module_change(a: Module | None, b: Module | None, cells_changed: bool) -> str:
    if a is None:
        return MODULE_ADDED
    if b is None:
        return MODULE_REMOVED
    parts = []
    if a.code != b.code:
        parts.append(f"renommé (avant : {a.code})")
    if a.name != b.name:
        parts.append("intitulé changé")
    if a.kind != b.kind:
        parts.append(f"type changé (avant : {KIND_LABELS[a.kind]})")
    if cells_changed:
        parts.append("coefficients modifiés")
    return ", ".join(parts) or SAME


CELLS_SCHEMA = {
    "table_id": pl.String,
    "ue": pl.String,
    "competence": pl.Int64,
    "module_code": pl.String,
    "module_name": pl.String,
    "kind": pl.String,
    "before": pl.Float64,
    "after": pl.Float64,
    "before_text": pl.String,
    "after_text": pl.String,
    "change": pl.String,
    "source_line": pl.Int64,
}


def cell_diff(before: Proposal, after: Proposal) -> pl.DataFrame:
    """One row per module × UE cell non-zero before or after: values (floats of the exact
    decimals, null = no coefficient), their French text at the same precision, ``change``
    (identique / modifié / ajouté / retiré) and the origin's source line."""
    rows = []
    for a, b in _modules(before, after):
        m = b or a
        assert m is not None
        for tid, comp, code in _ue_order(after):
            if tid != m.table_id:
                continue
            old = before.value(tid, m.key, comp) if a else Decimal(0)
            new = after.value(tid, m.key, comp) if b else Decimal(0)
            if old == 0 and new == 0:
                continue
            change = SAME if old == new else ADDED if old == 0 else REMOVED if new == 0 else CHANGED
            texts = show_pair(old, new)
            line = next(
                (
                    c.line
                    for c in before.cells
                    if (c.table_id, c.module_key, c.competence) == (tid, m.key, comp)
                ),
                None,
            )
            rows.append(
                {
                    "table_id": tid,
                    "ue": code,
                    "competence": comp,
                    "module_code": m.code,
                    "module_name": m.name,
                    "kind": KIND_LABELS[m.kind],
                    "before": _f(old) if old else None,
                    "after": _f(new) if new else None,
                    "before_text": texts[0],
                    "after_text": texts[1],
                    "change": change,
                    "source_line": line,
                }
            )
    return pl.DataFrame(rows, schema=CELLS_SCHEMA, orient="row")


def grid_diff(before: Proposal, after: Proposal) -> pl.DataFrame:
    """The module × UE grid of the proposal, one row per module (removed ones last): code,
    name, French kind, ``module_change`` (identique, ajouté, supprimé, or what changed), one
    column per UE with the proposal's coefficient and one « UE avant » with the origin's (null =
    none), and ``changed_ues``: the UEs whose cell changed."""
    ues = _ue_order(after)
    rows = []
    for a, b in _modules(before, after):
        m = b or a
        assert m is not None
        row: dict[str, object] = {
            "table_id": m.table_id,
            "module_code": m.code,
            "module_name": m.name,
            "kind": KIND_LABELS[m.kind],
        }
        changed = []
        for tid, comp, code in ues:
            old = before.value(tid, a.key, comp) if a and tid == m.table_id else Decimal(0)
            new = after.value(tid, b.key, comp) if b and tid == m.table_id else Decimal(0)
            row[code] = _f(new) if new else None
            row[code + BEFORE_SUFFIX] = _f(old) if old else None
            if old != new:
                changed.append(code)
        row["module_change"] = _module_change(a, b, bool(changed))
        row["changed_ues"] = changed
        rows.append(row)
    schema: dict[str, pl.DataType | type[pl.DataType]] = {
        "table_id": pl.String,
        "module_code": pl.String,
        "module_name": pl.String,
        "kind": pl.String,
    }
    for _, _, code in ues:
        schema[code] = pl.Float64
        schema[code + BEFORE_SUFFIX] = pl.Float64
    schema |= {"module_change": pl.String, "changed_ues": pl.List(pl.String)}
    return pl.DataFrame(rows, schema=schema)


UES_SCHEMA = {
    "table_id": pl.String,
    "ue": pl.String,
    "competence": pl.Int64,
    "ects_before": pl.Float64,
    "ects_after": pl.Float64,
    "total_before": pl.Float64,
    "total_after": pl.Float64,
    "sae_before": pl.Float64,
    "sae_after": pl.Float64,
    "share_before": pl.Float64,
    "share_after": pl.Float64,
    "changed": pl.Boolean,
}


def ue_diff(before: Proposal, after: Proposal) -> pl.DataFrame:
    """Per UE: ECTS, coefficient total, SAÉ part and SAÉ share (SAÉ / total; null when the
    total is 0) before and after, and whether any of them changed."""
    tb, ta = before.ue_totals(), after.ue_totals()
    ects_before = {(u.table_id, u.competence): u.ects for u in before.ues}
    rows = []
    for u in after.ues:
        key = (u.table_id, u.competence)
        (tot0, sae0), (tot1, sae1) = tb.get(key, (Decimal(0), Decimal(0))), ta[key]
        share0 = sae0 / tot0 if tot0 else None
        share1 = sae1 / tot1 if tot1 else None
        e0 = ects_before.get(key)
        rows.append(
            {
                "table_id": u.table_id,
                "ue": u.code,
                "competence": u.competence,
                "ects_before": _f(e0),
                "ects_after": _f(u.ects),
                "total_before": _f(tot0),
                "total_after": _f(tot1),
                "sae_before": _f(sae0),
                "sae_after": _f(sae1),
                "share_before": _f(share0),
                "share_after": _f(share1),
                "changed": (e0, tot0, sae0) != (u.ects, tot1, sae1),
            }
        )
    return pl.DataFrame(rows, schema=UES_SCHEMA, orient="row")


WEIGHTS_SCHEMA = {
    "table_id": pl.String,
    "ue": pl.String,
    "competence": pl.Int64,
    "module_code": pl.String,
    "module_name": pl.String,
    "weight_before": pl.Float64,
    "weight_after": pl.Float64,
    "delta": pl.Float64,
}


def module_weights(before: Proposal, after: Proposal) -> pl.DataFrame:
    """Each module's weight in each UE's average, coefficient / UE total, before and after (0
    where it has no coefficient; null when the UE has no coefficient at all), with the change."""
    tb, ta = before.ue_totals(), after.ue_totals()
    rows = []
    for a, b in _modules(before, after):
        m = b or a
        assert m is not None
        for u in after.ues:
            if u.table_id != m.table_id:
                continue
            key = (u.table_id, u.competence)
            old = before.value(u.table_id, a.key, u.competence) if a else Decimal(0)
            new = after.value(u.table_id, b.key, u.competence) if b else Decimal(0)
            if old == 0 and new == 0:
                continue
            t0, t1 = tb.get(key, (Decimal(0),))[0], ta[key][0]
            w0 = old / t0 if t0 else None
            w1 = new / t1 if t1 else None
            rows.append(
                {
                    "table_id": u.table_id,
                    "ue": u.code,
                    "competence": u.competence,
                    "module_code": m.code,
                    "module_name": m.name,
                    "weight_before": _f(w0),
                    "weight_after": _f(w1),
                    "delta": _f(w1 - w0) if w0 is not None and w1 is not None else None,
                }
            )
    return pl.DataFrame(rows, schema=WEIGHTS_SCHEMA, orient="row")


@dataclass(frozen=True)
class ScenarioDiff:
    cells: pl.DataFrame  # cell_diff
    grid: pl.DataFrame  # grid_diff
    ues: pl.DataFrame  # ue_diff
    weights: pl.DataFrame  # module_weights


def scenario_diff(scenario: Scenario) -> ScenarioDiff:
    """Every difference frame between a scenario's proposal and its origin."""
    before, after = scenario.base, scenario.proposal
    return ScenarioDiff(
        cell_diff(before, after),
        grid_diff(before, after),
        ue_diff(before, after),
        module_weights(before, after),
    )
