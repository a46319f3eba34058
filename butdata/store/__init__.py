"""The DuckDB store: schema (``schema``), atomic build (``build``), read-only opening (``read``)
and imports of department files (``imports``). This facade is what the rest of the code uses."""

from butdata.store.build import (
    BuildReport,
    DocumentSummary,
    Progress,
    build_store,
    ensure_store,
    parse_sources,
    repair_store,
    sources_fingerprint,
    write_store,
)
from butdata.store.lock import write_lock
from butdata.store.read import (
    DEFAULT_DB,
    DEFAULT_SOURCES,
    PROJECT_DIR,
    default_db_path,
    open_store,
    store_meta,
    store_notice,
)
from butdata.store.schema import SCHEMA, SCHEMA_VERSION

__all__ = [
    "DEFAULT_DB",
    "DEFAULT_SOURCES",
    "PROJECT_DIR",
    "SCHEMA",
    "SCHEMA_VERSION",
    "BuildReport",
    "DocumentSummary",
    "Progress",
    "build_store",
    "default_db_path",
    "ensure_store",
    "open_store",
    "parse_sources",
    "repair_store",
    "sources_fingerprint",
    "store_meta",
    "store_notice",
    "write_lock",
    "write_store",
]
