"""Compliance flags (SPEC §12): compliance flags a meeting with a reason, the
owner or the province's manager answers, compliance resolves; an open flag
keeps the meeting from closing."""
