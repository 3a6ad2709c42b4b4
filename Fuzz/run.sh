#!/usr/bin/env bash
# Builds Hegui's libFuzzer targets and runs them.
#
#   Fuzz/run.sh build                  build every target (debug, ASan, coverage)
#   Fuzz/run.sh TARGET SECONDS         build, then run TARGET for SECONDS
#   Fuzz/run.sh all SECONDS            build, then run every target for SECONDS each, one after another
#   Fuzz/run.sh list                   the targets
#
# TARGET is checker, ruleset-loader or listing-parser. Run from anywhere; paths are relative to
# the repository. Exits non-zero on any crash, property violation, leak, timeout (-timeout=10) or
# out-of-memory (-rss_limit_mb=2048), and prints where the failing input was saved.
#
# The committed seed corpus (Fuzz/Corpus/TARGET/) is never written: libFuzzer runs on a temporary
# copy, and new entries are dropped with it (set FUZZ_KEEP_CORPUS=DIR to keep them in DIR).
# Crashing inputs go to FUZZ_ARTIFACTS (default Fuzz/.build/artifacts/TARGET/, git-ignored).
# FUZZ_EXTRA_CORPUS="DIR …" also reads DIR/TARGET/ (e.g. a kept corpus, to resume); never written.
# Extra libFuzzer flags: FUZZ_FLAGS="-jobs=2 -workers=2" etc.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
scratch="$here/.build"
targets=(checker ruleset-loader listing-parser)

usage() {
  sed -n '2,/^set -e/p' "${BASH_SOURCE[0]}" | grep '^#' | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# ASan's leak checker runs at the end of every run. It is on: the harnesses' long-lived objects
# (rulesets, checkers, ICU and PCRE2 handles in per-thread pools) stay reachable from globals, which
# LeakSanitizer does not report, and the runs we made reported no leak. (Swift metadata caches are
# reachable too.) If a toolchain update makes the Swift runtime report one, suppress that frame in
# Fuzz/lsan.supp rather than turning detection off.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
# Swift's own crash backtracer would catch the trap of a failed property before libFuzzer does (and
# trips ASan reading memory); libFuzzer must see it to save the input.
export SWIFT_BACKTRACE=enable=no
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$here/lsan.supp:print_suppressions=0}"

build() {
  # - `--sanitize address`: ASan on every target, Swift and C (Hegui, Yams/libyaml, the ICU shim).
  # - `-sanitize-coverage=…` / `-fsanitize=fuzzer-no-link`: libFuzzer's coverage (8-bit counters,
  #   PC table, comparison tracing) on every Swift and C target, without libFuzzer's `main`.
  #   `-Xswiftc -sanitize=fuzzer` or `--sanitize fuzzer` would also reach the root package's
  #   build-tool plugin (EmbedRulesetsTool), which has its own `main`; the fuzz targets link
  #   libFuzzer themselves (Fuzz/Package.swift).
  # - `-c debug -Xswiftc -O`: optimised code (about 5 times the executions per second of -Onone)
  #   in the debug configuration, whose `-enable-testing` the checker target's
  #   `@testable import Hegui` needs.
  # The build tool runs under ASan too; it does not need leak checking.
  ASAN_OPTIONS=detect_leaks=0 swift build --package-path "$here" --scratch-path "$scratch" -c debug \
    --sanitize address \
    -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp \
    -Xcc -fsanitize=fuzzer-no-link \
    -Xswiftc -O \
    "$@"
}

binary() { echo "$scratch/debug/fuzz-$1"; }

run_target() {
  local target="$1" seconds="$2"
  local corpus="$here/Corpus/$target"
  local artifacts="${FUZZ_ARTIFACTS:-$scratch/artifacts/$target}/"
  local work
  work="$(mktemp -d "${TMPDIR:-/tmp}/hegui-fuzz-$target.XXXXXX")"
  mkdir -p "$artifacts" "$work/corpus"
  [ -d "$corpus" ] && cp -R "$corpus/." "$work/corpus/"
  local dict=()
  [ -f "$here/Dictionaries/$target.dict" ] && dict=("-dict=$here/Dictionaries/$target.dict")
  local log="$work/fuzz.log"

  echo "== fuzz-$target for ${seconds}s (corpus copy: $work/corpus; artifacts: $artifacts)"
  set +e
  # -max_len: the seeds include whole ruleset files (up to ~32 KB); texts beyond the default 4 KB
  # reach the chunked paths (lines longer than 16 KB are also built by the checker target itself).
  local extra=()
  for dir in ${FUZZ_EXTRA_CORPUS:-}; do [ -d "$dir/$target" ] && extra+=("$dir/$target"); done
  "$(binary "$target")" "$work/corpus" ${extra[@]+"${extra[@]}"} \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=40000 \
    -print_final_stats=1 -artifact_prefix="$artifacts" ${dict[@]+"${dict[@]}"} ${FUZZ_FLAGS:-} 2>&1 | tee "$log"
  local status="${PIPESTATUS[0]}"
  set -e
  if [ -n "${FUZZ_KEEP_CORPUS:-}" ]; then
    mkdir -p "$FUZZ_KEEP_CORPUS/$target" && cp -R "$work/corpus/." "$FUZZ_KEEP_CORPUS/$target/"
  fi
  if [ "$status" -ne 0 ]; then
    echo "!! fuzz-$target failed (exit $status). Failing input(s):" >&2
    grep -E "^(artifact_prefix|Test unit written to|==[0-9]+==ERROR|SUMMARY|.*property violated)" "$log" >&2 || true
    echo "   reproduce: $(binary "$target") <input>" >&2
    echo "   minimise:  $(binary "$target") -minimize_crash=1 -max_total_time=120 -exact_artifact_path=<output> <input>" >&2
    echo "   log: $log" >&2
    return "$status"
  fi
  echo "== fuzz-$target ran ${seconds}s clean"
  rm -rf "$work"
}

[ $# -ge 1 ] || usage
case "$1" in
  list) printf '%s\n' "${targets[@]}" ;;
  build) shift; build "$@" ;;
  all)
    [ $# -eq 2 ] || usage
    build
    failed=0
    for target in "${targets[@]}"; do run_target "$target" "$2" || failed=1; done
    exit "$failed"
    ;;
  checker | ruleset-loader | listing-parser)
    [ $# -eq 2 ] || usage
    build
    run_target "$1" "$2"
    ;;
  *) usage ;;
esac
