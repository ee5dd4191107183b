"""Exports (SPEC §9): a registry of exporters, each yielding rows, and the
shared CSV and XLSX writers."""
