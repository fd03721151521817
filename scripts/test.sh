#!/usr/bin/env bash
# Install what is missing, then run the whole test suite: type check, unit, integration
# (real nats-server, real ClickHouse engine, real RTSP/H.264) and browser tests.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
log "type check"
npx tsc --noEmit -p .
# Formatting and lint of the TypeScript sources (biome.jsonc); `npm run format` fixes the format.
log "format and lint"
npx biome ci --colors=off .
# The dashboard's components and state classes against the server's route types.
npm run --silent check:dashboard
log "tests"
exec npx vitest run "$@"
