#!/usr/bin/env bash
# `make test`: pytest on PostgreSQL when DATABASE_URL says so or CI is set, else SQLite
# (the first lines of the run name the database).
# Tests needing a missing system part are skipped and listed by name; with CI=true a skip fails.
set -u
cd "$(dirname "$0")/../.."
export DJANGO_SETTINGS_MODULE=config.settings.test
mkdir -p var
.venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" --dist loadgroup "$@"
rc=$?
if [ "$rc" -eq 5 ]; then echo "No tests ran."; exit 1; fi
exit "$rc"
