"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi …`."""
import gc

from meetings import create_app

app = create_app()

# What the app holds for its whole life (modules, mappers, schemas, ~170,000
# objects) leaves the garbage collector's view: otherwise every few requests
# an oldest-generation collection walks all of it again (60–90 ms of a list
# request in six; docs/performance.md).
gc.collect()
gc.freeze()
