#!/bin/sh
# The container's entrypoint, also run by CI outside a container:
#   entrypoint.sh migrate     wait for the database, apply migrations, exit (compose's one-shot step);
#                             with APP_DB_ROLE set, then grant that role what the service needs
#                             (as the tables' owner: web and scheduler connect as APP_DB_ROLE)
#   entrypoint.sh web         wait for the database, [migrate if MIGRATE=1], exec gunicorn
#   entrypoint.sh scheduler   wait for the database, exec the job scheduler (run exactly one)
#   entrypoint.sh <command>   anything else runs as given (flask --app wsgi create-user …)
# exec: gunicorn/the scheduler become PID 1's child directly and get SIGTERM on stop.
set -eu
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python}
export FLASK_APP=wsgi

wait_for_db() { "$PYTHON" scripts/wait_for_db.py --timeout "${DB_WAIT_SECONDS:-60}"; }
migrate() {
  "$PYTHON" -m flask --app wsgi db upgrade
  # least privilege: the app role owns nothing; it may only INSERT and SELECT the action log
  if [ -n "${APP_DB_ROLE:-}" ]; then "$PYTHON" -m flask --app wsgi grant-app-role "$APP_DB_ROLE"; fi
}

case "${1:-web}" in
  migrate)
    wait_for_db
    migrate
    ;;
  web)
    wait_for_db
    if [ "${MIGRATE:-0}" = 1 ]; then migrate; fi
    # no access log: the service logs every request itself (stdout, with its request id)
    exec "$PYTHON" -m gunicorn \
      --bind "${BIND:-0.0.0.0:${PORT:-8000}}" \
      --workers "${WEB_CONCURRENCY:-3}" --threads "${GUNICORN_THREADS:-4}" \
      --timeout "${GUNICORN_TIMEOUT:-60}" --graceful-timeout 20 \
      --error-logfile - \
      wsgi:app
    ;;
  scheduler)
    wait_for_db
    exec "$PYTHON" -m flask --app wsgi scheduler
    ;;
  *)
    exec "$@"
    ;;
esac
