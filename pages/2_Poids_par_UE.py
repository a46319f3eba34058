"""Poids par UE: how each UE's total splits between modules / kinds, SAÉ share against a target
band, the spread of module weights — for one formation, or the SAÉ share of every formation."""

from ui import weights, widgets
from ui.layout import page

with page(
    "Poids par UE",
    "De quoi est fait le total de chaque UE, la part des SAÉ face à une cible (réglage local) "
    "et la dispersion des coefficients : pour une formation, ou pour toutes à la fois.",
):
    view = widgets.segmented("Vue", weights.VIEWS, key="vue", default=weights.ONE)
    if view == weights.ONE:
        weights.one_formation()
    else:
        weights.all_formations()
