"""National B.U.T. specialities: printed names to acronyms."""

from __future__ import annotations

from butdata.text import slug

# Acronym -> official name. Matching is done on slugs, longest key first.
NAMES = {
    "CHIMIE": "Chimie",
    "CJ": "Carrières juridiques",
    "CS": "Carrières sociales",
    "GACO": "Gestion administrative et commerciale des organisations",
    "GB": "Génie biologique",
    "GCCD": "Génie civil - construction durable",
    "GCGP": "Génie chimique - génie des procédés",
    "GEA": "Gestion des entreprises et des administrations",
    "GEII": "Génie électrique et informatique industrielle",
    "GIM": "Génie industriel et maintenance",
    "GMP": "Génie mécanique et productique",
    "HSE": "Hygiène, sécurité, environnement",
    "INFO": "Informatique",
    "INFOCOM": "Information-communication",
    "MLT": "Management de la logistique et du transport",
    "MMI": "Métiers du multimédia et de l'internet",
    "MP": "Mesures physiques",
    "MT2E": "Métiers de la transition et de l'efficacité énergétiques",
    "PEC": "Packaging, emballage et conditionnement",
    "QLIO": "Qualité, logistique industrielle et organisation",
    "RT": "Réseaux et télécommunications",
    "SD": "Science des données",
    "SGM": "Science et génie des matériaux",
    "TC": "Techniques de commercialisation",
}

_PREFIXES = {
    "carrieres-juridiques": "CJ",
    "carrieres-sociales": "CS",
    "chimie": "CHIMIE",
    "gestion-administrative-et-commerciale": "GACO",
    "genie-biologique": "GB",
    "genie-civil": "GCCD",
    "genie-chimique": "GCGP",
    "gestion-des-entreprises": "GEA",
    "genie-electrique": "GEII",
    "genie-industriel": "GIM",
    "genie-mecanique": "GMP",
    "hygiene-securite": "HSE",
    "information-communication": "INFOCOM",
    "informatique": "INFO",
    "management-de-la-logistique": "MLT",
    "gestion-logistique-et-transport": "MLT",  # its former name (GLT)
    "mesures-physiques": "MP",
    "metiers-de-la-transition": "MT2E",
    "metiers-du-multimedia": "MMI",
    "packaging": "PEC",
    "qualite-logistique": "QLIO",
    "reseaux-et-telecommunications": "RT",
    "r-t": "RT",  # printed « R&T »
    "science-des-donnees": "SD",
    "statistique-et-informatique-decisionnelle": "SD",  # its former name (STID)
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
