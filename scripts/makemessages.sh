#!/usr/bin/env bash
# Collect every translatable string into locale/fr/LC_MESSAGES/django.po, then compile it.
# Translate new entries (msgstr "") and entries marked "#, fuzzy" before committing.
set -euo pipefail
cd "$(dirname "$0")/.."
CPMS_EMBEDDED=1 uv run python manage.py makemessages -l fr --no-location --no-obsolete \
    --ignore=node_modules --ignore=.venv --ignore=staticfiles --ignore=e2e --ignore=bench -e html,txt,py
CPMS_EMBEDDED=1 uv run python manage.py compilemessages -l fr --ignore=.venv --ignore=node_modules
