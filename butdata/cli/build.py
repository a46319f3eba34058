"""`python -m butdata build`: parse the sources and atomically replace the store."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from butdata import fmt
from butdata.cli.common import add_db_argument
from butdata.store import DEFAULT_SOURCES, build_store, default_db_path
from butdata.vocab import STATUS_LABELS

HELP = "Construit la base DuckDB à partir des documents sources (remplacement atomique)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sources",
        type=Path,
        default=DEFAULT_SOURCES,
        help="dossier des documents (défaut : data/sources/)",
    )
    add_db_argument(
        parser, "fichier de la base à écrire (défaut : data/butdata.duckdb ou $BUTDATA_DB)"
    )


def run(args: argparse.Namespace) -> int:
    def progress(fraction: float, message: str) -> None:
        print(f"[{fraction:4.0%}] {message}", file=sys.stderr, flush=True)

    report = build_store(args.sources, args.db or default_db_path(), progress)
    print(f"Base écrite : {report.db_path} ({fmt.seconds(report.seconds)})")
    for d in report.documents:
        statuses = ", ".join(f"{n} {STATUS_LABELS[s]}s" for s, n in d.by_status.items() if n)
        print(
            f"- {d.source} ({d.layout}) : {d.tables} tableaux"
            + (f" ({statuses})" if statuses else "")  # a competence referential has none
            + f", {d.ues} UE, "
            f"{d.coefficients} coefficients, {d.warnings} avertissements"
        )
    return 0
