"""`python -m butdata synth`: write a seeded synthetic national store (benchmarks only)."""

from __future__ import annotations

import argparse
from pathlib import Path

from butdata import fmt
from butdata.devtools.synth import write_synthetic_store
from butdata.errors import ButdataError

HELP = (
    "Écrit une base SYNTHÉTIQUE de taille nationale (pour les mesures de performance) : "
    "--scale N = nombre de sites par spécialité (24 spécialités ; N = 100 ≈ 37 000 tableaux, "
    "≈ 1,8 million de coefficients). Données inventées, marquées « SYNTHÉTIQUE » dans "
    "tables.source."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scale",
        type=int,
        required=True,
        metavar="N",
        help="nombre de sites (IUT) par spécialité ; 100 ≈ échelle nationale",
    )
    parser.add_argument(
        "--db",
        type=Path,
        required=True,
        help="fichier de la base synthétique (remplacé atomiquement)",
    )
    parser.add_argument("--seed", type=int, default=42, help="graine (défaut : 42)")


def run(args: argparse.Namespace) -> int:
    if args.scale < 0:
        raise ButdataError("--scale doit être positif ou nul")
    if args.seed < 0:
        raise ButdataError("--seed doit être positif ou nul")
    report = write_synthetic_store(args.db, args.scale, args.seed)
    rows = ", ".join(
        f"{k.removeprefix('t_')} {v:,}".replace(",", " ") for k, v in report.rows.items()
    )
    print(f"Base synthétique écrite : {report.db_path} ({fmt.seconds(report.seconds)})")
    print(f"source : {report.source}")
    print(f"lignes : {rows}")
    return 0
