"""Named limits of the write path and of spreadsheet reading, with their defaults.

Each one can be changed without touching the code through an environment variable
(``BUTDATA_`` + the name in upper case, e.g. ``BUTDATA_MAX_ROWS=50000``), so that an operator
can raise a cap for a large export without lowering the guard for everyone.

How the defaults were sized (measured here, see README « Plafonds »): the export of the whole
store built from the two real documents is 4 392 rows of 45 columns (151 283 filled cells in
the « Modèle » sheet), 5.3 MB uncompressed as XLSX with a compression ratio of 8 (25 for its most
compressed part); openpyxl streams 10 µs per numeric or shared-string cell and up to 36 µs per
inline-string cell. The caps keep the worst file they let through to about 10-15 s of reading,
and refuse a hostile one (300 000 rows in a 190 KB archive) in under a second or after the
first 20 000 rows.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

from butdata import fmt

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    # One file (upload or source spreadsheet).
    max_file_bytes: int = 20 * MIB  # same as Streamlit's server.maxUploadSize
    max_rows: int = 20_000  # rows of one sheet / lines of one CSV (4.5 x the real export)
    max_columns: int = 100  # the template has 45 columns
    max_cells: int = 200_000  # filled cells over all sheets (1.3 x the real export's 151 283)
    # XLSX archive, checked from ZipFile.infolist() before anything is parsed; the uncompressed
    # size bounds what openpyxl parses (it also parses cells past the caps of a row).
    max_unzipped_bytes: int = 20 * MIB
    max_zip_ratio: int = 100  # uncompressed / compressed, for members over 1 MiB
    max_zip_members: int = 2_000
    # Files imported through the page (not those an operator puts in the sources directory).
    max_imported_files: int = 50
    max_imported_bytes: int = 50 * MIB
    # Writers wait this long for the store's lock, then get « base occupée, réessayez ».
    lock_timeout: float = 60.0


DEFAULTS = Limits()


def limits() -> Limits:
    """The limits in force: defaults, overridden by ``BUTDATA_<NAME>`` environment variables
    (read on each call, so tests and operators can change them without a restart)."""
    values: dict[str, int | float] = {}
    for f in fields(Limits):
        raw = os.environ.get(f"BUTDATA_{f.name.upper()}")
        if raw is None or not raw.strip():
            continue
        try:
            values[f.name] = float(raw) if f.name == "lock_timeout" else int(raw)
        except ValueError:
            continue  # a malformed override keeps the default rather than disable the guard
    return Limits(**values) if values else DEFAULTS  # type: ignore[arg-type]


def size_text(n_bytes: int) -> str:
    """``20 Mo`` / ``1,5 Mo`` / ``512 Ko`` / ``300 octets``: a size for a French message."""
    if n_bytes >= MIB:
        return f"{fmt.number(n_bytes / MIB, 1)} Mo"
    if n_bytes >= 1024:
        return f"{fmt.integer(round(n_bytes / 1024))} Ko"
    return f"{n_bytes} octets"
