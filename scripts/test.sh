#!/usr/bin/env bash
# Install what is missing, then run the whole test suite: type check, unit, integration
# (real nats-server, real ClickHouse engine, real RTSP/H.264) and browser tests.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
log "type check"
npx tsc --noEmit -p .
# The dashboard's components and state classes against the server's route types.
npm run --silent check:dashboard
log "tests"
exec npx vitest run "$@"
