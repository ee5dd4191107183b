"""The meeting summary (SPEC §7, the manual's 附表3) and the questions it raises."""
