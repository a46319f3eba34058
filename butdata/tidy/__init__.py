"""The tidy coefficient template (one row per value): columns, validation, rows to
documents, and the writers (CSV, XLSX) of the store's tables."""
