"""`python -m butdata simulate`: one student's UE averages, RCUEs, decision and needed grades."""

from __future__ import annotations

import argparse
import json
import sys

import polars as pl

from butdata import fmt
from butdata.analysis import queries
from butdata.cli.common import add_db_argument, open_cli_store
from butdata.grading import student as sim
from butdata.grading.rules import DEFAULT_RULES, TOLERANCES, Rules
from butdata.grading.structure import MODE_LABELS, infer_year, semesters_of

HELP = (
    "Simule les résultats d'un étudiant (moyennes d'UE, RCUE, décision d'année, note minimale "
    "nécessaire) pour un tableau ou une année (tableau impair puis pair)."
)

BUT1_CHOICES = {
    "yes": True,
    "oui": True,
    "no": False,
    "non": False,
    "unknown": None,
    "inconnu": None,
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_db_argument(parser)
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
        "simplifié : UE31:SAE=12, UE31:RES=9, ou SAE=… / RES=… pour toutes les UE",
    )
    parser.add_argument(
        "--coarse",
        action="store_true",
        help="mode simplifié pour tous les tableaux (moyenne SAÉ / ressources pondérée "
        "par la part SAÉ de chaque UE)",
    )
    add_rule_arguments(parser)
    parser.add_argument(
        "--but1-validated",
        type=_but1,
        default="unknown",
        metavar="yes|no|unknown",
        help="BUT2 : toutes les UE du BUT1 sont-elles validées ? (condition d'entrée en BUT3 ; "
        "défaut : unknown, le passage de droit est alors « sous réserve »)",
    )
    parser.add_argument("--json", action="store_true", help="sortie JSON")


def add_rule_arguments(parser: argparse.ArgumentParser) -> None:
    """Options shared by the commands that apply the jury rules."""
    parser.add_argument(
        "--tolerance",
        type=_tolerance,
        default=DEFAULT_RULES.tolerance,
        metavar="scodoc|strict",
        help="scodoc (défaut : une moyenne compte comme atteinte à 0,005 près, comme ScoDoc) "
        "ou strict (moyenne ≥ seuil)",
    )


def _tolerance(text: str) -> str:
    if text.strip().lower() in TOLERANCES:
        return text.strip().lower()
    raise argparse.ArgumentTypeError(f"scodoc ou strict attendu, reçu {text!r}")


def _but1(text: str) -> str:
    if text.strip().lower() in BUT1_CHOICES:
        return text.strip().lower()
    raise argparse.ArgumentTypeError(
        f"yes, no ou unknown (oui, non, inconnu) attendu, reçu {text!r}"
    )


def rules_from(args: argparse.Namespace) -> Rules:
    return DEFAULT_RULES.with_changes(tolerance=args.tolerance)


def run(args: argparse.Namespace) -> int:
    rules = rules_from(args)
    try:
        raw = parse_grade_args(args.grade)
    except sim.GradeError as exc:
        return _fail(exc)
    con = open_cli_store(args.db)
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
        grades = sim.normalise_grades(raw, codes, rules)
    except sim.GradeError as exc:
        return _fail(exc)
    year = infer_year(frames["ues"], table_ids, semesters_of(frames["tables"], table_ids))
    inputs = sim.JuryInputs(but1_validated=BUT1_CHOICES[args.but1_validated])
    result = sim.simulate(
        frames["coefficients"], frames["ues"], table_ids, grades, rules, modes, inputs, year
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
    rules = result.rules
    lines = []
    for s in result.semesters:
        mode = MODE_LABELS[s.mode]
        sem = semesters.get(s.table_id)
        lines.append(f"{f'Semestre {sem} — ' if sem else ''}{s.table_id} ({mode})")
        lines.append(
            f"  {'UE':<8} {'Comp.':>5} {'Moyenne':>8} {'Code':>5}  Note minimale nécessaire"
        )
        for r in s.ues.iter_rows(named=True):
            need = sim.Needed(r["needed_status"], r["needed"]).label(result.rules)
            avg = _avg(r["average"], rules, (rules.pass_mark,))
            lines.append(
                f"  {r['ue']:<8} {r['competence']:>5} {avg:>8} {r['code'] or '—':>5}  {need}"
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
            avg = _avg(r["average"], rules, (rules.pass_mark, rules.rcue_floor))
            lines.append(
                f"  {r['competence']:>5} {pair:<16} {avg:>8} "
                f"{'oui' if r['validated'] else 'non':>7}  {need}"
            )
        lines.append("")
    provisional = " (provisoire)" if result.provisional and result.decision else ""
    lines.append(f"Décision : {result.decision or '—'}{provisional}")
    lines.append(result.rule)
    return "\n".join(lines)


def _avg(x: float | None, rules: Rules, marks: tuple[float, ...]) -> str:
    return fmt.MISSING if x is None else fmt.number(rules.shown(x, marks), 2, trim=False)


def _fail(exc: Exception) -> int:
    print(f"erreur : {exc}", file=sys.stderr)
    return 2
