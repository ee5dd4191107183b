"""The invitee list and the A/B backup rule (SPEC §4)."""
