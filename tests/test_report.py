"""The « Imprimer / PDF » engine, checked on real PDFs with poppler (pdfinfo, pdftotext,
pdfimages, pdffonts) and a real Chromium for the figures. A missing tool fails the test with
the command that installs it (``make test`` does): nothing is skipped silently."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import subprocess
import threading
import time
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
import pytest
from pdftools import Pdf
from pdftools import chromium as _chromium

from butdata import (
    charts,  # the house template, as the pages have it
    fmt,
)
from butdata.errors import ButdataError
from butdata.report import (
    ChartSettings,
    FigureBlock,
    Heading,
    Metrics,
    Paragraph,
    PrintPage,
    ReportError,
    TableBlock,
    load_fonts,
    render_figures,
    render_pdf,
    suggested_filename,
)

WHEN = dt.datetime(2026, 12, 1, 10, 42)
SELECTION = [("Formation", "QLIO"), ("Semestre", "S3"), ("Parcours", "QMI, MP")]
WIDE_HEADERS = [f"P{j:02d}-coef" for j in range(1, 21)]
LONG_HEADER = "Intitulé-du-module"
LONG_ROWS = 150
FIG_TITLES = ("Part des SAÉ par UE", "Dispersion des coefficients")


# --------------------------------------------------------------------------- tools


# --------------------------------------------------------------------------- the page


def _wide() -> pl.DataFrame:
    data: dict[str, list[object]] = {
        "Module": [f"R3.{i:02d} Organiser la production" for i in range(8)]
    }
    for j, name in enumerate(WIDE_HEADERS[1:], 2):
        data[name] = [round(0.25 * ((i + j) % 5), 2) if (i + j) % 7 else None for i in range(8)]
    data["Module"][0] = "R3.00 « lean » ≥ ≤ → … É œ"
    return pl.DataFrame(data).rename({"Module": WIDE_HEADERS[0]})


def _long() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "UE": [f"UE 3.{i % 5 + 1}" for i in range(LONG_ROWS)],
            LONG_HEADER: [
                f"ligne-{i:03d} " + "intitulé long à couper " * (3 if i % 9 == 0 else 1)
                for i in range(LONG_ROWS)
            ],
            "Part SAÉ": [0.413 if i == 0 else (i % 100) / 100 for i in range(LONG_ROWS)],
            "Heures": [1234 + i for i in range(LONG_ROWS)],
            "Coefficient": [
                0.25 if i == 0 else None if i % 4 == 1 else i / 8 for i in range(LONG_ROWS)
            ],
        }
    )


def _figures() -> list[go.Figure]:
    bars = go.Figure(
        go.Bar(x=["UE 1", "UE 2", "UE 3"], y=[41.3, 50, 38]),
        layout={"title": {"text": FIG_TITLES[0]}, "height": 420},
    )
    spread = charts.spread_chart(
        pl.DataFrame(
            {
                "competence": [1, 1, 2, 2],
                "coefficient": [0.25, 0.5, 1.0, 2.5],
                "module": ["R3.01", "R3.02", "SAÉ3.1", "R3.03"],
                "module_name": ["a", "b", "c", None],
                "ue": ["UE 3.1", "UE 3.1", "UE 3.2", "UE 3.2"],
                "label": ["MP"] * 4,
                "kind_fr": ["ressource", "ressource", "SAÉ", "ressource"],
                "source_line": [12, 13, 14, 15],
            }
        )
    )
    return [bars, spread]


def _page(**overrides: object) -> PrintPage:
    bars, spread = _figures()
    fields: dict[str, object] = {
        "title": "Comparer les parcours",
        "selection": SELECTION,
        "blocks": [
            Heading("Synthèse"),
            Metrics(
                [
                    ("Modules", 24),
                    ("Part SAÉ", fmt.percent(0.413)),
                    ("Heures", 1234.5),
                    ("Manquant", None),
                ]
            ),
            Paragraph("Texte « français » : é è à ç œ Œ ≥ ≤ → … É.\nDeuxième ligne."),
            TableBlock(_wide(), title="Coefficients par parcours", highlight=[(0, "P03-coef")]),
            TableBlock(_long(), title="Modules du semestre", percent=["Part SAÉ"]),
            FigureBlock(bars),
            FigureBlock(spread, title=FIG_TITLES[1], note="Un point par module."),
        ],
        "sources": [
            "000_f0acc9a397de0cbd.txt, lignes 12 à 48",
            "004_8659784350827029.txt, ligne 7",
        ],
        "generated_at": WHEN,
        "author": None,
    }
    fields.update(overrides)
    return PrintPage(**fields)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Pdf, float]:
    """The full page with its figures rendered by Chromium, and the seconds it took."""
    settings = ChartSettings(browser=_chromium())
    started = time.perf_counter()
    data = render_pdf(_page(), charts=settings)
    return Pdf(data, tmp_path_factory.mktemp("pdf") / "page.pdf"), time.perf_counter() - started


@pytest.fixture(scope="module")
def no_browser(tmp_path_factory: pytest.TempPathFactory) -> Pdf:
    data = render_pdf(_page(), charts=ChartSettings(browser=None))
    return Pdf(data, tmp_path_factory.mktemp("pdf") / "no-browser.pdf")


def _norm(text: str) -> str:
    return re.sub(r"[ \t]+", " ", text)


# --------------------------------------------------------------------------- page, chrome


def test_a4_landscape_and_footer_page_count(printed: tuple[Pdf, float]) -> None:
    pdf, _ = printed
    info = pdf.info()
    assert info["Page size"].startswith("841.89 x 595.276 pts"), info["Page size"]
    assert info["Title"] == "Comparer les parcours"
    n = pdf.pages
    assert 4 <= n <= 12, n  # synthesis + two tables (one of 150 rows) + two figures + sources
    for page in range(1, n + 1):
        text = _norm(pdf.text(page))
        assert f"page {page} / {n}" in text
        assert "butdata — généré le 1er décembre 2026 à 10:42" in text
        assert "Comparer les parcours" in text
        assert "Formation : QLIO · Semestre : S3 · Parcours : QMI, MP" in text


def test_a_short_page_is_one_page(tmp_path: Path) -> None:
    page = PrintPage(
        "Poids par UE",
        SELECTION[:1],
        [Paragraph("Rien à signaler.")],
        ["000_f0acc9a397de0cbd.txt, ligne 3"],
        WHEN,
        author="Mme Martin",
    )
    pdf = Pdf(render_pdf(page, charts=ChartSettings(browser=None)), tmp_path / "short.pdf")
    assert pdf.pages == 1
    text = _norm(pdf.text())
    assert "page 1 / 1" in text and "généré le 1er décembre 2026 à 10:42 par Mme Martin" in text
    assert "Sources" in text and "000_f0acc9a397de0cbd.txt, ligne 3" in text


# --------------------------------------------------------------------------- tables


def test_wide_table_keeps_every_column(printed: tuple[Pdf, float]) -> None:
    text = printed[0].text()
    missing = [h for h in WIDE_HEADERS if h not in text]
    assert not missing, f"colonnes perdues : {missing}"


def test_very_wide_table_is_split_repeating_its_key_column(tmp_path: Path) -> None:
    headers = [f"Parcours{j:02d}" for j in range(1, 41)]  # one word each: never broken
    frame = pl.DataFrame(
        {
            "Code": [f"M{i}" for i in range(5)],
            **{h: [j + i / 4 for i in range(5)] for j, h in enumerate(headers)},
        }
    )
    page = PrintPage(
        "Tableau très large",
        blocks=[TableBlock(frame, title="Quarante parcours")],
        generated_at=WHEN,
    )
    pdf = Pdf(render_pdf(page, charts=ChartSettings(browser=None)), tmp_path / "wide.pdf")
    text = pdf.text()
    assert not [h for h in headers if h not in text]
    parts = re.findall(r"partie (\d)/(\d) \(colonnes (\d+) à (\d+) sur 41\)", text)
    assert len(parts) >= 2
    n = int(parts[0][1])
    assert [int(p[0]) for p in parts] == list(range(1, n + 1))
    # consecutive column ranges covering 1..41
    ranges = [(int(p[2]), int(p[3])) for p in parts]
    assert ranges[0][0] == 1 and ranges[-1][1] == 41
    assert all(b[0] == a[1] + 1 for a, b in itertools.pairwise(ranges))
    # the key column heads every part, its values too
    assert len(re.findall(r"^Code +Parcours", text, flags=re.MULTILINE)) == n
    assert text.count("M4") == n
    assert "« Code » répété dans chacune" in _norm(text)


def test_long_table_repeats_its_header_on_every_page(printed: tuple[Pdf, float]) -> None:
    pdf, _ = printed
    spanned = 0
    for page in range(1, pdf.pages + 1):
        text = pdf.text(page)
        rows = re.findall(r"ligne-\d{3}", text)
        if rows:
            spanned += 1
            assert text.count(LONG_HEADER) == 1, f"page {page}: en-tête absent ou doublé"
    assert spanned >= 2, "le tableau long devait couvrir plusieurs pages"
    every = re.findall(r"ligne-(\d{3})", pdf.text())
    assert sorted(set(map(int, every))) == list(range(LONG_ROWS)), "lignes perdues"


def test_french_numbers_and_placeholders(printed: tuple[Pdf, float]) -> None:
    text = printed[0].text()
    assert "41,3 %" in text  # ratio column as percent, one decimal
    assert "0,25" in text  # decimal comma
    assert "1 234" in text and "1 234,5" in text  # thousands separator
    assert "—" in text  # None
    assert "None" not in text and "nan" not in text.lower().split()
    assert not re.search(r"\d\.\d", text.replace("R3.", "").replace("UE 3.", "")), (
        "un point décimal est resté"
    )


def test_long_cell_text_is_wrapped_not_cut(tmp_path: Path) -> None:
    words = " ".join(f"mot{i}" for i in range(400))
    frame = pl.DataFrame(
        {"Code": ["A", "B"], "Commentaire": [words, "court"], "Valeur": [1.5, None]}
    )
    page = PrintPage(
        "Texte long", blocks=[TableBlock(frame, placeholder="n.c.")], generated_at=WHEN
    )
    pdf = Pdf(render_pdf(page, charts=ChartSettings(browser=None)), tmp_path / "long.pdf")
    text = pdf.text()
    assert "mot0" in text and "mot399" in text and "n.c." in text and "1,5" in text


def test_empty_tables(tmp_path: Path) -> None:
    page = PrintPage(
        "Vide",
        blocks=[
            TableBlock(pl.DataFrame({"a": [], "b": []}), title="Aucune"),
            TableBlock(pl.DataFrame(), title="Sans colonne"),
        ],
        generated_at=WHEN,
    )
    text = Pdf(render_pdf(page, charts=ChartSettings(browser=None)), tmp_path / "e.pdf").text()
    assert "aucune ligne" in text and "tableau sans colonne" in text


# --------------------------------------------------------------------------- figures


def test_figures_are_images_under_their_titles(printed: tuple[Pdf, float]) -> None:
    pdf, seconds = printed
    images = pdf.images()
    assert len(images) == 2, images
    # scale 2 of the CSS size: 1100 px wide (default), 420 px high (both figures set it)
    assert [(int(r[3]), int(r[4])) for r in images] == [(2200, 840), (2200, 840)]
    text = pdf.text()
    for title in FIG_TITLES:
        assert title in text
    assert "graphique non disponible" not in text
    assert seconds < 45, f"{seconds:.1f} s"


def test_without_browser_figures_are_placeholders(no_browser: Pdf) -> None:
    assert no_browser.images() == []
    text = _norm(no_browser.text())
    assert text.count("graphique non disponible : navigateur Chromium absent") == 2
    for title in FIG_TITLES:
        assert title in text
    assert all(h in text for h in WIDE_HEADERS)  # the rest of the page is all there


def test_figure_timeout_gives_placeholders_not_errors(tmp_path: Path) -> None:
    settings = ChartSettings(browser=_chromium(), figure_timeout=0.001)
    pdf = Pdf(
        render_pdf(_page(blocks=[FigureBlock(f) for f in _figures()]), charts=settings),
        tmp_path / "t.pdf",
    )
    assert pdf.images() == []
    assert _norm(pdf.text()).count("graphique non disponible : délai dépassé") == 2


def test_hung_browser_is_bounded(tmp_path: Path) -> None:
    """A "browser" that never answers: the PDF still comes, within the total timeout."""
    pid_file = tmp_path / "pid"
    fake = tmp_path / "chromium"
    fake.write_text(f"#!/bin/sh\necho $$ > {pid_file}\nexec sleep 120\n")
    fake.chmod(0o755)
    started = time.perf_counter()
    try:
        data = render_pdf(
            _page(blocks=[FigureBlock(_figures()[0])]),
            charts=ChartSettings(browser=fake, total_timeout=2),
        )
        seconds = time.perf_counter() - started
    finally:
        if pid_file.exists():  # the sleep we started (the engine's worker kills it ≈ 17 s later)
            subprocess.run(["kill", pid_file.read_text().strip()], check=False)
        for worker in threading.enumerate():  # then the worker ends at once: wait for it
            if worker.name == "butdata-report-charts":
                worker.join(30)
    assert seconds < 6, f"{seconds:.1f} s"
    text = _norm(Pdf(data, tmp_path / "h.pdf").text())
    assert (
        "graphique non disponible : délai dépassé" in text
        or "graphique non disponible : le navigateur n'a pas démarré" in text
    )


def test_render_figures_reuses_one_browser() -> None:
    figs = _figures() * 2
    images = render_figures(figs, ChartSettings(browser=_chromium()))
    assert all(i.png is not None and i.png.startswith(b"\x89PNG") for i in images)
    first, rest = images[0].seconds, [i.seconds for i in images[1:]]
    assert max(rest) < first, (first, rest)  # the browser starts once, with the first figure


# --------------------------------------------------------------------------- text, fonts


def test_unicode_text_in_dejavu(printed: tuple[Pdf, float]) -> None:
    pdf, _ = printed
    text = pdf.text()
    assert "Texte « français » : é è à ç œ Œ ≥ ≤ → … É." in text
    assert "Deuxième ligne." in text
    assert "DejaVuSans" in pdf.fonts() and "Helvetica" not in pdf.fonts()


def test_vera_fallback_from_reportlab(tmp_path: Path) -> None:
    """A machine with no system font: Vera from the reportlab wheel, « → » as « -> »."""
    fonts = load_fonts(())
    assert "reportlab" in str(fonts.files[0])
    page = _page(
        blocks=[
            Paragraph("é è à ç œ Œ « » ≥ ≤ → … É — 12 345"),
            TableBlock(pl.DataFrame({"x": [0.413]}), percent=["x"]),
        ]
    )
    pdf = Pdf(render_pdf(page, charts=ChartSettings(browser=None), fonts=fonts), tmp_path / "v.pdf")
    assert "Vera" in pdf.fonts() and "DejaVu" not in pdf.fonts() and "Helvetica" not in pdf.fonts()
    text = pdf.text()
    assert "é è à ç œ Œ « » ≥ ≤ -> … É — 12 345" in text
    assert "41,3 %" in text


def test_suggested_filename() -> None:
    assert suggested_filename(_page()) == "butdata-comparer-les-parcours-2026-12-01-1042.pdf"


# --------------------------------------------------------------------------- errors


def test_errors_are_french_butdata_errors() -> None:
    with pytest.raises(ReportError, match="colonne\\(s\\) inconnue\\(s\\) Part") as err:
        TableBlock(pl.DataFrame({"a": [1]}), title="T", percent=["Part"])
    assert isinstance(err.value, ButdataError)
    with pytest.raises(ReportError, match="figure plotly est attendue"):
        render_pdf(
            _page(blocks=[FigureBlock("pas une figure")]), charts=ChartSettings(browser=None)
        )
    with pytest.raises(ReportError, match="élément de page inconnu"):
        render_pdf(_page(blocks=["texte"]), charts=ChartSettings(browser=None))  # type: ignore[list-item]
    with pytest.raises(ReportError, match="mise en page impossible"):  # a box taller than a page
        render_pdf(_page(blocks=[Metrics([("x" * 40_000, 1)])]), charts=ChartSettings(browser=None))
