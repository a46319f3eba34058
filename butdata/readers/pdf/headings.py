"""Headings of the block layout: what one printed line says about the pages that follow.

A heading line may say several things at once, read word by word from its start: the
formation (« B.U.T. Métiers du multimédia et de l'internet », a site in parentheses), the year
of study (« Deuxième année », « 2e année », « BUT 2 »), the parcours (« Parcours Développement
web », « (par alternance) »), « Tronc commun », the semester (« Semestre 3 »); the academic year
(« 2025-2026 ») anywhere on the line. A line whose first word is none of these says nothing
else (a footer, running text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from butdata.formations import NAMES, acronym
from butdata.readers.pdf.cells import fold

ACADEMIC_YEAR = re.compile(r"\b(20\d\d)\s*[-/–]\s*(20\d\d)\b")
_ORDINALS = {
    "premiere": 1,
    "1re": 1,
    "1ere": 1,
    "1e": 1,
    "1er": 1,
    "deuxieme": 2,
    "seconde": 2,
    "2nde": 2,
    "2e": 2,
    "2eme": 2,
    "troisieme": 3,
    "3e": 3,
    "3eme": 3,
}
_BUT = {"b.u.t.", "b.u.t", "but", "b.u.t.:", "but:"}
_BACHELOR = ["bachelor", "universitaire", "de", "technologie"]
_PUNCT = ":-–—|·,;"
_ALTERNANCE = re.compile(r"\(?\s*(?:par|en)\s+(?:alternance|apprentissage)\s*\)?", re.IGNORECASE)
MAX_LENGTH = 140  # running text is longer than any heading


@dataclass
class Heading:
    text: str
    formation: str | None = None  # acronym, or the printed name when not a national one
    formation_name: str | None = None
    formation_text: str | None = None  # as printed
    site: str | None = None
    level: int | None = None  # year of study, 1-3
    parcours: str | None = None
    tronc_commun: bool = False
    semester: int | None = None
    academic_year: str | None = None
    alternance: bool = False

    @property
    def structural(self) -> bool:
        """Whether the line is a heading of the document's structure."""
        return (
            any(v is not None for v in (self.formation, self.level, self.parcours, self.semester))
            or self.tronc_commun
        )


def _word(w: str) -> str:
    return fold(w).strip(_PUNCT + "()")


def _level_at(fw: list[str], i: int) -> int | None:
    """Year of study said by the words at ``i`` (« deuxième année », « année 2 », « BUT 2 »)."""
    if i + 1 < len(fw) and fw[i] in _ORDINALS and fw[i + 1] == "annee":
        return _ORDINALS[fw[i]]
    if i + 1 < len(fw) and fw[i] in ("annee", *_BUT) and fw[i + 1] in ("1", "2", "3"):
        return int(fw[i + 1])
    if fw[i] in ("but1", "but2", "but3"):
        return int(fw[i][-1])
    return None


def _stops(fw: list[str], i: int) -> bool:
    """Whether a new part of the heading starts at word ``i``."""
    return (
        fw[i] in ("semestre", "parcours")
        or re.fullmatch(r"semestre\d", fw[i]) is not None
        or _level_at(fw, i) is not None
        or (fw[i] == "tronc" and i + 1 < len(fw) and fw[i + 1] == "commun")
    )


def _formation(name: str, out: Heading) -> None:
    if m := re.search(r"\(([^)]*)\)", name):
        out.site = m.group(1).strip() or None
        name = (name[: m.start()] + name[m.end() :]).strip()
    name = name.strip(" " + _PUNCT)
    out.formation_text = name
    for piece in [name, *re.split(r"\s+[-–—:|·]\s+|\s*,\s+", name)]:
        if acr := acronym(piece.strip()):
            out.formation, out.formation_name = acr, NAMES[acr]
            return
    out.formation = out.formation_name = name or None


def parse_heading(text: str) -> Heading:
    """What a line says (nothing structural when it is not a heading)."""
    out = Heading(text)
    if not text or len(text) > MAX_LENGTH:
        return out
    if m := ACADEMIC_YEAR.search(text):
        out.academic_year = f"{m.group(1)}-{m.group(2)}"
        text = text[: m.start()] + " " + text[m.end() :]
    words = text.split()
    fw = [_word(w) for w in words]
    i = 0
    while i < len(words):
        if not fw[i]:  # a separator
            i += 1
            continue
        if (level := _level_at(fw, i)) is not None:
            out.level = level
            i += 2 if fw[i] not in ("but1", "but2", "but3") else 1
        elif fw[i] in _BUT or fw[i : i + 4] == _BACHELOR:
            j = i + (4 if fw[i] == "bachelor" else 1)
            start = j
            while j < len(words) and not _stops(fw, j):
                j += 1
            if j > start:
                _formation(" ".join(words[start:j]), out)
            i = j
        elif fw[i] == "semestre" and i + 1 < len(fw) and fw[i + 1].isdigit():
            out.semester = int(fw[i + 1])
            i += 2
        elif m := re.fullmatch(r"semestre(\d)", fw[i]):
            out.semester = int(m.group(1))
            i += 1
        elif fw[i] == "tronc" and i + 1 < len(fw) and fw[i + 1] == "commun":
            out.tronc_commun = True
            i += 2
        elif fw[i] == "parcours":
            j = i + 1
            while j < len(words) and not _stops(fw, j):
                j += 1
            name = " ".join(words[i + 1 : j])
            if _ALTERNANCE.search(name):
                out.alternance = True
                name = _ALTERNANCE.sub(" ", name)
            out.parcours = " ".join(name.split()).strip(" " + _PUNCT) or None
            i = j
        else:
            break
    return out
