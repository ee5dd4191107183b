#!/usr/bin/env bash
# Refresh the Chinese catalog after changing user-visible strings:
#   scripts/i18n.sh        extract, merge into translations/zh, compile
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
$BIN/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k Message -o translations/messages.pot --no-location --sort-output . >/dev/null
if [ -f translations/zh/LC_MESSAGES/messages.po ]; then
  $BIN/pybabel update -i translations/messages.pot -d translations -l zh --no-fuzzy-matching --ignore-obsolete >/dev/null
else
  $BIN/pybabel init -i translations/messages.pot -d translations -l zh >/dev/null
fi
$BIN/pybabel compile -d translations -l zh --statistics
