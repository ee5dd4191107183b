"""Evaluation (效果评估与考核, SPEC §9): the meeting scorecard, spend per doctor
against the annual cap, and budget against actual. Computed in SQL."""
