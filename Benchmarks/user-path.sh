#!/usr/bin/env bash
# `hegui lint` on the user's path, as whole processes: builds a release, lint-only hegui (no
# SQLite, HTTP or TLS: --disable-default-traits) and the benchmark, then runs
# `hegui-bench --user-path`. Extra arguments go to hegui-bench (e.g. --quick).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product hegui --disable-default-traits --scratch-path .build-release-lint >&2
swift build -c release --package-path Benchmarks >&2
exec Benchmarks/.build/release/hegui-bench --user-path "$PWD/.build-release-lint/release/hegui" "$@"
