"""Marketing's inbox of doctors' questions (SPEC §7)."""
