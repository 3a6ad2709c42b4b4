#!/usr/bin/env python3
"""Write a benchmark dictionary: the most frequent Han-only words of jieba's word list.

    python3 words.py DICT_OUT [--count 60000]

The source is the `dict.txt` bundled with jieba (MIT licence,
https://pypi.org/project/jieba/), one `word freq tag` per line. Kept: words of at
least 2 characters, all of them Han (U+3400-U+9FFF, U+F900-U+FAFF). Ordered by
frequency, highest first, ties broken by the word itself, so the output is
deterministic. One word per line, UTF-8.
"""

import argparse
import os
import sys


def is_han(ch):
    cp = ord(ch)
    return 0x3400 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dict_out")
    parser.add_argument("--count", type=int, default=60000)
    args = parser.parse_args()
    if args.count < 0:
        parser.error("--count must not be negative")

    import jieba  # only to find its bundled dict.txt

    source = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    best = {}  # word -> highest frequency seen (the list has no duplicates, but be safe)
    with open(source, encoding="utf-8") as f:
        for line in f:
            fields = line.split()
            if len(fields) < 2:
                continue
            word, freq = fields[0], int(fields[1])
            if len(word) >= 2 and all(is_han(ch) for ch in word):
                best[word] = max(freq, best.get(word, freq))

    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))[: args.count]
    with open(args.dict_out, "w", encoding="utf-8", newline="\n") as out:
        for word, _ in ranked:
            out.write(word + "\n")
    print(f"words.py: wrote {len(ranked)} words to {args.dict_out} "
          f"(jieba {jieba.__version__}, {len(best)} eligible)", file=sys.stderr)


if __name__ == "__main__":
    main()
