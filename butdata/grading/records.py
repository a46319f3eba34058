"""Jury records: decide from UE averages, and compare with what a ScoDoc jury recorded.

Three inputs, one decision engine (:func:`butdata.grading.jury.decide_year`):

- our JSON: a list of ``{"student", "year": 1|2|3, "competences": [{"competence", "ue_odd",
  "ue_even", "rcue_jury": null|"ADJ"|"AJ"}], "but1_validated": true|false|null}``;
- our CSV: one row per student × competence with the same column names (``,`` or ``;``,
  decimal commas accepted);
- ScoDoc 9's jury export (API ``formsemestre/<id>/decisions_jury``), detected by its keys.

What ScoDoc does, and where it says so (read for this module; « recalled » marks what comes
from our reading of ScoDoc 9's code that the stored copies available here did not show again):

- Repository ScoDoc/ScoDoc (scodoc.org/git), ``app/but/jury_but.py`` (module docstring, commit
  f84e7b10, 2023; same text in forks, e.g. gitlab.univ-lille.fr ``scodoc_r6a06``):
  ``DecisionsProposeesAnnee`` gathers the year's RCUEs (« pour un redoublant, le RCUE peut
  considérer un formsemestre d'une année antérieure »), proposes codes for UEs, RCUEs and the
  year; « Si RCUE validé, on déclenche d'éventuelles validations » of the lower level (« La
  validation des deux UE du niveau d'une compétence emporte la validation de l'ensemble des UE du
  niveau inférieur »: ADSUP); odd-semester juries only authorise the next even semester, the
  even-semester jury decides the year and gives « autorisation en S_2n+1 (S3 ou S5) si: ADM,
  ADJ, PASD, PAS1CN » (sic; the year codes are listed as PAS1NCI elsewhere).
- ``app/scodoc/sco_codes_parcours.py`` (now ``codes_cursus.py``): ``NOTES_TOLERANCE =
  0.00499999999999 # si note >= (BARRE-TOLERANCE), considere ok (permet d'eviter d'afficher
  10.00 sous barre alors que la moyenne vaut 9.999)``. Recalled: the BUT bars are ``BUT_BARRE_RCUE
  = 10 - NOTES_TOLERANCE`` and ``BUT_RCUE_SUFFISANT = 8 - NOTES_TOLERANCE``, compared with ``>``;
  an RCUE is « validable » (counted for ADM and for « plus de la moitié ») from its average alone;
  PASD = more than ``nb_competences // 2`` validable and none under 8; BUT2 → BUT3 also needs
  every BUT1 UE validated (``etud_ues_de_but1_non_validees``); otherwise the proposed codes are
  RED, NAR, PAS1NCI, ADJ… (the jury chooses); a student who is not « inscrit » (démission,
  défaillance) gets DEM / DEF. Validated RCUE codes: ADM, CMP, ADJ, ADSUP.
- Documentation DocScoDoc ``BUT.md`` (passage d'une année à l'autre, BUT3 condition, ADSUP) and
  the codes page (« Codes d'année », decree extracts); ``BUTCapitalisationUE.md``: the best UE
  average is kept for a repeating student (so an exported RCUE average may differ from the mean
  of this year's UE averages).
- The export itself (``shared/notes/but-rules.md``): one object per student, ``etudid``,
  ``nb_competences``, ``annee: {"code", "ordre", "annee_scolaire"}`` or ``[]`` (no year
  decision: an odd-semester jury, or none yet), ``rcues: [{"code", "moy", "ue_1": {"code",
  "moy", "ue_id"}, "ue_2": {…}}]`` (odd then even UE), ``ues``, ``semestre: {"code"}``,
  ``autorisations``. Recalled: ``etat`` (``"I"``, ``"D"``, ``"DEF"``) and only complete RCUEs
  are exported; ``moy`` is null when there is no average (NaN in ScoDoc).

How a record is read here, so that the decision comes from the UE averages plus the jury's own
RCUE decisions (never from the recorded year code):

- RCUE average: the weighted mean of ``ue_1.moy`` and ``ue_2.moy``; when the record's RCUE
  ``moy`` differs (a capitalised UE, local ``coef_rcue``), the record's is used, with a note.
- The jury's RCUE decision: a recorded validated code (ADM, CMP, ADJ, ADSUP) on an average that
  does not reach 10 under the published rules (ScoDoc tolerance) is the jury validating it
  (``ADJ``; an RCUE validated earlier has no average at all); a recorded ``AJ`` on an average that
  reaches 10 is the jury refusing it. Anything else follows the averages, so that the what-ifs
  (strict tolerance, another floor) change what the rules would give.
- Fewer RCUEs than ``nb_competences``, or an RCUE without average: not validated and below the
  floor (ScoDoc counts them so). ``etat`` D / DEF or a recorded DEM / DEF: no decision.
- Comparison (:func:`agreement`): recorded ADM / ADSUP ↔ ADM, PASD ↔ PASD, AJ / RED / NAR ↔ AJ
  (« not passing by right »). PAS1NCI and ADJ are the jury deciding beyond the rules (reported
  apart, « cohérent » when the rules did not already give ADM); DEM, DEF, ABAN, ABL, EXCLU and
  records without a year code are not compared.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from butdata import fmt
from butdata.errors import SourceError
from butdata.grading import jury
from butdata.grading.jury import (
    ABAN,
    ABL,
    ADJ,
    ADM,
    ADSUP,
    AJ,
    DEF,
    DEM,
    EXCLU,
    NAR,
    PAS1NCI,
    PASD,
    RCUE_VALIDATED,
    RED,
    CompetenceInput,
    UEInput,
    rcue_average,
)
from butdata.grading.rules import DEFAULT_RULES, Rules
from butdata.vocab import jury_label

OURS, CSV_FORMAT, SCODOC_FORMAT = "json", "csv", "scodoc"
FORMAT_LABELS = {
    OURS: "JSON (moyennes d'UE)",
    CSV_FORMAT: "CSV (moyennes d'UE)",
    SCODOC_FORMAT: "export de jury ScoDoc 9 (decisions_jury)",
}
RECORDED_CLASS = {ADM: ADM, ADSUP: ADM, PASD: PASD, AJ: AJ, RED: AJ, NAR: AJ}
JURY_YEAR_CODES = frozenset({PAS1NCI, ADJ})
STOP_CODES = frozenset({DEM, DEF, ABAN, ABL, EXCLU})
CSV_COLUMNS = ("student", "year", "competence", "ue_odd", "ue_even", "rcue_jury", "but1_validated")
_TRUE = {"true", "vrai", "oui", "yes", "1"}
_FALSE = {"false", "faux", "non", "no", "0"}


@dataclass(frozen=True)
class StudentRecord:
    """One student's year as the engine reads it (see the module docstring for ScoDoc)."""

    student: Any
    year: int | None
    competences: tuple[CompetenceInput, ...]
    but1_validated: bool | None = None
    missing: tuple[int, ...] = ()
    missing_fails: bool = False
    recorded: str | None = None  # ScoDoc: the recorded year code
    stopped: str | None = None  # DEM / DEF: no decision
    notes: tuple[str, ...] = field(default_factory=tuple)


# --------------------------------------------------------------------------- reading


def read_records(path: str | Path, text: str | None = None) -> tuple[list[StudentRecord], str]:
    """Records of a file (or of ``text``, named ``path``) and its format. Raises SourceError
    (file, line or element, French message) on bad input."""
    name = Path(path).name
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise SourceError(name, None, f"fichier illisible ({exc})") from None
    if name.lower().endswith(".csv") or not text.lstrip().startswith(("[", "{")):
        return read_csv(name, text), CSV_FORMAT
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(name, exc.lineno, f"JSON illisible : {exc.msg}") from None
    if isinstance(data, dict):  # an export wrapped in an object, or a single student
        data = data.get("etudiants") or data.get("decisions") or [data]
    if not isinstance(data, list):
        raise SourceError(name, None, "une liste d'étudiants est attendue")
    if (
        data
        and all(isinstance(d, dict) and "competences" not in d for d in data)
        and any(isinstance(d, dict) and ("etudid" in d or "rcues" in d) for d in data)
    ):
        return [scodoc_record(name, i, d) for i, d in enumerate(data)], SCODOC_FORMAT
    return [json_record(name, i, d) for i, d in enumerate(data)], OURS


def _number(name: str, where: str, value: Any, line: int | None = None) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise SourceError(name, line, f"{where} : nombre attendu, reçu {value!r}")
    if isinstance(value, str):
        text = value.strip().replace(",", ".")
        if text.lower() in ("", "nan", "null", "none", "-", "—"):
            return None
        value = text
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise SourceError(name, line, f"{where} : nombre illisible {value!r}") from None
    if math.isnan(v):
        return None
    if not 0 <= v <= 20:
        raise SourceError(name, line, f"{where} : moyenne hors de l'intervalle 0-20 ({value})")
    return v


def _year(name: str, where: str, value: Any, line: int | None = None) -> int:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise SourceError(
            name, line, f"{where} : année 1, 2 ou 3 attendue, reçu {value!r}"
        ) from None
    if year not in (1, 2, 3):
        raise SourceError(name, line, f"{where} : année 1, 2 ou 3 attendue, reçu {value!r}")
    return year


def _bool(name: str, where: str, value: Any, line: int | None = None) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("", "null", "inconnu", "unknown"):
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise SourceError(
        name, line, f"{where} : oui / non attendu pour but1_validated, reçu {value!r}"
    )


def _rcue_jury(name: str, where: str, value: Any, line: int | None = None) -> str | None:
    if value is None or str(value).strip() == "":
        return None
    code = str(value).strip().upper()
    if code not in jury.RCUE_JURY_CODES:
        raise SourceError(name, line, f"{where} : rcue_jury vaut ADJ, AJ ou rien, reçu {value!r}")
    return code


def json_record(name: str, index: int, d: Any) -> StudentRecord:
    where = f"étudiant n° {index + 1}"
    if not isinstance(d, dict):
        raise SourceError(name, None, f"{where} : un objet est attendu")
    if "student" in d:
        where += f" (« {d['student']} »)"
    for key in ("student", "year", "competences"):
        if key not in d:
            raise SourceError(name, None, f"{where} : champ « {key} » manquant")
    if not isinstance(d["competences"], list):
        raise SourceError(name, None, f"{where} : « competences » doit être une liste")
    comps, seen = [], set()
    for c in d["competences"]:
        if not isinstance(c, dict) or "competence" not in c:
            raise SourceError(name, None, f"{where} : chaque compétence a un numéro « competence »")
        comps.append(_competence(name, where, c))
        if comps[-1].competence in seen:
            raise SourceError(name, None, f"{where} : compétence {comps[-1].competence} en double")
        seen.add(comps[-1].competence)
    extra = sorted(set(d) - {"student", "year", "competences", "but1_validated"})
    notes = (f"champ(s) ignoré(s) : {', '.join(extra)}",) if extra else ()
    return StudentRecord(
        d["student"],
        _year(name, where, d["year"]),
        tuple(sorted(comps, key=lambda c: c.competence)),
        _bool(name, where, d.get("but1_validated")),
        notes=notes,
    )


def _competence(
    name: str, where: str, c: Mapping[str, Any], line: int | None = None
) -> CompetenceInput:
    try:
        comp = int(str(c["competence"]).strip())
    except (TypeError, ValueError):
        raise SourceError(
            name, line, f"{where} : numéro de compétence illisible {c['competence']!r}"
        ) from None
    here = f"{where}, compétence {comp}"
    odd = _number(name, f"{here}, ue_odd", c.get("ue_odd"), line)
    even = _number(name, f"{here}, ue_even", c.get("ue_even"), line)
    return CompetenceInput(
        comp,
        UEInput(odd, f"UE impaire {comp}"),
        UEInput(even, f"UE paire {comp}"),
        _rcue_jury(name, here, c.get("rcue_jury"), line),
    )


def read_csv(name: str, text: str) -> list[StudentRecord]:
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    columns = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in ("student", "year", "competence") if c not in columns]
    if missing:
        raise SourceError(
            name,
            1,
            f"colonne(s) manquante(s) : {', '.join(missing)} (attendu : {', '.join(CSV_COLUMNS)})",
        )
    students: dict[str, dict[str, Any]] = {}
    for row in reader:
        line = reader.line_num
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        if not any(row.values()):
            continue
        sid = row["student"]
        if not sid:
            raise SourceError(name, line, "colonne « student » vide")
        where = f"étudiant « {sid} »"
        year = _year(name, where, row["year"], line)
        but1 = _bool(name, where, row.get("but1_validated"), line)
        entry = students.setdefault(sid, {"year": year, "but1": but1, "comps": [], "line": line})
        if entry["year"] != year:
            raise SourceError(
                name, line, f"{where} : année {year} ≠ {entry['year']} (ligne {entry['line']})"
            )
        if but1 is not None:
            if entry["but1"] is not None and entry["but1"] != but1:
                raise SourceError(name, line, f"{where} : but1_validated contradictoire")
            entry["but1"] = but1
        comp = _competence(name, where, row, line)
        if any(c.competence == comp.competence for c in entry["comps"]):
            raise SourceError(name, line, f"{where} : compétence {comp.competence} en double")
        entry["comps"].append(comp)
    return [
        StudentRecord(
            sid,
            e["year"],
            tuple(sorted(e["comps"], key=lambda c: c.competence)),
            e["but1"],
        )
        for sid, e in students.items()
    ]


def scodoc_record(name: str, index: int, d: Any, rules: Rules = DEFAULT_RULES) -> StudentRecord:
    """One student of a ScoDoc ``decisions_jury`` export (see the module docstring)."""
    where = f"étudiant n° {index + 1}"
    if not isinstance(d, dict):
        raise SourceError(name, None, f"{where} : un objet est attendu")
    student = d.get("etudid", index + 1)
    where = f"{where} (etudid {student})"
    annee = d.get("annee")
    recorded, year = None, None
    if isinstance(annee, dict) and annee:
        recorded = annee.get("code") or None
        ordre = annee.get("ordre")
        year = (
            int(ordre) if isinstance(ordre, (int, str)) and str(ordre) in ("1", "2", "3") else None
        )
    etat = str(d.get("etat") or "").upper()
    stopped = (
        DEM if etat == "D" or recorded == DEM else DEF if etat == "DEF" or recorded == DEF else None
    )
    rcues = d.get("rcues") or []
    if not isinstance(rcues, list):
        raise SourceError(name, None, f"{where} : « rcues » doit être une liste")
    comps, notes = [], []
    for k, r in enumerate(rcues, start=1):
        if not isinstance(r, dict):
            raise SourceError(name, None, f"{where} : RCUE n° {k} illisible")
        ue1, ue2 = r.get("ue_1") or {}, r.get("ue_2") or {}
        m1 = _number(
            name, f"{where}, RCUE {k}, ue_1", ue1.get("moy") if isinstance(ue1, dict) else None
        )
        m2 = _number(
            name, f"{where}, RCUE {k}, ue_2", ue2.get("moy") if isinstance(ue2, dict) else None
        )
        m = _number(name, f"{where}, RCUE {k}", r.get("moy"))
        computed = rcue_average(m1, m2, rules)
        recorded_avg = None
        if m is not None and (computed is None or abs(m - computed) > 1e-6):
            recorded_avg = m
            if computed is not None:
                notes.append(
                    f"RCUE {k} : moyenne enregistrée {fmt.number(m, 4)} ≠ moyenne des UE "
                    f"{fmt.number(computed, 4)} (UE capitalisée ou coefficients locaux) : la "
                    "moyenne enregistrée est utilisée"
                )
        avg = recorded_avg if recorded_avg is not None else computed
        code = r.get("code") or None
        override = None
        if code in RCUE_VALIDATED and not rules.reaches(avg, rules.pass_mark):
            override = ADJ
        elif code == AJ and rules.reaches(avg, rules.pass_mark):
            override = AJ
        comps.append(
            CompetenceInput(
                k,
                UEInput(m1, f"UE {ue1.get('ue_id', '?') if isinstance(ue1, dict) else '?'}"),
                UEInput(m2, f"UE {ue2.get('ue_id', '?') if isinstance(ue2, dict) else '?'}"),
                override,
                recorded_avg,
            )
        )
    nb = d.get("nb_competences")
    n_comp = int(nb) if isinstance(nb, int) and nb > len(comps) else len(comps)
    return StudentRecord(
        student,
        year,
        tuple(comps),
        None,
        tuple(range(len(comps) + 1, n_comp + 1)),
        True,
        recorded,
        stopped,
        tuple(notes),
    )


# --------------------------------------------------------------------------- deciding


def decide_record(
    record: StudentRecord, rules: Rules = DEFAULT_RULES, scodoc: bool = False
) -> dict[str, Any]:
    """The ``decide`` output of one record: student, rcues (competence, average, code),
    decision, provisional, rule — plus, for a ScoDoc record, the recorded code and whether it
    agrees (:func:`compare`)."""
    marks = (rules.pass_mark, rules.rcue_floor)
    outcome = jury.decide_year(
        record.competences,
        rules,
        record.year,
        record.but1_validated,
        missing=record.missing,
        missing_fails=record.missing_fails,
    )
    decision, rule = outcome.decision, outcome.rule
    if record.stopped:
        decision = None
        rule = f"{jury_label(record.stopped)} : pas de décision selon les règles."
    if record.missing and record.missing_fails and decision is not None:
        rule += (
            f" RCUE absent(s) de l'export : compétence(s) {', '.join(map(str, record.missing))}."
        )
    if record.notes:
        rule += " Note : " + " ; ".join(record.notes) + "."
    out: dict[str, Any] = {
        "student": record.student,
        "rcues": [
            {
                "competence": r.competence,
                "average": None if r.average is None else rules.shown(r.average, marks, 4),
                "code": r.code,
            }
            for r in outcome.rcues
        ],
        "decision": decision,
        "provisional": outcome.provisional,
        "rule": rule,
    }
    if scodoc:
        out["recorded"] = record.recorded
        out["agrees"] = compare(record.recorded, decision)
    return out


def decide_records(
    records: Sequence[StudentRecord], rules: Rules = DEFAULT_RULES, scodoc: bool = False
) -> list[dict[str, Any]]:
    return [decide_record(r, rules, scodoc) for r in records]


def compare(recorded: str | None, computed: str | None) -> bool | None:
    """Whether a computed decision agrees with a recorded year code; ``None`` when the code is
    not comparable (no code, a stop, or a jury decision beyond the rules)."""
    if recorded in RECORDED_CLASS:
        return RECORDED_CLASS[recorded] == computed
    return None


def category(recorded: str | None) -> str:
    """« comparé », « décision du jury », « arrêt » or « sans décision »."""
    if recorded in RECORDED_CLASS:
        return "comparé"
    if recorded in JURY_YEAR_CODES:
        return "décision du jury"
    if recorded in STOP_CODES:
        return "arrêt"
    return "sans décision" if recorded is None else "autre code"


def agreement(outputs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Summary of ScoDoc outputs: records compared, agreeing, rate; jury decisions (and how many
    are consistent: the rules did not already give ADM); stops; no decision; and the counts of
    (recorded, computed) pairs."""
    by_cat = Counter(category(o.get("recorded")) for o in outputs)
    compared = [o for o in outputs if o.get("agrees") is not None]
    agree = sum(bool(o["agrees"]) for o in compared)
    jury_codes = [o for o in outputs if o.get("recorded") in JURY_YEAR_CODES]
    pairs = Counter((o.get("recorded"), o.get("decision")) for o in outputs)
    return {
        "records": len(outputs),
        "compared": len(compared),
        "agree": agree,
        "rate": agree / len(compared) if compared else None,
        "jury_decisions": len(jury_codes),
        "jury_consistent": sum(o.get("decision") != ADM for o in jury_codes),
        "stopped": by_cat["arrêt"],
        "no_decision": by_cat["sans décision"],
        "other": by_cat["autre code"],
        "pairs": sorted(
            ({"recorded": r, "computed": c, "count": n} for (r, c), n in pairs.items()),
            key=lambda p: (-p["count"], str(p["recorded"]), str(p["computed"])),
        ),
    }


def agreement_text(summary: Mapping[str, Any]) -> str:
    """French summary of :func:`agreement`."""
    rate = summary["rate"]
    lines = [
        f"Accord avec les décisions enregistrées : {summary['agree']} sur {summary['compared']} "
        f"comparées ({fmt.percent(rate) if rate is not None else fmt.MISSING}) ; "
        f"{summary['records']} enregistrements.",
    ]
    if summary["jury_decisions"]:
        lines.append(
            f"Décisions du jury hors règles (ADJ, PAS1NCI) : {summary['jury_decisions']}, dont "
            f"{summary['jury_consistent']} cohérentes (les règles ne donnaient pas ADM)."
        )
    if summary["stopped"] or summary["no_decision"] or summary["other"]:
        lines.append(
            f"Non comparés : {summary['stopped']} arrêt(s) (DEM, DEF, ABAN, ABL, EXCLU), "
            f"{summary['no_decision']} sans décision d'année, {summary['other']} autre(s) code(s)."
        )
    disagree = [
        p
        for p in summary["pairs"]
        if RECORDED_CLASS.get(p["recorded"], p["computed"]) != p["computed"]
    ]
    if disagree:
        listed = ", ".join(
            f"{p['recorded']} → {p['computed'] or '—'} ({p['count']})" for p in disagree
        )
        lines.append(f"Désaccords (enregistré → calculé) : {listed}.")
    return "\n".join(lines)
