#!/usr/bin/env python3
"""Rewrites the source table at the top of SOURCES.md from the records themselves.

    python3 Rulesets/corpus/real/sources.py

Each row: the source's name, split, texts (clean / violating), contexts, licence, title and URL,
as the records' `source` fields give them. The notes below the table are kept as they are.
"""
import collections
import json
import os

here = os.path.dirname(os.path.abspath(__file__))
rows = {}
for split in ("dev", "test"):
    for line in open(os.path.join(here, f"{split}.jsonl"), encoding="utf-8"):
        record = json.loads(line)
        source = record["source"]
        row = rows.setdefault(
            source["name"],
            {"split": split, "clean": 0, "violating": 0, "contexts": collections.Counter(), "source": source, "urls": []},
        )
        if source.get("url") not in row["urls"]:
            row["urls"].append(source.get("url"))
        if row["split"] != split:
            raise SystemExit(f"source {source['name']} is in both splits")
        row["violating" if record["labels"] else "clean"] += 1
        row["contexts"][record["context"]] += 1


def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


table = [
    "| source | split | texts (clean / violating) | contexts | licence | title | URL |",
    "|---|---|---|---|---|---|---|",
]
for name in sorted(rows):
    row = rows[name]
    source = row["source"]
    contexts = ", ".join(f"{c} {n}" for c, n in sorted(row["contexts"].items()))
    total = row["clean"] + row["violating"]
    urls = row["urls"]
    url = urls[0] if len(urls) == 1 else f"{len(urls)} pages, each in its records (first: {urls[0]})"
    table.append(
        f"| {cell(name)} | {row['split']} | {total} ({row['clean']} / {row['violating']}) | {contexts} | "
        f"{cell(source.get('licence', ''))} | {cell(source.get('title', ''))} | {cell(url)} |"
    )

path = os.path.join(here, "SOURCES.md")
lines = open(path, encoding="utf-8").read().split("\n")
start = next(i for i, l in enumerate(lines) if l.startswith("| source | split |"))
end = start
while end < len(lines) and lines[end].startswith("|"):
    end += 1
lines[start:end] = table
open(path, "w", encoding="utf-8").write("\n".join(lines))
print(f"{len(rows)} sources")
