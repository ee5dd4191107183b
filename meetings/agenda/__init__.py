"""Agenda timing and run-of-show (SPEC §6), and the materials checklist."""
