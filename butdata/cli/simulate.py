"""`python -m butdata simulate`: one student's UE averages, RCUEs, decision and needed grades."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import polars as pl

from butdata.analysis import queries
from butdata.grading import student as sim
from butdata.grading.rules import DEFAULT_RULES
from butdata.store import ensure_store, open_store, repair_store

HELP = (
    "Simule les résultats d'un étudiant (moyennes d'UE, RCUE, décision d'année, note minimale "
    "nécessaire) pour un tableau ou une année (tableau impair puis pair)."
)

CODES_FR = {sim.ADM: "ADM", sim.CMP: "CMP", sim.AJ: "AJ", None: "—"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help="fichier de la base (défaut : data/butdata.duckdb, construite si absente)",
    )
    parser.add_argument(
        "table_id", metavar="TABLE_ID", help="tableau (semestre impair pour une année)"
    )
    parser.add_argument(
        "even_table_id",
        metavar="EVEN_TABLE_ID",
        nargs="?",
        help="tableau du semestre pair de la même année",
    )
    parser.add_argument(
        "--grade",
        action="append",
        default=[],
        metavar="CODE=NOTE",
        help="note d'un module (répétable ; virgule décimale acceptée). En mode "
        "grossier : UE31:SAE=12, UE31:RES=9, ou SAE=… / RES=… pour toutes les UE",
    )
    parser.add_argument(
        "--coarse",
        action="store_true",
        help="mode grossier pour tous les tableaux (moyenne SAÉ / ressources pondérée "
        "par la part SAÉ de chaque UE)",
    )
    parser.add_argument("--json", action="store_true", help="sortie JSON")


def run(args: argparse.Namespace) -> int:
    try:
        raw = parse_grade_args(args.grade)
    except sim.GradeError as exc:
        return _fail(exc)
    if args.db is None:
        ensure_store()
    elif repair_store(args.db):
        print(f"base abîmée : reconstruite à partir de ses sources ({args.db})", file=sys.stderr)
    con = open_store(args.db)
    try:
        table_ids = [t for t in (args.table_id, args.even_table_id) if t]
        frames = queries.table_frames(con, table_ids)
    finally:
        con.close()
    try:
        for warning in sim.check_year(frames["tables"], table_ids):
            print(f"attention : {warning}", file=sys.stderr)
        modes = {t: sim.COARSE_MODE for t in table_ids} if args.coarse else None
        weights = [
            sim.semester_weights(
                frames["coefficients"], frames["ues"], t, (modes or {}).get(t, "auto")
            )[0]
            for t in table_ids
        ]
        codes = []
        for w in weights:
            codes += [c for c in sim.known_codes(w, frames["modules"], table_ids) if c not in codes]
        grades = sim.normalise_grades(raw, codes, DEFAULT_RULES)
    except sim.GradeError as exc:
        return _fail(exc)
    result = sim.simulate(
        frames["coefficients"], frames["ues"], table_ids, grades, DEFAULT_RULES, modes
    )
    if args.json:
        print(json.dumps(result.to_json_dict(), ensure_ascii=False))
    else:
        print(render_text(result, frames["tables"]))
    return 0


def parse_grade_args(items: list[str]) -> dict[str, str]:
    """``["R1.01=12,5", ...]`` → ``{"R1.01": "12,5"}`` (values checked later)."""
    out = {}
    for item in items:
        code, sep, value = item.rpartition("=")
        code = code.strip()
        if not sep or not code or not value.strip():
            raise sim.GradeError(f"--grade attend CODE=NOTE, reçu {item!r}")
        if code in out:
            raise sim.GradeError(f"note donnée deux fois pour {code}")
        out[code] = value.strip().replace(",", ".")
    return out


def render_text(result: sim.SimulationResult, tables: pl.DataFrame) -> str:
    """Human-readable French report."""
    semesters = {r["table_id"]: r["semester"] for r in tables.iter_rows(named=True)}
    lines = []
    for s in result.semesters:
        mode = "mode grossier : SAÉ / ressources" if s.mode == sim.COARSE_MODE else "par module"
        sem = semesters.get(s.table_id)
        lines.append(f"{f'Semestre {sem} — ' if sem else ''}{s.table_id} ({mode})")
        lines.append(
            f"  {'UE':<8} {'Comp.':>5} {'Moyenne':>8} {'Code':>5}  Note minimale nécessaire"
        )
        for r in s.ues.iter_rows(named=True):
            need = sim.Needed(r["needed_status"], r["needed"]).label(result.rules)
            lines.append(
                f"  {r['ue']:<8} {r['competence']:>5} {_avg(r['average']):>8} "
                f"{CODES_FR[r['code']]:>5}  {need}"
            )
        lines.append("")
    if result.rcues.height:
        lines.append("RCUE (moyenne des deux UE de la compétence)")
        lines.append(
            f"  {'Comp.':>5} {'UE':<16} {'Moyenne':>8} {'Validé':>7}  Note minimale nécessaire"
        )
        for r in result.rcues.iter_rows(named=True):
            need = sim.Needed(r["needed_status"], r["needed"]).label(result.rules)
            pair = f"{r['ue_odd']} + {r['ue_even']}"
            lines.append(
                f"  {r['competence']:>5} {pair:<16} {_avg(r['average']):>8} "
                f"{'oui' if r['validated'] else 'non':>7}  {need}"
            )
        lines.append("")
    lines.append(f"Décision : {result.decision or '—'}")
    lines.append(result.rule)
    return "\n".join(lines)


def _avg(x: float | None) -> str:
    return "—" if x is None else f"{sim.floor_to(x, 2):.2f}".replace(".", ",")


def _fail(exc: Exception) -> int:
    print(f"erreur : {exc}", file=sys.stderr)
    return 2
