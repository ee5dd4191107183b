"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""
from meetings import create_app

app = create_app()
