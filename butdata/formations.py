"""National B.U.T. specialities: printed names to acronyms."""

from __future__ import annotations

from butdata.text import slug

# Acronym -> official name. Matching is done on slugs, longest key first.
NAMES = {
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
    "MLT": "Management de la logistique et du transport",
    "MP": "Mesures physiques",
    "QLIO": "Qualité, logistique industrielle et organisation",
    "SGM": "Science et génie des matériaux",
    "TC": "Techniques de commercialisation",
}

_PREFIXES = {
    "carrieres-sociales": "CS",
    "gestion-administrative-et-commerciale": "GACO",
    "genie-biologique": "GB",
    "genie-civil": "GCCD",
    "genie-chimique": "GCGP",
    "gestion-des-entreprises": "GEA",
    "genie-electrique": "GEII",
    "genie-mecanique": "GMP",
    "hygiene-securite": "HSE",
    "informatique": "INFO",
    "management-de-la-logistique": "MLT",
    "mesures-physiques": "MP",
    "qualite-logistique": "QLIO",
    "science-et-genie-des-materiaux": "SGM",
    "techniques-de-commercialisation": "TC",
}


def acronym(name_or_acronym: str) -> str | None:
    """'Génie Biologique' -> 'GB'; 'QLIO' -> 'QLIO'; None when unknown."""
    text = name_or_acronym.strip()
    if text.upper() in NAMES:
        return text.upper()
    s = slug(text)
    for prefix, acr in _PREFIXES.items():
        if s.startswith(prefix):
            return acr
    return None
