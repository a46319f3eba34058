"""The 24 national B.U.T. specialities: acronyms, official names, and the printed variants that
name them (accents, dashes, « & » for « et », a "B.U.T." prefix, former names and acronyms).

``acronym`` recognises a speciality from what a document prints; a name that is none of the 24
(a local DU, a typo) gives ``None`` and the caller keeps the printed text, with a warning.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from butdata.text import normalize

# Acronym -> official name. The first 15 names are stored as the readers have always stored them
# (a table's ``formation_name`` when the document does not print one), hence the hyphens of GCCD
# and GCGP; the others follow the published names of the specialities.
NAMES: Mapping[str, str] = {
    "CS": "Carrières sociales",
    "GACO": "Gestion administrative et commerciale des organisations",
    "GB": "Génie biologique",
    "GCCD": "Génie civil - construction durable",
    "GCGP": "Génie chimique - génie des procédés",
    "GEA": "Gestion des entreprises et des administrations",
    "GEII": "Génie électrique et informatique industrielle",
    "GMP": "Génie mécanique et productique",
    "HSE": "Hygiène, sécurité, environnement",
    "INFO": "Informatique",
    "MLT": "Management de la logistique et des transports",
    "MP": "Mesures physiques",
    "QLIO": "Qualité, logistique industrielle et organisation",
    "SGM": "Science et génie des matériaux",
    "TC": "Techniques de commercialisation",
    "CJ": "Carrières juridiques",
    "CHIMIE": "Chimie",
    "GIM": "Génie industriel et maintenance",
    "INFOCOM": "Information-communication",
    "MT2E": "Métiers de la transition et de l'efficacité énergétiques",
    "MMI": "Métiers du multimédia et de l'internet",
    "PEC": "Packaging, emballage et conditionnement",
    "RT": "Réseaux et télécommunications",
    "SD": "Science des données",
}

# Other acronyms printed for a speciality (former names included), compared without spaces,
# dots or hyphens: « R&T », « Info-Com », « GLT » (now MLT), « STID » (now SD).
_ALIASES: Mapping[str, str] = {"R&T": "RT", "GLT": "MLT", "STID": "SD"}

# Words that open a name (in slug form): a name starting with these words, then a word boundary,
# is that speciality. Each key is specific enough never to open another speciality's name
# (« genie-civil » / « genie-chimique », « informatique » / « information-communication »,
# « gestion-administrative » / « gestion-des-entreprises »).
_OPENINGS: Mapping[str, str] = {
    "carrieres-juridiques": "CJ",
    "carrieres-sociales": "CS",
    "chimie": "CHIMIE",
    "genie-biologique": "GB",
    "genie-chimique": "GCGP",
    "genie-civil": "GCCD",
    "genie-electrique": "GEII",
    "genie-industriel": "GIM",
    "genie-mecanique": "GMP",
    "gestion-administrative": "GACO",
    "gestion-des-entreprises": "GEA",
    "hygiene-securite": "HSE",
    "information-communication": "INFOCOM",
    "information-et-communication": "INFOCOM",
    "informatique": "INFO",
    "management-de-la-logistique": "MLT",
    "gestion-logistique-et-transport": "MLT",  # former name (GLT)
    "mesures-physiques": "MP",
    "metiers-de-la-transition": "MT2E",
    "metiers-du-multimedia": "MMI",
    "packaging": "PEC",
    "qualite-logistique": "QLIO",
    "reseaux-et-telecommunications": "RT",
    "reseaux-telecommunications": "RT",
    "reseaux-et-telecoms": "RT",
    "reseaux-telecoms": "RT",
    "science-des-donnees": "SD",
    "sciences-des-donnees": "SD",
    "statistique-et-informatique-decisionnelle": "SD",  # former name (STID)
    "science-et-genie-des-materiaux": "SGM",
    "sciences-et-genie-des-materiaux": "SGM",
    "techniques-de-commercialisation": "TC",
}

# A "B.U.T." (or "BUT", "Bachelor universitaire de technologie") before the name, then
# optionally « spécialité » / « mention » and a separator.
_PREFIX = re.compile(
    r"^(?:B\.?\s*U\.?\s*T\b\.?|Bachelor\s+universitaire\s+de\s+technologie\b)\s*"
    r"(?:(?:sp[ée]cialit[ée]|mention)\b\s*)?[:-]?\s*",
    re.IGNORECASE,
)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def acronym(name_or_acronym: str) -> str | None:
    """The national acronym of a printed speciality, ``None`` when it is none of the 24.

    'Génie Biologique' -> 'GB'; 'qlio' -> 'QLIO'; 'B.U.T. Réseaux & Télécommunications' -> 'RT';
    'R&T' -> 'RT'; 'STID' -> 'SD'; 'Génie civil et construction durable' -> 'GCCD'.
    """
    text = _PREFIX.sub("", normalize(name_or_acronym).strip(" \"'«»-"))
    # The acronym, compared without spaces, dots or dashes: « R & T », « Info-Com ».
    compact = re.sub(r"[\s.\-_'\"]+", "", _ascii(text)).upper()
    if compact in NAMES:
        return compact
    if compact in _ALIASES:
        return _ALIASES[compact]
    slug = re.sub(r"[^a-z0-9]+", "-", _ascii(text.replace("&", " et ")).lower()).strip("-")
    for opening, acr in _OPENINGS.items():
        if slug == opening or slug.startswith(opening + "-"):
            return acr
    return None


def known_acronyms() -> str:
    """The 24 acronyms, alphabetically, for messages: « CHIMIE, CJ, CS, … »."""
    return ", ".join(sorted(NAMES))
