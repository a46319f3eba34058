"""French formatting helpers for the pages."""

from __future__ import annotations

import polars as pl
import streamlit as st

STATUS_HELP = (
    "**complet** : tableau lu en entier, totaux vérifiés · **partiel** : des valeurs "
    "manquent ou n'ont pas pu être vérifiées · **vide** : titre présent mais aucune "
    "ligne exploitable dans le document"
)


def fr(x: float | None, digits: int = 2) -> str:
    if x is None:
        return "—"
    return f"{x:.{digits}f}".rstrip("0").rstrip(".").replace(".", ",")


def pct(x: float | None, digits: int = 0) -> str:
    return "—" if x is None else f"{fr(100 * x, digits)} %"


def provenance(tables: pl.DataFrame) -> None:
    """One caption line per table: label, status, document and line of its title."""
    lines = []
    for r in tables.iter_rows(named=True):
        status = {"complete": "complet", "partial": "partiel", "empty": "vide"}.get(
            r["status"], r["status"]
        )
        flag = " · identité déduite du contenu" if r.get("identity_inferred") else ""
        title = r.get("title") or ""
        title = title if len(title) <= 90 else title[:89] + "…"
        lines.append(
            f"**{r['label']}** — statut **{status}**{flag} — `{r['source']}` ligne "
            f"{r['source_line']} : « {title} »"
        )
    st.caption("  \n".join(lines))
