#!/usr/bin/env python3
"""The peer benchmark's table (Benchmarks/peers.sh): medians of the interleaved rounds, each
contender's throughput on the same corpus, and the ratios issue #15's targets are about."""
import argparse
import json
import os
import platform
import statistics
import sys

parser = argparse.ArgumentParser()
parser.add_argument("results")
parser.add_argument("--load", nargs=2, default=["?", "?"])
parser.add_argument("--words", default="?")
parser.add_argument("--rounds", default="?")
args = parser.parse_args()

runs = {}
with open(args.results, encoding="utf-8") as f:
    for number, line in enumerate(f, 1):
        line = line.strip()
        if not line:
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            sys.exit(f"{args.results}:{number}: not a JSON line ({error}): {line[:80]}")
        runs.setdefault(record["contender"], []).append(record)

needed = ["hegui", "hegui-shipped", "matcher", "daachorse", "ahocorasick_rs", "icu-segmentation"]
missing = [name for name in needed if name not in runs]
if missing:
    sys.exit(f"{args.results}: no results for {', '.join(missing)}")


def seconds(name):
    return statistics.median(s for r in runs[name] for s in r["rounds"])


def mbps(name):
    return runs[name][0]["bytes"] / 1e6 / seconds(name)


def median(name, key):
    return statistics.median(r[key] for r in runs[name])


def cpu():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


first = runs["hegui"][0]
print("# Hegui and its peers\n")
print(f"Machine: {cpu()}, {os.cpu_count()} cores; load average {args.load[0]} at start, {args.load[1]} at end")
print(f"Corpus: {first['bytes'] / 1e6:.1f} MB in {first['lines']:,} lines, one check per line; "
      f"dictionary: {args.words} words (jieba's dict.txt, most frequent first)")
print(f"Timing: CPU time of each contender's timed loop (automaton build excluded), median of {args.rounds} "
      "interleaved rounds, each contender in a new process per round\n")

print("| Contender | Version | MB/s | Hits (last round) | Build (CPU s) | Peak RSS |")
print("|---|---|---|---|---|---|")
labels = {
    "hegui": "Hegui, shipped rules + dictionary (normalising)",
    "hegui-shipped": "Hegui, shipped rules only (normalising)",
    "matcher": "matcher_py (Lips7/Matcher), full normalisation",
    "daachorse": "daachorse, no normalisation",
    "ahocorasick_rs": "ahocorasick_rs, no normalisation",
    "icu-segmentation": "ICU word segmentation (C)",
}
for name in needed:
    print(f"| {labels[name]} | {runs[name][0]['version']} | {mbps(name):.1f} | {runs[name][-1]['hits']:,} | "
          f"{median(name, 'build_seconds'):.2f} | {median(name, 'maxrss_kb') / 1024:.1f} MB |")

peers = ["matcher", "daachorse", "ahocorasick_rs"]
lowest_peer_rss = min(median(name, "maxrss_kb") for name in peers)
rows = [
    ("Hegui + dictionary ÷ matcher_py, full normalisation", mbps("hegui") / mbps("matcher"), "≥ 2×", 2.0, True),
    ("Hegui + dictionary ÷ daachorse", mbps("hegui") / mbps("daachorse"), "≥ 1×", 1.0, True),
    ("Hegui + dictionary ÷ ahocorasick_rs", mbps("hegui") / mbps("ahocorasick_rs"), "", None, True),
    ("Hegui, shipped rules ÷ ICU segmentation", mbps("hegui-shipped") / mbps("icu-segmentation"), "≥ 5×", 5.0, True),
]
print("\n| Ratio (same run) | Figure | Target | Result |")
print("|---|---|---|---|")
failures = 0
for label, value, target, bound, higher in rows:
    result = ""
    if bound is not None:
        passed = value >= bound if higher else value <= bound
        failures += not passed
        result = "PASS" if passed else "FAIL"
    print(f"| {label} | {value:.2f}× | {target} | {result} |")
p99 = median("hegui", "caption_p99_us")
failures += p99 > 10
print(f"| Caption line (40 chars) p99, with the dictionary | {p99:.1f} µs | ≤ 10 µs | {'PASS' if p99 <= 10 else 'FAIL'} |")
rss = median("hegui", "maxrss_kb")
failures += rss > lowest_peer_rss
print(f"| Peak RSS with the dictionary ÷ the lowest peer's | {rss / 1024:.1f} ÷ {lowest_peer_rss / 1024:.1f} MB | ≤ 1× | "
      f"{'PASS' if rss <= lowest_peer_rss else 'FAIL'} |")
print(f"\n{failures} target(s) missed." if failures else "\nAll targets met.")
