"""Conformity findings as people read them: French tables (rule, severity, table, UE, module,
message, source line), counts by rule and severity, the rule set with its sources and settings.
Errors come first, then warnings, then informations (the « non vérifié » of incomplete
readings): the home page, the Scénarios page, the council's workbook and its PDF note show
these same tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from butdata import fmt
from butdata.analysis.conformity import Finding
from butdata.analysis.conformity_rules import (
    DEFAULT_SETTINGS,
    ERROR,
    INFO,
    RULES,
    RULES_BY_CODE,
    SEVERITIES,
    SEVERITY_RANK,
    WARNING,
    ConformitySettings,
    rule_set,
    show_setting,
)
from butdata.vocab import SEVERITY_LABELS

FINDING_COLUMNS = ("gravité", "règle", "tableau", "UE", "module", "message", "fichier", "ligne")
_PLURAL = {ERROR: "erreurs", WARNING: "avertissements", INFO: "informations"}


def counts(findings: Sequence[Finding]) -> dict[str, int]:
    """Findings per severity: ``{"error": 0, "warning": 13, "info": 139}``."""
    return {s: sum(f.severity == s for f in findings) for s in SEVERITIES}


def summary(findings: Sequence[Finding]) -> str:
    """« 0 erreur · 13 avertissements · 139 informations »."""
    n = counts(findings)
    return " · ".join(
        f"{fmt.integer(n[s])} {SEVERITY_LABELS[s] if n[s] <= 1 else _PLURAL[s]}" for s in SEVERITIES
    )


def ordered(findings: Sequence[Finding]) -> list[Finding]:
    """Errors, then warnings, then informations (stable: the checks' order within each)."""
    return sorted(findings, key=lambda f: SEVERITY_RANK.get(f.severity, 3))


def findings_table(
    findings: Sequence[Finding],
    labels: Mapping[str, str] | None = None,
    sources: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """One row per finding in French (errors first): ``labels`` names the tables (table id →
    « QLIO · S3 · QMI · MCC QLIO »), ``sources`` gives their document file."""
    labels, sources = labels or {}, sources or {}
    rows = [
        [
            SEVERITY_LABELS.get(f.severity, f.severity),
            RULES_BY_CODE[f.rule].short if f.rule in RULES_BY_CODE else f.rule,
            labels.get(f.table_id, f.table_id),
            f.ue or "",
            f.module_code or "",
            f.message,
            sources.get(f.table_id, ""),
            f.line,
        ]
        for f in ordered(findings)
    ]
    schema: dict[str, Any] = {c: pl.String for c in FINDING_COLUMNS} | {"ligne": pl.Int64}
    return pl.DataFrame(rows, schema=schema, orient="row")


def by_rule(findings: Sequence[Finding]) -> pl.DataFrame:
    """Counts by rule (every rule listed, in the rule set's order) and severity."""
    rows = []
    for r in RULES:
        mine = [f for f in findings if f.rule == r.code]
        n = counts(mine)
        rows.append([r.short, r.code, n[ERROR], n[WARNING], n[INFO], len(mine)])
    return pl.DataFrame(
        rows,
        schema={
            "règle": pl.String,
            "code": pl.String,
            "erreurs": pl.Int64,
            "avertissements": pl.Int64,
            "informations": pl.Int64,
            "total": pl.Int64,
        },
        orient="row",
    )


def by_table(findings: Sequence[Finding], labels: Mapping[str, str] | None = None) -> pl.DataFrame:
    """Counts per table and severity, tables with errors first."""
    labels = labels or {}
    ids = list(dict.fromkeys(f.table_id for f in findings))
    rows = []
    for tid in ids:
        n = counts([f for f in findings if f.table_id == tid])
        rows.append([labels.get(tid, tid), tid, n[ERROR], n[WARNING], n[INFO]])
    frame = pl.DataFrame(
        rows,
        schema={
            "tableau": pl.String,
            "identifiant": pl.String,
            "erreurs": pl.Int64,
            "avertissements": pl.Int64,
            "informations": pl.Int64,
        },
        orient="row",
    )
    return frame.sort(["erreurs", "avertissements"], descending=True, maintain_order=True)


def rules_table(settings: ConformitySettings = DEFAULT_SETTINGS) -> pl.DataFrame:
    """The rule set: rule, what it checks, severity, source (« réglage local » for a local
    choice), its settings with their current values."""
    rows = [
        [
            r["short"],
            r["code"],
            r["label"],
            r["severity_fr"],
            r["source"],
            "; ".join(f"{k} : {show_setting(k, v)}" for k, v in r["settings"].items()) or "—",
        ]
        for r in rule_set(settings)
    ]
    return pl.DataFrame(
        rows,
        schema={
            c: pl.String
            for c in ("règle", "code", "ce qui est vérifié", "gravité", "source", "réglages")
        },
        orient="row",
    )


def settings_table(settings: ConformitySettings = DEFAULT_SETTINGS) -> pl.DataFrame:
    """Each setting: label, value in French, whether it differs from its default, source."""
    rows = []
    for s in ConformitySettings.describe():
        value = getattr(settings, s["name"])
        rows.append(
            [
                s["label"],
                show_setting(s["name"], value),
                show_setting(s["name"], s["default"]),
                "modifié" if value != s["default"] else "",
                s["source"],
            ]
        )
    return pl.DataFrame(
        rows,
        schema={c: pl.String for c in ("réglage", "valeur", "par défaut", "état", "source")},
        orient="row",
    )
