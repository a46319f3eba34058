"""PDFs that cannot be read: a clear French SourceError naming the file (and the page when one
is at fault), in bounded time and memory, and the store left as it was."""

from __future__ import annotations

import os
import random
import time
import tracemalloc

import pdf_fixtures as fx
import pdfplumber
import pytest
from conftest import QLIO

from butdata.errors import SourceError
from butdata.readers import read_document
from butdata.readers.pdf.document import read_pdf
from butdata.readers.pdf.errors import Limits
from butdata.store import build_store

BLOCKS = fx.blocks_pdf()
SECONDS = 20.0  # bound on any refusal here (a loaded 2-core machine; measured 0.1 to 2 s)

CASES = {
    "scan.pdf": (
        fx.scanned_pdf,
        "scan.pdf: PDF sans texte : numérisé ? (pages 1 à 2 : des images seulement ; un PDF "
        "enregistré depuis le traitement de texte ou le tableur, avec son texte, est attendu)",
    ),
    "protege.pdf": (
        lambda: fx.encrypted_pdf("secret"),
        "protege.pdf: PDF protégé par un mot de passe : enregistrez-le sans protection (ou "
        "imprimez-le en PDF) puis déposez-le à nouveau",
    ),
    "tronque.pdf": (
        lambda: BLOCKS[: len(BLOCKS) * 2 // 3],
        "tronque.pdf: PDF tronqué : la fin du fichier (« %%EOF ») manque (téléchargement ou "
        "copie interrompus ?)",
    ),
    "hasard.pdf": (
        lambda: random.Random(7).randbytes(50_000),
        "hasard.pdf: ce fichier n'est pas un PDF (en-tête « %PDF- » absent)",
    ),
    "vide.pdf": (lambda: b"", "vide.pdf: fichier PDF vide"),
    "300_pages.pdf": (
        fx.many_pages_pdf,
        "300_pages.pdf: PDF de 300 pages : au plus 150 pages sont lues (des MCC en comptent "
        "rarement plus de 40) ; déposez les MCC seules",
    ),
    "compte_rendu.pdf": (
        lambda: fx.text_pdf(3),
        "compte_rendu.pdf: aucun tableau de MCC reconnu dans ce PDF (attendus : des tableaux à "
        "bordures « Code PN | Intitulé module | Coeff UE… », des blocs « Ressources » / « SAÉ » "
        "par compétence, ou la grille ORéBUT « UE | modules | Total des coefficients »)",
    ),
    "bombe.pdf": (
        fx.bomb_pdf,
        "bombe.pdf:1: page 1 : contenu de la page démesuré (plus de 8 Mo une fois décompressé) : "
        "lecture refusée",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_unreadable_pdfs_say_why_in_french(tmp_path, name):
    make, message = CASES[name]
    path = tmp_path / name
    path.write_bytes(make())
    tracemalloc.start()
    start = time.perf_counter()
    with pytest.raises(SourceError) as caught:
        read_document(path)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert str(caught.value) == message
    assert caught.value.source == name
    assert seconds < SECONDS, seconds
    assert peak < 200_000_000, peak  # the 40 MB bomb is never inflated whole
    print(f"{name}: {seconds:.2f} s, pic {peak / 1e6:.0f} Mo")


def test_a_password_only_for_the_owner_still_reads(tmp_path):
    path = tmp_path / "restreint.pdf"
    path.write_bytes(fx.encrypted_pdf(""))  # printing allowed, copying not: text still readable
    doc = read_document(path)
    assert [(t.semester, t.status, len(t.coefficients)) for t in doc.tables] == [
        (1, "complete", 15)
    ]


def test_page_cap_and_time_budget(tmp_path):
    path = tmp_path / "mcc.pdf"
    path.write_bytes(BLOCKS)
    with pytest.raises(SourceError, match=r"^mcc.pdf: PDF de 6 pages : au plus 5 pages"):
        read_pdf(path, limits=Limits(max_pages=5))
    with pytest.raises(SourceError) as caught:
        read_pdf(path, limits=Limits(seconds=0.0))
    assert str(caught.value) == (
        "mcc.pdf:1: page 1 : lecture interrompue après 0 s : document trop lourd"
    )
    with pytest.raises(SourceError, match=r"page 1 : \d+ caractères sur la page \(au plus 100\)"):
        read_pdf(path, limits=Limits(max_chars=100))


def test_damaged_pdfs_never_invent_a_value(tmp_path):
    """Bytes overwritten inside the file: either a SourceError naming the page, or a document
    whose every stored value is printed in its cell (pdfplumber's own reading of the box)."""
    rng = random.Random(3)
    outcomes = []
    for k in range(10):
        data = bytearray(BLOCKS)
        start = rng.randrange(2000, len(data) - 3000)
        for i in range(start, start + rng.randrange(10, 400)):
            data[i] = rng.randrange(256)
        path = tmp_path / f"abime_{k}.pdf"
        path.write_bytes(bytes(data))
        try:
            doc = read_document(path)
        except SourceError as exc:
            assert exc.source == path.name and "Traceback" not in str(exc)
            outcomes.append("refusé")
            continue
        with pdfplumber.open(path) as pdf:
            for t in doc.tables:
                for c in t.coefficients:
                    printed = pdf.pages[c.page - 1].crop(c.bbox).extract_text().strip()
                    assert printed == c.printed, (k, t.table_id, c)
        outcomes.append("lu")
    assert "lu" in outcomes  # most damage spares the tables (seen: 8 of 10 read, 2 refused)


def test_a_bad_pdf_leaves_the_store_as_it_was(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / QLIO.name).write_bytes(QLIO.read_bytes())
    db = tmp_path / "store.duckdb"
    build_store(sources, db)
    before = db.read_bytes(), os.stat(db).st_ino
    (sources / "zz_scan.pdf").write_bytes(fx.scanned_pdf())
    with pytest.raises(SourceError, match="^zz_scan.pdf: PDF sans texte : numérisé ?"):
        build_store(sources, db)
    assert (db.read_bytes(), os.stat(db).st_ino) == before
