#!/usr/bin/env python3
"""Time one peer matcher on a corpus, one search per line, and print one JSON line.

    python3 peer.py CONTENDER DICT CORPUS [--rounds N]
    python3 peer.py --self-test

CONTENDER is one of: matcher, daachorse, ahocorasick_rs. DICT has one term per
line (empty lines and repeated terms are dropped). CORPUS is UTF-8 text, one check
per line, split on '\n' with nothing skipped. The automaton build is timed on its
own (build_seconds); each round times only the loop over the lines, in CPU time
(time.process_time), with the garbage collector paused as timeit does.
"""

import argparse
import gc
import importlib.metadata
import json
import resource
import sys
import time


def build_matcher(terms):
    # Lips7/Matcher's Python binding. ProcessType.VARIANT_NORM_DELETE_NORMALIZE (14 =
    # VARIANT_NORM 2 | DELETE 4 | NORMALIZE 8) is its most complete normalisation:
    # VARIANT_NORM is what older releases called FANJIAN (CJK variants, Traditional ->
    # Simplified), DELETE drops punctuation/symbols/separators, NORMALIZE folds width,
    # case and number forms. It is the combined constant its README and type stubs
    # offer. ROMANIZE, ROMANIZE_CHAR and EMOJI_NORM are left out: they are fuzzy
    # (pinyin homophones, emoji names), not normalisation, and change what matches.
    # SimpleMatcher.process(text) is its normal "all matched words" call; it returns
    # each matched word once per text (deduplicated), overlapping words included.
    import matcher_py

    builder = matcher_py.SimpleMatcherBuilder()
    full = matcher_py.ProcessType.VARIANT_NORM_DELETE_NORMALIZE
    for word_id, term in enumerate(terms):
        builder.add_word(full, word_id, term)
    return builder.build().process


def build_daachorse(terms):
    # daac-tools/python-daachorse. The character-wise automaton takes str directly
    # (no encode per line); find_overlapping returns every occurrence, overlaps included
    # (it requires the default MATCH_KIND_STANDARD).
    import daachorse

    return daachorse.CharwiseDoubleArrayAhoCorasick(terms).find_overlapping


def build_ahocorasick_rs(terms):
    # G-Research/ahocorasick_rs (Rust aho-corasick). overlapping=True returns every
    # occurrence; it requires the default MatchKind.Standard.
    import ahocorasick_rs

    find = ahocorasick_rs.AhoCorasick(terms).find_matches_as_indexes
    return lambda text: find(text, True)


# contender -> (distribution name, builder returning a search function: str -> list)
CONTENDERS = {
    "matcher": ("matcher_py", build_matcher),
    "daachorse": ("daachorse", build_daachorse),
    "ahocorasick_rs": ("ahocorasick_rs", build_ahocorasick_rs),
}


def fail(message):
    print(f"peer.py: {message}", file=sys.stderr)
    sys.exit(2)


def read_text(path, what):
    try:
        with open(path, "rb") as f:
            data = f.read()
        return data, data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        fail(f"cannot read {what} {path}: {error}")


def build(contender, terms):
    dist, builder = CONTENDERS[contender]
    try:
        version = importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        fail(f"{dist} is not installed (run setup.sh and use its venv)")
    start = time.process_time()
    search = builder(terms)
    return search, version, time.process_time() - start


def run(contender, dict_path, corpus_path, rounds):
    _, dict_text = read_text(dict_path, "dictionary")
    terms = list(dict.fromkeys(t for t in dict_text.split("\n") if t.strip()))
    if not terms:
        fail(f"dictionary {dict_path} has no terms")
    raw, corpus = read_text(corpus_path, "corpus")
    lines = corpus.split("\n")

    search, version, build_seconds = build(contender, terms)
    times = []
    for _ in range(rounds):
        gc.disable()
        hits = 0
        start = time.process_time()
        for line in lines:
            hits += len(search(line))
        times.append(time.process_time() - start)
        gc.enable()

    print(json.dumps({
        "contender": contender,
        "version": version,
        "rounds": [round(t, 6) for t in times],
        "bytes": len(raw),
        "lines": len(lines),
        "hits": hits,
        "build_seconds": round(build_seconds, 6),
        "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }, ensure_ascii=False))


def shown(found):
    return [getattr(m, "word", m) for m in found]  # matcher's SimpleResult -> its word


def self_test():
    terms = ["最低价", "全网"]
    ok = True
    for contender in CONTENDERS:
        search, version, _ = build(contender, terms)
        found = search("全网最低价")
        print(f"{contender} {version}: {len(found)} matches in 全网最低价: {shown(found)}", file=sys.stderr)
        ok = ok and len(found) > 0
    # matcher must also see through Traditional characters and noise: proof that its
    # full normalisation is on.
    search, _, _ = build("matcher", terms)
    found = search("全網最*低*價")
    print(f"matcher: {len(found)} matches in 全網最*低*價: {shown(found)}", file=sys.stderr)
    ok = ok and len(found) == 2
    print("self-test " + ("passed" if ok else "FAILED"), file=sys.stderr)
    sys.exit(0 if ok else 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("contender", nargs="?", choices=sorted(CONTENDERS))
    parser.add_argument("dict", nargs="?")
    parser.add_argument("corpus", nargs="?")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--self-test", action="store_true",
                        help="check that every contender finds matches, then exit")
    args = parser.parse_args()
    if args.self_test:
        self_test()
    if not (args.contender and args.dict and args.corpus):
        parser.error("CONTENDER, DICT and CORPUS are required")  # exits 2
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    run(args.contender, args.dict, args.corpus, args.rounds)


if __name__ == "__main__":
    main()
