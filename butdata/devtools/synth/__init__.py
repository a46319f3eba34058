"""A seeded synthetic *national* store, for benchmarks only.

It has the store's schema (``butdata.store.SCHEMA``) and is modelled on the structure of the
real tables, but every number in it is invented. It is marked as synthetic everywhere it could
be seen: ``tables.source`` / ``sources.source`` is ``SYNTHÉTIQUE-national-scale<N>-seed<S>``,
``sources.layout`` is ``synthetic``, every ``table_id`` starts with ``syn-``, and the ``meta``
table has ``synthetic = true`` and ``sources_dir = synthetic`` (not a directory, so the app never
tries to "rebuild" it from ``data/sources``).

What ``--scale N`` means: **each of the 24 B.U.T. specialities is taught at N sites**. A
(speciality, site) offers 1 to 5 of its speciality's national parcours; it has one table per
semester and parcours (S1/S2 are a single tronc-commun table for most specialities), plus
work-study (alternance) copies of S3-S6 at half of the sites. ``--scale 100`` is the
national order of magnitude (≈ 100 IUT sites: ≈ 37,000 tables, ≈ 1.8 million coefficients);
the coefficient count grows linearly with N (≈ 18,000 per unit of scale).

How the tables are made:

- per speciality, a national *template* (3-5 competences, so 3-5 UEs per semester; module lists
  per semester with the counts of the QLIO tables ± a little: ressources, SAÉ, a portfolio, a
  stage in S4/S6, "autre" lines; from S3 on, the modules of each parcours - one ressource and
  two SAÉ, section "spécialité" - beside the shared tronc-commun modules);
- each module feeds one UE, all UEs, or all but one, with the frequencies of its kind in the
  QLIO tables, and its coefficient values are drawn from the QLIO distribution of its kind
  (``PROFILE``, checked against the real store by the tests; ``learn_profile`` recomputes it);
- each site adapts about a third of the (module, UE) coefficients (x0.5 to x2, rounded to 0.05);
  the adaptation depends on (site, module, UE) only, so tronc-commun modules keep the same
  coefficients in every parcours (and alternance) table of a site, as in the real documents;
- about a quarter of the (speciality, site) pairs are printed as damaged *grids*, like document
  004: no module codes or names (``module_code`` NULL), only the leading SAÉ values have a kind,
  printed ratio and AOP, comma decimals; a few grid tables are ``partial`` (one UE row lost) or
  ``empty``.

Everything is vectorised (numpy + polars) and written with bulk inserts, rows sorted by
``table_id`` (so DuckDB's zone maps skip most of the file for one table or one site); the file is
written next to the target and moved over it with ``os.replace``.

Modules: ``names`` (specialities, sites, parcours codes), ``shape`` (module counts and shares),
``profile`` (the QLIO value distribution and ``learn_profile``), ``draws`` (seeded draws),
``templates`` (national templates), ``sites`` (the tables of the nation), ``frames`` (the
``t_*`` frames: ``generate``), ``write`` (``write_synthetic_store``).
"""

from __future__ import annotations

from butdata.devtools.synth.frames import generate
from butdata.devtools.synth.profile import PROFILE, Profile, learn_profile
from butdata.devtools.synth.shape import SYNTHETIC_PREFIX, source_name
from butdata.devtools.synth.write import SynthReport, write_synthetic_store

__all__ = [
    "PROFILE",
    "SYNTHETIC_PREFIX",
    "Profile",
    "SynthReport",
    "generate",
    "learn_profile",
    "source_name",
    "write_synthetic_store",
]
