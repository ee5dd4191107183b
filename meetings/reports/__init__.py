"""Reports and dashboards (SPEC §9): figures rolled up in SQL."""
