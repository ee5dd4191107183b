"""Reading the action log (SPEC §10 /audit, §11): the API and the admin page.
The log itself and log_action() live in meetings/actionlog.py (base layer)."""
