#!/usr/bin/env bash
# `make demo`: migrate, seed (idempotent), start the task worker, serve with gunicorn + whitenoise on the
# embedded SQLite database, and stop the worker when the server stops (Ctrl-C).
set -euo pipefail
cd "$(dirname "$0")/.."
export GONGHUI_DEMO=1
export GONGHUI_SMS_SENDER="${GONGHUI_SMS_SENDER:-gonghui.accounts.sms.LoggingSender}"
# Demo administrators have TOTP like real ones; the verify page shows the current code (demo only).
export GONGHUI_DEMO_SHOW_TOTP="${GONGHUI_DEMO_SHOW_TOTP:-1}"
PORT="${PORT:-8000}"
BIN=.venv/bin

$BIN/gonghui migrate --noinput -v0
$BIN/gonghui collectstatic --noinput -v0
$BIN/gonghui seed --demo -v2

$BIN/gonghui db_worker --no-reload &
WORKER=$!
$BIN/gonghui scheduler &
SCHEDULER=$!
cleanup() { kill "$WORKER" "$SCHEDULER" 2>/dev/null || true; wait "$WORKER" "$SCHEDULER" 2>/dev/null || true; }
trap cleanup EXIT INT TERM

cat <<MSG

  gonghui is running at http://127.0.0.1:${PORT}/
    portal:   http://127.0.0.1:${PORT}/
    console:  http://127.0.0.1:${PORT}/console/
    API docs: http://127.0.0.1:${PORT}/api/v1/docs
  Log in with a demo mobile number above and the password ${GONGHUI_DEMO_PASSWORD:-Gonghui@2026}.
  SMS codes are written to this terminal (logging sender). Administrators and reviewers confirm the
  login with a TOTP code; in the demo the verification page shows the current code. Stop with Ctrl-C.

MSG
$BIN/gunicorn gonghui.wsgi:application --bind "127.0.0.1:${PORT}" --workers 2 --threads 4 \
  --access-logfile - --graceful-timeout 5
