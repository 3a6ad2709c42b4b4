#!/usr/bin/env python3
"""Regenerates the seed corpora under Fuzz/Corpus/ from Examples/ and Rulesets/.

    python3 Fuzz/Scripts/make-seeds.py        (needs PyYAML)

Seeds are named after where they come from, so a regenerated corpus diffs cleanly. Hand-written
seeds (names starting with `hand-`) are kept. Run it after adding examples or rulesets; the fuzzers
never write to Fuzz/Corpus/ themselves (run.sh fuzzes a temporary copy).
"""
import json
import pathlib
import re

import yaml

root = pathlib.Path(__file__).resolve().parents[2]
corpus = root / "Fuzz" / "Corpus"


def reset(target):
    folder = corpus / target
    folder.mkdir(parents=True, exist_ok=True)
    for path in folder.iterdir():
        if not path.name.startswith("hand-"):
            path.unlink()
    return folder


def write(folder, name, text):
    (folder / name).write_text(text, encoding="utf-8")


def slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# checker: whole example scripts and captions, the labelled corpus text, and every example of
# every shipped rule (markers removed), one file each.
checker = reset("checker")
for path in sorted((root / "Examples").glob("scripts/*.txt")) + sorted((root / "Examples").glob("captions/*.srt")):
    write(checker, f"examples-{path.parent.name}-{path.stem}.txt", path.read_text(encoding="utf-8"))
for path in sorted((root / "Rulesets" / "corpus").glob("*.txt")):
    write(checker, f"rulesets-corpus-{path.stem}.txt", path.read_text(encoding="utf-8"))
for path in sorted((root / "Rulesets").glob("*.yml")):
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    for rule in document.get("rules") or []:
        examples = rule.get("examples") or {}
        for kind in ("trigger", "pass"):
            for index, example in enumerate(examples.get(kind) or []):
                text = example["text"] if isinstance(example, dict) else example
                text = text.replace("⟦", "").replace("⟧", "")
                write(checker, f"rule-{slug(rule['id'])}-{kind}-{index + 1}.txt", text)

# ruleset-loader: every shipped and example ruleset file, whole, and the bulk case file.
loader = reset("ruleset-loader")
for path in sorted((root / "Rulesets").glob("*.yml")) + sorted((root / "Rulesets" / "tests").glob("*.yml")):
    write(loader, f"rulesets-{path.stem}.yml", path.read_text(encoding="utf-8"))
for path in sorted((root / "Examples").glob("DownstreamRules/Rules/*.yml")):
    write(loader, f"examples-downstream-{path.stem}.yml", path.read_text(encoding="utf-8"))

# listing-parser: the example exports, whole, and each record on its own in each format.
listings = reset("listing-parser")
source = root / "Examples" / "listings"
for path in sorted(source.iterdir()):
    write(listings, f"examples-{path.name}", path.read_text(encoding="utf-8"))
for index, line in enumerate((source / "listings.jsonl").read_text(encoding="utf-8").splitlines()):
    if line.strip():
        write(listings, f"examples-jsonl-record-{index + 1}.jsonl", line + "\n")
csv_lines = (source / "listings.csv").read_text(encoding="utf-8").splitlines(keepends=True)
for index, line in enumerate(csv_lines[1:]):
    write(listings, f"examples-csv-record-{index + 1}.csv", csv_lines[0] + line)
records = json.loads((source / "listings.json").read_text(encoding="utf-8"))
records = records.get("listings", records.get("items", [records])) if isinstance(records, dict) else records
for index, record in enumerate(records):
    write(listings, f"examples-json-record-{index + 1}.json", json.dumps([record], ensure_ascii=False, indent=2) + "\n")

# checker.dict: what the checker reacts to. Separators, noise and width forms by hand; then every
# term, exception phrase and anchor of the shipped rules and their term files.
HAND = [
    "\n", "\r\n", "\r", "。", "！", "？", "，", "、", "；", "：", " ", "　", "\t",
    "*", "-", "~", "·", "…", "🔥", "😀", "👍", "1️⃣", "①", "Ⅰ",
    "\u200b", "\u200c", "\u200d", "\ufeff", "\ufe0f", "\u0301", "\u00ad", "\u2028", "\u2029",
    "ＮＯ．１", "ＴＯＰ１", "No.1", "TOP1", "第1", "第一", "最", "極", "國家級", "蕞", "㊣",
    "⟦", "⟧", "【", "】", "#! hegui disable", "\ufffd", "某",
]


def dict_escape(value):
    """A libFuzzer dictionary value: printable ASCII as it is; every other byte (UTF-8 included,
    which libFuzzer's parser rejects), quotes and backslashes as \\xNN."""
    raw = value.encode("utf-8") if isinstance(value, str) else value
    return "".join(chr(b) if 0x20 <= b < 0x7F and b not in (0x22, 0x5C) else "\\x%02X" % b for b in raw)


def dict_unescape(value):
    """The bytes of a readable dictionary value: UTF-8 text with \\xNN escapes."""
    out = bytearray()
    i = 0
    while i < len(value):
        if value.startswith("\\x", i) and re.fullmatch(r"[0-9A-Fa-f]{2}", value[i + 2 : i + 4]):
            out.append(int(value[i + 2 : i + 4], 16))
            i += 4
        else:
            out += value[i].encode("utf-8")
            i += 1
    return bytes(out)


terms = set()
for path in sorted((root / "Rulesets").glob("*.yml")):
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    for rule in document.get("rules") or []:
        terms.update(t for t in rule.get("terms") or [] if isinstance(t, str))
        terms.update(t for t in rule.get("anchors") or [] if isinstance(t, str))
        for exception in rule.get("exceptions") or []:
            if isinstance(exception, dict) and isinstance(exception.get("phrase"), str):
                terms.add(exception["phrase"])
for path in sorted((root / "Rulesets" / "lexicons").glob("*.txt")):
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            terms.add(line.strip())
dictionaries = root / "Fuzz" / "Dictionaries"
dictionaries.mkdir(exist_ok=True)
with open(dictionaries / "checker.dict", "w", encoding="utf-8") as out:
    out.write("# libFuzzer dictionary for fuzz-checker. Generated by Fuzz/Scripts/make-seeds.py: separators,\n")
    out.write("# noise and width forms, then the shipped rules' terms, exception phrases and anchors.\n")
    for entry in HAND + sorted(terms - set(HAND)):
        out.write('"%s"\n' % dict_escape(entry))

# The hand-written dictionaries (ruleset-loader, listing-parser) are kept readable in *.dict.txt
# and escaped here the same way.
for source in sorted(dictionaries.glob("*.dict.txt")):
    with open(source.with_suffix(""), "w", encoding="utf-8") as out:
        out.write("# Generated from %s by Fuzz/Scripts/make-seeds.py: edit that file.\n" % source.name)
        for line in source.read_text(encoding="utf-8").splitlines():
            if line.startswith('"') and line.endswith('"'):
                line = '"%s"' % dict_escape(dict_unescape(line[1:-1]))
            out.write(line + "\n")
