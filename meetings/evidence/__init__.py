"""Evidence of a meeting (SPEC §12): its attachments — receipts, photos, the
scan of the paper sign-in sheet — judged by content, stored by SHA-256
through the files toolkit, voided never deleted; and what a meeting still
lacks to close (evidence_gaps)."""
