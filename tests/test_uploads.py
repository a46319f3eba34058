"""Bounded uploads (issue « who may change the store »): zip bombs refused unopened, caps on
rows / columns / cells (named settings), CSV encodings and separators as French Excel writes
them, shifted rows as row errors, and the probe's hostile 300 000-row XLSX refused quickly.

Before this issue a 285 KB XLSX of 300 000 rows drove the server from 278 to 1 119 MiB in 51 s
(openpyxl's default mode builds the whole workbook), and UTF-16 CSV was « fichier binaire »."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import QLIO, ROOT
from xlsx_forge import HEADER, hostile_rows, write_xlsx

from butdata.errors import SourceError
from butdata.readers import spreadsheet
from butdata.settings import DEFAULTS, limits
from butdata.store import build_store
from butdata.store import imports as imp
from butdata.tidy.columns import TemplateError

GOOD = (
    "formation,semestre,parcours,UE,Code module,Intitulé du module,Coefficient\n"
    "QLIO,1,Essai,UE11,R1.01,Anglais,2\n"
    "QLIO,1,Essai,UE11,SAE1.01,Projet,3\n"
    "QLIO,1,Essai,UE12,R1.01,Anglais,4\n"
)


def values(doc) -> list[tuple]:
    return [
        (c.module_code, c.competence, c.coefficient, c.printed, c.line)
        for t in doc.tables
        for c in t.coefficients
    ]


def load_bytes(tmp_path: Path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return spreadsheet.load(path)


# -- caps are named settings ---------------------------------------------------------------


def test_caps_are_named_settings_with_defaults_and_overrides(monkeypatch):
    assert (DEFAULTS.max_rows, DEFAULTS.max_columns, DEFAULTS.max_cells) == (20_000, 100, 200_000)
    assert DEFAULTS.max_unzipped_bytes == 20 * 2**20 and DEFAULTS.max_zip_ratio == 100
    monkeypatch.setenv("BUTDATA_MAX_ROWS", "123")
    monkeypatch.setenv("BUTDATA_LOCK_TIMEOUT", "2.5")
    monkeypatch.setenv("BUTDATA_MAX_CELLS", "beaucoup")  # malformed: the default stays
    assert (limits().max_rows, limits().lock_timeout, limits().max_cells) == (123, 2.5, 200_000)


# -- zip bombs -------------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_from_the_table_of_contents(tmp_path, monkeypatch):
    import openpyxl

    def never(*args, **kwargs):
        raise AssertionError("the workbook must not be opened")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    # 300 000 identical rows without cell references: 49.5 MB of XML in a 190 KB archive
    bomb = write_xlsx(tmp_path / "bombe.xlsx", hostile_rows(300_000), refs=False, compresslevel=9)
    assert bomb.stat().st_size < 300_000
    start = time.perf_counter()
    with pytest.raises(SourceError) as err:
        spreadsheet.load(bomb)
    assert time.perf_counter() - start < 2
    assert "une fois décompressé (plafond 20 Mo) : refusé sans être ouvert" in str(err.value)

    # Under the total, a part compressed beyond the ratio (zeros: about 1000 times).
    small = tmp_path / "ratio.xlsx"
    shutil.copy(write_xlsx(tmp_path / "base.xlsx", [HEADER]), small)
    with zipfile.ZipFile(small, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/image1.bin", b"\0" * (5 * 2**20))
    with pytest.raises(SourceError) as err:
        spreadsheet.load(small)
    assert "partie « xl/media/image1.bin » compressée" in str(err.value)
    assert "archive piégée probable, refusée sans être ouverte" in str(err.value)

    many = tmp_path / "parties.xlsx"
    shutil.copy(tmp_path / "base.xlsx", many)
    with zipfile.ZipFile(many, "a") as z:
        for i in range(DEFAULTS.max_zip_members):
            z.writestr(f"docProps/x{i}.xml", b"")
    with pytest.raises(SourceError, match="parties \\(plafond 2000\\)"):
        spreadsheet.load(many)


# -- row, column and cell caps ----------------------------------------------------------------


def test_row_caps_on_csv_and_xlsx(tmp_path, monkeypatch):
    monkeypatch.setenv("BUTDATA_MAX_ROWS", "50")
    csv = GOOD.splitlines()[0] + "\n" + "QLIO,1,Essai,UE11,R1.01,Anglais,2\n" * 60
    with pytest.raises(SourceError) as err:
        load_bytes(tmp_path, "long.csv", csv.encode())
    assert (err.value.line, "plus de 50 lignes" in err.value.message) == (51, True)
    xlsx = write_xlsx(tmp_path / "long.xlsx", hostile_rows(60))
    with pytest.raises(SourceError) as err:
        spreadsheet.load(xlsx)
    assert err.value.line == 51 and "feuille « Modèle » : plus de 50 lignes" in err.value.message
    # 50 lines exactly are read
    ok = (
        GOOD.splitlines()[0]
        + "\n"
        + "".join(f"QLIO,1,Essai,UE11,R1.{i:02d},x,2\n" for i in range(49))
    )
    assert len(load_bytes(tmp_path, "juste.csv", ok.encode()).tables[0].coefficients) == 49


def test_a_sheet_declaring_a_huge_size_is_not_trusted(tmp_path):
    # Whole columns formatted: the dimension says 1 048 576 rows, the data is 4 rows.
    xlsx = write_xlsx(
        tmp_path / "formats.xlsx",
        [HEADER, ["QLIO", 1, "UE11", "R1.01", 2], ["QLIO", 1, "UE12", "R1.01", 1.5]],
        dimension="A1:XFD1048576",
    )
    doc = spreadsheet.load(xlsx)
    assert [(c.module_code, c.coefficient, c.line) for c in doc.tables[0].coefficients] == [
        ("R1.01", 2.0, 2),
        ("R1.01", 1.5, 3),
    ]


def test_column_and_cell_caps(tmp_path, monkeypatch):
    wide = [*HEADER] + [None] * 100 + ["note perdue très loin"]
    xlsx = write_xlsx(tmp_path / "large.xlsx", [wide, ["QLIO", 1, "UE11", "R1.01", 2]])
    with pytest.raises(SourceError) as err:
        spreadsheet.load(xlsx)
    assert err.value.line == 1 and "plus de 100 colonnes" in err.value.message
    csv = ",".join(HEADER + [f"x{i}" for i in range(100)]) + "\n"
    with pytest.raises(SourceError, match="plus de 100 colonnes"):
        load_bytes(tmp_path, "large.csv", csv.encode())
    monkeypatch.setenv("BUTDATA_MAX_CELLS", "100")
    with pytest.raises(SourceError) as err:
        spreadsheet.load(write_xlsx(tmp_path / "cellules.xlsx", hostile_rows(30)))
    # 5 cells a row: rows 1-20 make 100 cells, row 21 goes over
    assert err.value.line == 21 and "plus de 100 cellules" in err.value.message
    with pytest.raises(SourceError, match="plus de 100 cellules"):
        load_bytes(tmp_path, "cellules.csv", (GOOD * 10).encode())


def test_a_file_over_the_size_cap_is_not_read(tmp_path, monkeypatch):
    sources = tmp_path / "sources"
    sources.mkdir()
    monkeypatch.setenv("BUTDATA_MAX_FILE_BYTES", "100")
    preview = imp.preview_import("gros.csv", GOOD.encode(), tmp_path / "absent.duckdb", sources)
    assert [str(e) for e in preview.errors] == [
        f"ligne 1 : fichier trop gros ({len(GOOD.encode())} octets ; plafond 100 octets)"
    ]
    assert preview.changes == [] and not sources.joinpath("gros.csv").exists()


# -- encodings and separators -------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig", "cp1252"])
def test_csv_encodings_excel_writes(tmp_path, encoding):
    data = GOOD.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data  # Python writes no BOM for an explicit byte order
    reference = load_bytes(tmp_path, "utf8.csv", GOOD.encode("utf-8"))
    doc = load_bytes(tmp_path, f"{encoding}.csv", data)
    assert values(doc) == values(reference)
    assert [m.name for m in doc.tables[0].modules] == ["Anglais", "Projet"]


def test_utf16_without_byte_order_mark_is_told_in_french(tmp_path):
    with pytest.raises(SourceError) as err:
        load_bytes(tmp_path, "sans_bom.csv", GOOD.encode("utf-16-le"))
    assert "UTF-16 sans marque d'ordre" in err.value.message and "CSV UTF-8" in err.value.message


def test_semicolon_csv_with_decimal_commas_reads_right(tmp_path):
    # French Excel: « ; » between cells, « , » in numbers.
    data = (
        "formation;semestre;UE;Code module;Coefficient;ECTS\n"
        "QLIO;1;UE11;R1.01;1,5;10\n"
        "QLIO;1;UE11;SAE1.01;2,25;10\n"
    ).encode("cp1252")
    doc = load_bytes(tmp_path, "excel.csv", data)
    assert values(doc) == [("R1.01", 1, 1.5, "1,5", 2), ("SAE1.01", 1, 2.25, "2,25", 3)]
    assert doc.tables[0].ues[0].ects == 10


def test_an_unquoted_decimal_comma_in_a_comma_csv_is_a_row_error(tmp_path):
    # Row 3 has « 1,5 » unquoted: read as 1 and 5, it shifts the row (was silently 1.0).
    data = (
        "formation,semestre,UE,Code module,Coefficient,ECTS\n"
        "QLIO,1,UE11,R1.01,2,10\n"
        "QLIO,1,UE11,SAE1.01,1,5,10\n"
        'QLIO,1,UE12,SAE1.01,"2,5",10\n'
    )
    with pytest.raises(TemplateError) as err:
        load_bytes(tmp_path, "decale.csv", data.encode())
    assert [(e.row, e.column) for e in err.value.errors] == [(3, None)]
    assert str(err.value.errors[0]).startswith(
        "ligne 3 : 7 cellules pour 6 colonnes d'en-tête : une virgule décimale sans guillemets"
    )
    fixed = data.replace("1,5,10", '"1,5",10')
    assert [v[2] for v in values(load_bytes(tmp_path, "juste.csv", fixed.encode()))] == [
        2.0,
        1.5,
        2.5,
    ]


# -- the probe's hostile XLSX: time and memory, measured in a process of its own --------------

MEASURE = """
import json, sys, time

def peak_mib():
    # VmHWM: peak resident memory of this program (ru_maxrss would include the parent's,
    # inherited through fork and kept across exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
from pathlib import Path
from butdata.store import imports as imp
path, db, sources = map(Path, sys.argv[1:4])
start = time.perf_counter()
preview = imp.preview_import(path.name, path.read_bytes(), db, sources)
print(json.dumps({
    "seconds": time.perf_counter() - start,
    "rss_mib": peak_mib(),
    "errors": [str(e) for e in preview.errors[:3]],
    "tables": len(preview.changes),
}))
"""


def measure(path: Path, db: Path, sources: Path, env: dict | None = None) -> dict:
    import os

    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path), str(db), str(sources)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def qlio_site(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("hostile")
    sources = base / "sources"
    sources.mkdir()
    shutil.copy(QLIO, sources)
    build_store(sources, base / "store.duckdb")
    return sources, base / "store.duckdb"


@pytest.mark.slow
def test_the_hostile_300k_row_xlsx_is_refused_fast_and_small(qlio_site, tmp_path):
    sources, db = qlio_site
    files = {
        # the probe's file: 300 000 rows in a tiny archive
        "sans références": write_xlsx(
            tmp_path / "a.xlsx", hostile_rows(300_000), refs=False, compresslevel=9
        ),
        # the same with cell references, and a dimension saying 300 001 rows
        "avec dimension": write_xlsx(
            tmp_path / "b.xlsx", hostile_rows(300_000), dimension="A1:E300001"
        ),
    }
    results = {k: measure(p, db, sources) for k, p in files.items()}
    # the archive guard lifted: openpyxl streams it, the row cap stops it at row 20 001
    results["garde d'archive levée"] = measure(
        files["avec dimension"],
        db,
        sources,
        {"BUTDATA_MAX_UNZIPPED_BYTES": str(10**9), "BUTDATA_MAX_ZIP_RATIO": "10000"},
    )
    for what, r in results.items():
        print(
            f"\n[hostile xlsx] {what}: {r['seconds']:.2f} s, {r['rss_mib']:.0f} MiB, {r['errors']}"
        )
        assert r["errors"] and r["tables"] == 0, (what, r)
        assert r["seconds"] < 30 and r["rss_mib"] < 800, (what, r)
    assert "refusé sans être ouvert" in results["sans références"]["errors"][0]
    assert "plus de 20\u202f000 lignes" in results["garde d'archive levée"]["errors"][0]


@pytest.mark.slow
def test_the_worst_file_within_the_caps_is_read_in_bounds_while_others_are_served(
    qlio_site, tmp_path
):
    """As many cells as the caps allow, all inline strings (the costliest cells for openpyxl),
    12 a row: accepted, read in a bounded time and memory; meanwhile another thread (a
    visitor's page) keeps getting answers."""
    import threading

    from butdata.analysis import queries as q
    from butdata.store import open_store

    sources, db = qlio_site

    def rows():
        yield HEADER + [f"note{j}" for j in range(7)]
        for i in range(DEFAULTS.max_cells // 12 - 1):
            yield ["QLIO", 1, "UE11", f"R1.{i:05d}", 1] + [
                f"remarque {j}, ligne {i}" for j in range(7)
            ]

    worst = write_xlsx(tmp_path / "pire.xlsx", rows())
    r = measure(worst, db, sources)
    print(
        f"\n[worst within caps] {r['seconds']:.2f} s, {r['rss_mib']:.0f} MiB, errors {r['errors']}"
    )
    assert not r["errors"] and r["tables"] == 1
    assert r["seconds"] < 30 and r["rss_mib"] < 800

    con = open_store(db)

    def visitor() -> float:
        start = time.perf_counter()
        cur = con.cursor()
        q.overview_tables(cur)
        q.store_counts(cur)
        return time.perf_counter() - start

    alone = sorted(visitor() for _ in range(10))[5]
    during: list[float] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            during.append(visitor())

    t = threading.Thread(target=serve)
    t.start()
    imp.preview_import(worst.name, worst.read_bytes(), db, sources)
    stop.set()
    t.join()
    con.close()
    during.sort()
    print(
        f"[worst within caps] a visitor's queries: {alone * 1000:.0f} ms alone, "
        f"{during[len(during) // 2] * 1000:.0f} ms median / {during[-1] * 1000:.0f} ms max "
        f"during the read ({len(during)} answered)"
    )
    assert len(during) >= 10 and during[-1] < 5.0
