"""`python -m butdata decide`: year decisions from UE averages (our JSON or CSV, or a ScoDoc 9
jury export, compared with the codes it records)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from butdata import fmt
from butdata.cli.simulate import add_rule_arguments, rules_from
from butdata.errors import ButdataError
from butdata.grading import records
from butdata.vocab import jury_label

HELP = (
    "Décisions d'année à partir des moyennes d'UE (JSON ou CSV), ou d'un export de jury ScoDoc 9 "
    "(decisions_jury) comparé aux codes enregistrés."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--input",
        type=Path,
        required=True,
        metavar="FICHIER",
        help="JSON (liste d'étudiants, ou export decisions_jury de ScoDoc) ou CSV (une ligne par "
        "étudiant × compétence : student, year, competence, ue_odd, ue_even, rcue_jury, "
        "but1_validated)",
    )
    add_rule_arguments(parser)
    parser.add_argument(
        "--json",
        action="store_true",
        help="sortie JSON (liste d'étudiants) ; pour un export ScoDoc, le bilan d'accord va "
        "sur la sortie d'erreur",
    )


def run(args: argparse.Namespace) -> int:
    rules = rules_from(args)
    try:
        recs, kind = records.read_records(args.input)
    except ButdataError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 2
    scodoc = kind == records.SCODOC_FORMAT
    outputs = records.decide_records(recs, rules, scodoc)
    summary = records.agreement_text(records.agreement(outputs)) if scodoc else ""
    if args.json:
        print(json.dumps(outputs, ensure_ascii=False))
        if summary:
            print(summary, file=sys.stderr)
    else:
        print(render_text(outputs, kind, scodoc))
        if summary:
            print()
            print(summary)
    return 0


def render_text(outputs: list[dict[str, Any]], kind: str, scodoc: bool) -> str:
    lines = [f"{len(outputs)} étudiant(s) — {records.FORMAT_LABELS[kind]}"]
    for o in outputs:
        rcues = ", ".join(
            f"C{r['competence']} {fmt.number(r['average'], 2, trim=False)} {r['code'] or '—'}"
            for r in o["rcues"]
        )
        head = f"{o['student']} : {jury_label(o['decision'])}"
        if scodoc:
            agrees = {True: "accord", False: "DÉSACCORD", None: "non comparé"}[o["agrees"]]
            head += f" — enregistré : {o['recorded'] or '—'} ({agrees})"
        lines.append(head)
        lines.append(f"    RCUE : {rcues or '—'}")
        lines.append(f"    {o['rule']}")
    return "\n".join(lines)
