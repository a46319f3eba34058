"""Reader of the ORéBUT programme export: the national programme of a speciality, beside which
a department's MCC can be compared.

ORéBUT exports a speciality as two XML files, told apart by their root element (never by their
names, which users change): the competence referential (``<referentiel_competence>``) and the
programme (``<referentiel_formation>``). See ``orebut_files`` for their structure.

- The **programme** gives the tables (``orebut_tables``). It names competences by their short name
  only and parcours by their code: it is read with the referential of the same directory — the one
  that knows its competence names (and, among several, the one whose speciality the programme's file
  name carries: ORéBUT names them ``but-SD-….xml`` and ``but-pn-SD-….xml``). Without one: a French
  error naming the programme file.
- The **referential** alone gives a document without tables (``kind = "programme"``): it is listed
  with the sources (a change to it rebuilds the store) and carries its own warnings.
"""

from __future__ import annotations

import re
from pathlib import Path

from butdata.errors import SourceError
from butdata.formations import NAMES, acronym, known_acronyms
from butdata.ids import assign_table_ids
from butdata.model import Document, Issue
from butdata.readers.orebut_files import (
    PROGRAMME_TAG,
    REFERENTIAL_TAG,
    Programme,
    Referential,
    read_programme,
    read_referential,
)
from butdata.readers.orebut_parse import load, root_tag
from butdata.readers.orebut_tables import build_tables, programme_issues
from butdata.text import slug

LAYOUT = "orebut"
KIND = "programme"
REFERENTIAL, PROGRAMME = "referentiel", "programme"


def xml_kind(path: Path) -> str | None:
    """``"referentiel"`` or ``"programme"`` for an ORéBUT export, by its root element."""
    return {REFERENTIAL_TAG: REFERENTIAL, PROGRAMME_TAG: PROGRAMME}.get(root_tag(path) or "")


def read(path: Path) -> Document:
    """Read an ORéBUT export (either file); raises SourceError on anything else."""
    path = Path(path)
    if xml_kind(path) is None:
        raise SourceError(
            path.name,
            None,
            f"document XML non reconnu : un export ORéBUT commence par <{REFERENTIAL_TAG}> "
            f"(référentiel de compétences) ou <{PROGRAMME_TAG}> (programme)",
        )
    root, n_lines = load(path)
    if root.tag == REFERENTIAL_TAG:
        return referential_document(read_referential(path.name, root, n_lines))
    programme = read_programme(path.name, root, n_lines)
    return programme_document(programme, find_referential(path, programme))


def _formation(ref: Referential) -> tuple[str | None, str | None, list[Issue]]:
    """Acronym and name of the speciality; one outside the 24 is kept as printed, warned."""
    acr = acronym(ref.speciality or "") or acronym(ref.speciality_name or "")
    if acr is not None:
        return acr, NAMES[acr], []
    printed = ref.speciality or ref.speciality_name
    issues = [
        Issue(
            ref.line,
            "formation_unknown",
            f"spécialité « {printed or '?'} » hors des 24 spécialités nationales de B.U.T., "
            f"gardée telle qu'écrite (sigles connus : {known_acronyms()})",
        )
    ]
    return printed, ref.speciality_name, issues


def referential_document(ref: Referential) -> Document:
    formation, _, issues = _formation(ref)
    summary = Issue(
        ref.line,
        "referential_origin",
        f"référentiel de compétences : {len(ref.competences)} compétence(s), "
        f"{len(ref.parcours)} parcours ; les tableaux sont ceux du programme qui le lit",
        "info",
    )
    return Document(
        source=ref.source,
        layout=LAYOUT,
        n_lines=ref.n_lines,
        issues=[*ref.issues, *issues, summary],
        title=f"Référentiel de compétences B.U.T. {formation or '?'} (ORéBUT)",
        kind=KIND,
    )


def programme_document(prog: Programme, ref: Referential) -> Document:
    formation, formation_name, issues = _formation(ref)
    doc = Document(
        source=prog.source,
        layout=LAYOUT,
        n_lines=prog.n_lines,
        title=f"Programme national B.U.T. {formation or '?'} (ORéBUT)",
        kind=KIND,
    )
    doc.issues = [
        Issue(
            prog.line,
            "referential_origin",
            f"compétences et parcours lus dans « {ref.source} » (spécialité "
            f"{ref.speciality or '?'}, {len(ref.competences)} compétence(s), "
            f"{len(ref.parcours)} parcours)",
            "info",
        ),
        *issues,
        *prog.issues,
        *programme_issues(prog, ref),
    ]
    doc.tables = build_tables(prog, ref, formation, formation_name)
    assign_table_ids(doc.tables, prog.source)
    return doc


def _names_speciality(file_name: str, ref: Referential) -> bool:
    """Whether a file name carries the referential's speciality (``but-pn-SD-….xml``)."""
    target = acronym(ref.speciality or "")
    for token in re.split(r"[^A-Za-z0-9&]+", Path(file_name).stem):
        if token and (
            token.upper() == (ref.speciality or "").upper() or (target and acronym(token) == target)
        ):
            return True
    return False


def find_referential(path: Path, prog: Programme) -> Referential:
    """The referential of the programme at ``path``, among the XML files of its directory."""
    candidates: list[Referential] = []
    for other in sorted(path.parent.iterdir()):
        if (
            other == path
            or not other.is_file()
            or other.suffix.lower() != ".xml"
            or other.name.startswith(".")
            or root_tag(other) != REFERENTIAL_TAG
        ):
            continue
        root, n_lines = load(other)
        candidates.append(read_referential(other.name, root, n_lines))
    if not candidates:
        raise SourceError(
            path.name,
            None,
            "référentiel de compétences introuvable : ce programme ORéBUT se lit avec le "
            f"référentiel de sa spécialité (fichier XML <{REFERENTIAL_TAG}>), à placer dans "
            "le même dossier",
        )
    names = {slug(n) for n in prog.competence_names()}

    def known(ref: Referential) -> int:
        return len(names & {slug(c.short_name) for c in ref.competences})

    best = max(known(r) for r in candidates)
    if names and best == 0:
        listed = ", ".join(f"« {r.source} » ({r.speciality or '?'})" for r in candidates)
        raise SourceError(
            path.name,
            None,
            f"aucun référentiel de compétences du dossier ne nomme les compétences de ce "
            f"programme ({listed}) : celui de sa spécialité manque",
        )
    pool = [r for r in candidates if known(r) == best]
    if len(pool) > 1:
        pool = [r for r in pool if _names_speciality(path.name, r)] or pool
    if len(pool) > 1:
        listed = ", ".join(f"« {r.source} »" for r in pool)
        raise SourceError(
            path.name,
            None,
            f"plusieurs référentiels de compétences conviennent à ce programme ({listed}) : "
            "gardez celui de sa spécialité, ou mettez son sigle dans le nom du fichier du "
            "programme",
        )
    return pool[0]
