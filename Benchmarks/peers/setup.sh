#!/usr/bin/env bash
# Prepare the peer benchmark: a Python venv with the pinned peers, and icu-segment.
#
#   Benchmarks/peers/setup.sh [VENV_DIR]
#
# Idempotent: each step runs only when its result is missing or stale.
#   venv          VENV_DIR (default Benchmarks/.venv-peers), created if missing
#   packages      requirements.txt installed into it if a pinned version is missing
#   ICU headers   libicu-dev and pkg-config from apt, only if `pkg-config --exists icu-uc` fails
#   icu-segment   compiled to Benchmarks/.build-peers/icu-segment if missing or older than its source
set -euo pipefail

log() { echo "setup.sh: $*" >&2; }

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${1:-$root/Benchmarks/.venv-peers}"
requirements="$here/requirements.txt"
source_c="$here/icu-segment.c"
binary="$root/Benchmarks/.build-peers/icu-segment"

apt_install() {
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null; then
            sudo=(sudo)
        else
            log "need root or sudo to install: $*"
            exit 1
        fi
    fi
    log "installing with apt-get: $*"
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

# 1. venv
python="${PYTHON:-/usr/bin/python3}"
command -v "$python" >/dev/null || python=python3
if [ ! -x "$venv/bin/python" ]; then
    log "creating venv $venv with $("$python" --version 2>&1)"
    if ! "$python" -m venv "$venv"; then
        rm -rf "$venv"
        apt_install python3-venv
        "$python" -m venv "$venv"
    fi
else
    log "venv $venv exists"
fi
# Keep git from offering the venv for commit (Python 3.13's venv writes the same file).
[ -f "$venv/.gitignore" ] || echo '*' > "$venv/.gitignore"

# 2. pinned packages
pinned_present() {
    "$venv/bin/python" - "$requirements" <<'EOF'
import importlib.metadata as md, sys
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if line:
        name, version = line.split("==")
        try:
            if md.version(name) != version:
                sys.exit(1)
        except md.PackageNotFoundError:
            sys.exit(1)
EOF
}
if pinned_present; then
    log "pinned packages already installed"
else
    log "installing $requirements"
    "$venv/bin/python" -m pip install --disable-pip-version-check -q -r "$requirements" >&2
    pinned_present || { log "pinned packages still missing after pip install"; exit 1; }
fi

# 3. ICU headers and a C compiler
missing=()
if ! { command -v pkg-config >/dev/null && pkg-config --exists icu-uc; }; then
    missing+=(libicu-dev pkg-config)
fi
command -v cc >/dev/null || missing+=(gcc libc6-dev)
if [ ${#missing[@]} -gt 0 ]; then
    apt_install "${missing[@]}"
else
    log "ICU $(pkg-config --modversion icu-uc) headers and cc present"
fi

# 4. icu-segment
if [ ! -x "$binary" ] || [ "$source_c" -nt "$binary" ]; then
    log "compiling $binary"
    mkdir -p "$(dirname "$binary")"
    # shellcheck disable=SC2046  # pkg-config's flags are meant to be split
    cc -O2 -o "$binary.tmp" "$source_c" $(pkg-config --cflags --libs icu-uc)
    mv "$binary.tmp" "$binary"
else
    log "$binary is up to date"
fi

log "ready: $venv/bin/python $here/peer.py ...; $binary CORPUS"
