"""How the pages say where tables come from and what they allow (French, from butdata.vocab and
butdata.fmt: no internal code, no « None » on screen)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from butdata.vocab import (
    RELIABILITIES,
    RELIABILITY_HELP,
    RELIABILITY_LABELS,
    SEVERITY_LABELS,
    WARNING_LABELS,
)

from . import printing

RELIABILITY_LEGEND = " · ".join(
    f"**{RELIABILITY_LABELS[r]}** : {RELIABILITY_HELP[r]}" for r in RELIABILITIES
)


def warning_columns() -> list[pl.Expr]:
    """A reading warning as the pages show it: its line, severity and nature in French, its
    message."""
    return [
        pl.col("source_line").alias("ligne"),
        pl.col("severity")
        .replace_strict(SEVERITY_LABELS, default=pl.col("severity"))
        .alias("gravité"),
        pl.col("code").replace_strict(WARNING_LABELS, default=pl.col("code")).alias("nature"),
        pl.col("message"),
    ]


def shorten(text: str | None, n: int = 90) -> str:
    text = text or ""
    return text if len(text) <= n else text[: n - 1] + "…"


def provenance(tables: pl.DataFrame) -> None:
    """One caption line per table: label, what it allows, document, file and line of its title."""
    lines = []
    for r in tables.iter_rows(named=True):
        what = RELIABILITY_LABELS.get(r.get("reliability") or "", "")
        flag = " · identité déduite du contenu" if r.get("identity_inferred") else ""
        line = (
            f"{r['label']} — {what}{flag} — fichier {r['source']}, ligne {r['source_line']} : "
            f"« {shorten(r.get('title'))} »"
        )
        printing.note_source(line)
        lines.append(
            f"**{r['label']}** — *{what}*{flag} — `{r['source']}` ligne {r['source_line']} : "
            f"« {shorten(r.get('title'))} »"
        )
    st.caption("  \n".join(lines))
