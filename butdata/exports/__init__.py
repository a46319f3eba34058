"""Files made from the store for people: the tidy template (CSV, XLSX with one readable sheet
per table)."""
