"""`python -m butdata conformity [--db PATH] [--table ID …] [--json]`: the conformity checks of
:mod:`butdata.analysis.conformity` on stored tables, grouped by table. Exit 0 whatever is found
(findings are for a committee to read, not a build to fail); 2 on bad arguments."""

from __future__ import annotations

import argparse
import json
import sys

import polars as pl

from butdata.analysis import queries
from butdata.analysis.conformity import Finding, check_frames
from butdata.analysis.conformity_rules import NOT_CHECKED, RCUE_PAIR_MISSING, RULES_BY_CODE
from butdata.analysis.years import year_pairs
from butdata.cli.common import add_db_argument, open_cli_store
from butdata.errors import ButdataError
from butdata.labels import table_label
from butdata.vocab import SEVERITY_LABELS

HELP = (
    "Vérifie la conformité des tableaux de coefficients (totaux, ECTS, part des SAÉ, modules, "
    "RCUE) ; les lectures incomplètes ne sont pas comptées comme des entorses."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_db_argument(parser)
    parser.add_argument(
        "--table",
        dest="tables",
        action="extend",
        nargs="+",
        default=[],
        metavar="ID",
        help="identifiant(s) de tableau à vérifier (défaut : tous les tableaux)",
    )
    parser.add_argument("--json", action="store_true", help="sortie JSON (liste de remarques)")


def run(args: argparse.Namespace) -> int:
    try:
        con = open_cli_store(args.db)
    except ButdataError as exc:
        return _fail(str(exc))
    try:
        listing = queries.overview_tables(con)
        all_ids = listing["table_id"].to_list()
        wanted = list(dict.fromkeys(args.tables)) or all_ids
        unknown = [t for t in wanted if t not in set(all_ids)]
        if unknown:
            return _fail(
                f"tableau(x) inconnu(s) : {', '.join(unknown)} (la commande sans --table "
                "liste tous les tableaux avec leur identifiant)"
            )
        pairs = year_pairs(listing)
        wanted_set = set(wanted)
        partners = {b if a in wanted_set else a for a, b in pairs if {a, b} & wanted_set}
        loaded = wanted_set | partners
        frames = queries.table_frames(con, sorted(loaded))
    finally:
        con.close()
    years = [p for p in pairs if set(p) <= loaded]
    findings = [
        f
        for f in check_frames(frames, years=years)
        if f.table_id in wanted_set or (f.rule == RCUE_PAIR_MISSING and f.table_id in partners)
    ]
    if args.json:
        print(json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=1))
    else:
        order = [t for t in all_ids if t in wanted_set or any(f.table_id == t for f in findings)]
        print(render_text(findings, listing, order))
    return 0


def render_text(findings: list[Finding], listing: pl.DataFrame, order: list[str]) -> str:
    """French report grouped by table (in ``order``), then a count by severity."""
    rows = {r["table_id"]: r for r in listing.iter_rows(named=True)}
    by_table: dict[str, list[Finding]] = {}
    for f in findings:
        by_table.setdefault(f.table_id, []).append(f)
    lines = []
    for tid in order:
        r = rows.get(tid, {})
        where = f"{r.get('source')}, ligne {r.get('source_line')}" if r else ""
        lines.append(f"{tid} — {table_label(r, formation=True) if r else ''} ({where})")
        for f in by_table.get(tid, []):
            sev = SEVERITY_LABELS.get(f.severity, f.severity)
            rule = "" if f.rule == NOT_CHECKED else f"{RULES_BY_CODE[f.rule].short} : "
            lines.append(f"  {sev} · {rule}{f.message}")
        if tid not in by_table:
            lines.append("  aucune remarque")
        lines.append("")
    counts = {s: sum(f.severity == s for f in findings) for s in ("error", "warning", "info")}
    lines.append(
        f"{len(order)} tableau(x) : {counts['error']} erreur(s), {counts['warning']} "
        f"avertissement(s), {counts['info']} information(s)."
    )
    return "\n".join(lines)


def _fail(message: str) -> int:
    print(f"erreur : {message}", file=sys.stderr)
    return 2
