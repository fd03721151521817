#!/usr/bin/env bash
# Installs whatever this checkout needs that the machine lacks, and nothing else:
# Debian packages (nats-server, GStreamer, the RTSP server's Python bindings, Chromium for
# the dashboard's browser tests) and the npm dependencies. Safe to run again: each step
# checks first. Sourced by run.sh and test.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

APT_PACKAGES=(
  nats-server                                   # messaging: JetStream (Debian 12: 2.9.10)
  gstreamer1.0-tools gstreamer1.0-plugins-base   # capture: RTSP, H.264/H.265 decode
  gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev pkg-config g++ make   # gstreamer-superficial's addon build
  python3 python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0 gir1.2-gst-rtsp-server-1.0  # the simulator's RTSP server
  chromium                                      # dashboard browser tests (playwright-core drives it)
)

log() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

if ! command -v node >/dev/null || ! node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)'; then
  log "Node.js 20 or newer is required (found: $(node --version 2>/dev/null || echo none)). On Debian 12: https://github.com/nodesource/distributions"
  exit 1
fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  log "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# onnxruntime-node's post-install step downloads GPU libraries; the CPU library ships in the
# package, and the download is blocked on air-gapped appliances.
export ONNXRUNTIME_NODE_INSTALL=skip
stamp=node_modules/.setup-stamp
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  # `npm install`, not `npm ci`: chdb and a dependency of it list optional packages for other
  # platforms that this registry does not carry (404); npm ci refuses a lock file without
  # them, npm install skips them. The lock file still pins every version that is installed.
  log "installing npm dependencies"
  npm install --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi
# The dashboard is served from dashboard/dist by the appliance itself; rebuild when a source changed.
if [ ! -f dashboard/dist/index.html ] || [ -n "$(find dashboard/src dashboard/index.html dashboard/vite.config.ts server contracts -newer dashboard/dist/index.html -name '*.*' 2>/dev/null | head -1)" ]; then
  log "building the dashboard"
  npx vite build --config dashboard/vite.config.ts --logLevel error
fi
log "ready"
