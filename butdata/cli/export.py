"""`python -m butdata export`: write the store (or some formations) as the tidy template."""

from __future__ import annotations

import argparse
from pathlib import Path

from butdata.cli.common import add_db_argument, open_cli_store
from butdata.errors import ButdataError
from butdata.exports.tidy import export

HELP = (
    "Exporte les tableaux de coefficients dans le modèle CSV ou XLSX (XLSX : une feuille "
    "lisible par tableau, modules × UE, plus la feuille « Modèle »)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_db_argument(parser)
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
    con = open_cli_store(args.db)
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        n = export(con, args.out, formations)
    finally:
        con.close()
    print(f"Modèle écrit : {args.out} ({n} lignes)")
    return 0
