"""`python -m butdata check [--db PATH]`: quality report per document; exit 1 on contradictions.

What counts as a contradiction is defined in :mod:`butdata.analysis.quality`.
"""

from __future__ import annotations

import argparse

from butdata.analysis.quality import quality_report
from butdata.cli.common import add_db_argument, open_cli_store

HELP = (
    "Rapport de qualité par document (tableaux, UE, valeurs, avertissements) ; code de "
    "sortie 1 si une valeur contredit les totaux de sa source."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_db_argument(parser)


def run(args: argparse.Namespace) -> int:
    con = open_cli_store(args.db)
    try:
        report = quality_report(con)
    finally:
        con.close()
    for d in report.documents.iter_rows(named=True):
        print(f"{d['source']}")
        print(
            f"  tableaux : {d['tables']} ({d['complete']} complets, {d['partial']} partiels, "
            f"{d['empty']} vides), dont {d['inferred']} à identité déduite"
        )
        print(f"  lignes UE : {d['ues']}, dont {d['ues_ok']} à l'arithmétique juste")
        print(f"  valeurs : {d['values']}, dont {d['values_with_module']} rattachées à un module")
        print(f"  avertissements : {d['warnings']}")
        print(f"  contradictions : {d['contradictions']}")
    for c in report.contradictions.iter_rows(named=True):
        where = f"{c['source']}:{c['line']}" if c["line"] else c["source"]
        print(
            f"contradiction ({c['kind']}) {where} {c['table_id']} {c['ue'] or ''} : {c['detail']}"
        )
    if not report.ok:
        print(
            f"{report.contradictions.height} contradiction(s) : la base ne reflète pas fidèlement "
            f"ses sources"
        )
        return 1
    return 0
