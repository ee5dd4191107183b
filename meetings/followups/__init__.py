"""Follow-up tasks after a meeting (SPEC §8)."""
