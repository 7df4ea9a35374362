#!/usr/bin/env bash
# `make run`: the web server, a Celery worker and beat, together; Ctrl-C stops all three.
set -u
cd "$(dirname "$0")/../.."
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.settings.dev}
PORT=${PORT:-8000}
export WISHPOOL_SITE_URL=${WISHPOOL_SITE_URL:-http://127.0.0.1:$PORT}
mkdir -p var/mail
pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "Stopping Wishpool..."
  kill "${pids[@]}" 2>/dev/null
  wait 2>/dev/null
  exit 0
}
trap stop INT TERM EXIT
.venv/bin/celery -A config worker -Q default,pdf --pool threads --concurrency 2 --loglevel WARNING &
pids+=($!)
.venv/bin/celery -A config beat --schedule var/celerybeat-schedule --loglevel WARNING &
pids+=($!)
.venv/bin/python manage.py runserver "127.0.0.1:$PORT" --noreload &
pids+=($!)
sleep 2
cat <<MSG

  Wishpool is running:  http://127.0.0.1:$PORT/   (English: http://127.0.0.1:$PORT/en/)
  Staff admin:          http://127.0.0.1:$PORT/cms/
  Health:               http://127.0.0.1:$PORT/health/
  Open data:            http://127.0.0.1:$PORT/api/v1/funds/   (schema: /api/v1/schema/)
  Demo logins (password wishpool-demo): fund@, editor@, worker@, worker2@, rep@, colleague@,
  donor@ and resident@demo.wishpool.cn. E-mails are written to var/mail/.
  Press Ctrl-C to stop the web server, the worker and beat.

MSG
wait -n "${pids[@]}"
