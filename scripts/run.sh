#!/usr/bin/env bash
# Quick start: install what is missing, then run the appliance on its embedded defaults
# (or on the configuration file given: scripts/run.sh --config alpr.yaml).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
exec node bin/alpr.mjs appliance "$@"
