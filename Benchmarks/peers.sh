#!/usr/bin/env bash
# The peer benchmark (issue #15): Hegui with the shipped rules and a real 60,000-word dictionary
# against the matchers people use, on the same corpus and dictionary, timed the same way:
#
#   matcher_py (Lips7/Matcher) with full normalisation; daachorse and ahocorasick_rs (plain
#   matching, no normalisation), from PyPI, in a virtual environment; ICU word segmentation
#   through a plain C program; Hegui through hegui-bench.
#
# Every contender builds its automaton (not timed), then checks the corpus one line per call; the
# figure is the CPU time of that loop. Rounds are interleaved (each round runs every contender
# once, each in a new process), and the report takes medians. Prints a Markdown table with the
# ratios the issue's targets are about, and the load average.
#
#   Benchmarks/peers.sh                  # 24 MB corpus, 5 rounds
#   MEGABYTES=4 ROUNDS=2 Benchmarks/peers.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${ROUNDS:-5}
megabytes=${MEGABYTES:-24}
venv=${PEERS_VENV:-$root/Benchmarks/.venv-peers}

bash "$root/Benchmarks/peers/setup.sh" "$venv" >&2
echo "· building hegui-bench (release)" >&2
swift build -c release --package-path "$root/Benchmarks" >&2
bench="$root/Benchmarks/.build/release/hegui-bench"
icu="$root/Benchmarks/.build-peers/icu-segment"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$venv/bin/python" "$root/Benchmarks/peers/words.py" "$work/words.txt"
"$bench" --megabytes "$megabytes" --peer-export "$work" >&2

load_start=$(cut -d' ' -f1 /proc/loadavg)
for round in $(seq 1 "$rounds"); do
  echo "· round $round of $rounds" >&2
  "$bench" --peer-hegui "$work" --peer-dictionary "$work/words.txt" --runs 1 >>"$work/results.jsonl"
  "$bench" --peer-hegui "$work" --runs 1 >>"$work/results.jsonl"
  for contender in matcher daachorse ahocorasick_rs; do
    "$venv/bin/python" "$root/Benchmarks/peers/peer.py" "$contender" "$work/words.txt" "$work/corpus.txt" \
      --rounds 1 >>"$work/results.jsonl"
  done
  "$icu" "$work/corpus.txt" --rounds 1 >>"$work/results.jsonl"
done
load_end=$(cut -d' ' -f1 /proc/loadavg)

python3 "$root/Benchmarks/peers-report.py" "$work/results.jsonl" \
  --load "$load_start" "$load_end" --words "$(wc -l <"$work/words.txt")" --rounds "$rounds"
