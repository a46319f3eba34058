"""`python -m butdata export`: write the store (or some formations) as the tidy template."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from butdata.errors import ButdataError
from butdata.exports.tidy import export
from butdata.store import default_db_path, open_store, repair_store

HELP = (
    "Exporte les tableaux de coefficients dans le modèle CSV ou XLSX (XLSX : une feuille "
    "lisible par tableau, modules × UE, plus la feuille « Modèle »)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help="fichier de la base (défaut : data/butdata.duckdb ou $BUTDATA_DB)",
    )
    parser.add_argument(
        "--out", type=Path, required=True, help="fichier à écrire : .csv (modèle seul) ou .xlsx"
    )
    parser.add_argument(
        "--formation",
        action="append",
        default=None,
        metavar="SIGLE",
        help="ne garder que ces formations (répétable ou séparées par des "
        "virgules : --formation QLIO,GEA)",
    )


def run(args: argparse.Namespace) -> int:
    if args.out.suffix.lower() not in (".csv", ".xlsx"):
        raise ButdataError(
            f"format de sortie non reconnu : {args.out.name} (.csv ou .xlsx attendu)"
        )
    formations = None
    if args.formation:
        formations = [
            f.strip().upper() for arg in args.formation for f in arg.split(",") if f.strip()
        ]
    db = args.db or default_db_path()
    if repair_store(db):
        print(f"base abîmée : reconstruite à partir de ses sources ({db})", file=sys.stderr)
    con = open_store(db)
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        n = export(con, args.out, formations)
    finally:
        con.close()
    print(f"Modèle écrit : {args.out} ({n} lignes)")
    return 0
