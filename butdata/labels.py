"""How a table, a document and a parcours are named for people: one function each, so that every
page, chart, export and import preview names a table the same way."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

TRONC_COMMUN = "tronc commun"


def document_name(source: str | None, title: str | None = None, year: str | None = None) -> str:
    """A document as people name it: its title and year (``MCC QLIO 2025-2026``), else its file
    name without the hash-like part an extraction gave it (``000_f0acc9a397de0cbd.txt`` ->
    ``document 000``)."""
    if title:
        return f"{title} {year}" if year and year not in title else title
    stem = (source or "?").rsplit(".", 1)[0]
    m = re.match(r"^(\d+)_[0-9a-f]{8,}$", stem)
    return f"document {m.group(1)}" if m else stem


def doc_label(
    source: str | None, site: str | None = None, title: str | None = None, year: str | None = None
) -> str:
    """A document and its site: ``MCC QLIO 2025-2026`` / ``MCC IUT multisite · Agen``."""
    return document_name(source, title, year) + (f" · {site}" if site else "")


def parcours_label(parcours: str | None, alternance: bool | None = False) -> str:
    return (parcours or TRONC_COMMUN) + (" (alternance)" if alternance else "")


def table_label(row: Mapping[str, Any], *, formation: bool = False, document: bool = True) -> str:
    """``S3 · QMI (alternance) · MCC QLIO 2025-2026`` — unique enough to name a table on screen within a
    formation. ``formation=True`` prefixes the formation (``QLIO · S3 · …``) for lists that mix
    formations; ``document=False`` keeps only the site of the document (sheet names)."""
    sem = f"S{row['semester']}" if row.get("semester") is not None else "S?"
    parts = [row.get("formation") or "?"] if formation else []
    parts += [sem, parcours_label(row.get("parcours"), row.get("alternance"))]
    if document:
        parts.append(
            doc_label(row.get("source"), row.get("site"), row.get("doc_title"), row.get("doc_year"))
        )
    elif row.get("site"):
        parts.append(row["site"])
    return " · ".join(parts)


def compact_labels(labels: Sequence[str]) -> list[str]:
    """Drop the ``·``-separated parts shared by every label (``S3 · MP · doc 000`` and
    ``S3 · OSC · doc 000`` become ``MP`` and ``OSC``); unchanged when that would leave nothing
    or make two labels equal."""
    parts = [lab.split(" · ") for lab in labels]
    if len(parts) < 2 or len({len(p) for p in parts}) != 1:
        return list(labels)
    keep = [i for i in range(len(parts[0])) if len({p[i] for p in parts}) > 1]
    short = [" · ".join(p[i] for i in keep) for p in parts]
    if not keep or len(set(short)) != len(short):
        return list(labels)
    return short


def with_labels(df: pl.DataFrame) -> pl.DataFrame:
    """Adds ``label`` (:func:`table_label`), ``doc`` and ``parcours_fr`` to rows of ``tables``."""
    if df.height == 0:
        return df.with_columns(
            label=pl.lit(None, pl.String),
            doc=pl.lit(None, pl.String),
            parcours_fr=pl.lit(None, pl.String),
        )
    doc_cols = [c for c in ("doc_title", "doc_year") if c in df.columns]
    rows = df.select("semester", "parcours", "alternance", "source", "site", *doc_cols).to_dicts()
    return df.with_columns(
        label=pl.Series([table_label(r) for r in rows], dtype=pl.String),
        doc=pl.Series(
            [
                doc_label(r["source"], r["site"], r.get("doc_title"), r.get("doc_year"))
                for r in rows
            ],
            dtype=pl.String,
        ),
        parcours_fr=pl.Series(
            [parcours_label(r["parcours"], r["alternance"]) for r in rows], dtype=pl.String
        ),
    )
