"""Prescription data (处方数据, SPEC §9): monthly boxes per doctor and product,
imported from CSV or XLSX; the sales effect of a meeting is read from it."""
