"""Cleaner quality: removed-line precision/recall on the hand-labelled seeds and the HTML
test pages, lines lost on 200 real boilerplate-free articles (rpm2-dev), and the lines of
real multilingual scrapes (SemEval-2022, unlabelled) that cue phrases remove, by language
and category, for review (``--list`` prints each of them).

    python bench/eval_cleaner.py [--shared ../shared/corpora] [--list]

Prints a table and writes bench/results/cleaner.md.
"""
from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dedup.clean_eval import score_html_pages, score_line_labels  # noqa: E402
from dedup.cleaner import Cleaner, LineStats  # noqa: E402
from dedup.cues import match_cue  # noqa: E402
from dedup.reader import read_corpus  # noqa: E402


def rpm2_lines_lost(folder: Path) -> tuple[int, int, int, dict]:
    docs = list(read_corpus(folder))
    stats = LineStats()
    for d in docs:
        stats.add(d)
    cleaner = Cleaner(line_stats=stats)
    total = lost = 0
    reasons: dict[str, int] = {}
    for d in docs:
        total += sum(1 for ln in d.text.split("\n") if ln.strip())
        for r in cleaner.clean(d).removed:
            lost += 1
            reasons[r.reason] = reasons.get(r.reason, 0) + 1
    return len(docs), total, lost, reasons


def semeval_texts(path: Path) -> dict[tuple[str, str], str]:
    """(article id, language) -> text of every article of the SemEval-2022 pairs."""
    csv.field_size_limit(1 << 30)
    texts: dict[tuple[str, str], str] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            a, b = row["pair_id"].split("_", 1)
            texts.setdefault((a, row["lang1"]), row["text1"])
            texts.setdefault((b, row["lang2"]), row["text2"])
    return texts


def semeval_lines(texts: dict[tuple[str, str], str]) -> list[str]:
    return [ln for _, text in sorted(texts.items()) for ln in text.split("\n") if ln.strip()]


def semeval_cue_lines(texts: dict[tuple[str, str], str]) -> list[tuple[str, str, str]]:
    """(language, category, line) of every line of the SemEval-2022 texts a cue phrase removes."""
    found = []
    for (_, lang), text in sorted(texts.items()):
        for line in text.split("\n"):
            category = match_cue(line) if line.strip() else None
            if category:
                found.append((lang, category, line.strip()))
    return found


def cue_speed(lines: list[str]) -> str:
    """match_cue per line as shipped (lower-cased line, trigger prefilter) against the same
    cue tables matched the earlier ways, in this process: best of three runs each."""
    import re

    from dedup import cues

    def best(fn) -> float:
        runs = []
        for _ in range(3):
            t0 = time.perf_counter()
            for line in lines:
                fn(line)
            runs.append(time.perf_counter() - t0)
        return min(runs) / len(lines) * 1e6

    ignorecase = re.compile(cues._ALL_PHRASE_CUES.pattern, re.IGNORECASE)
    shipped = best(cues.match_cue)
    saved = cues._PHRASE_TRIGGERS
    cues._PHRASE_TRIGGERS = None
    try:
        no_prefilter = best(cues.match_cue)
    finally:
        cues._PHRASE_TRIGGERS = saved
    def match_ignorecase(line: str):  # match_cue before: no lower-casing, no prefilter
        stripped = line.strip()
        bare = stripped.strip(cues._EDGE_PUNCT).strip()
        m = cues._ALL_LINE_CUES.match(bare) or cues._ALL_LINE_CUES.match(stripped)
        if m is None and len(line.split()) <= cues.MAX_PHRASE_CUE_WORDS:
            m = ignorecase.search(line)
        return m

    old_way = best(match_ignorecase)
    return (f"cue matching over {len(lines):,} real lines (rpm2 + SemEval), us a line: phrase regex with re.IGNORECASE "
            f"{old_way:.1f}; lower-cased line {no_prefilter:.1f}; with the literal prefilter (shipped) {shipped:.1f} "
            f"({old_way / shipped:.1f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default=str(ROOT.parent / "shared" / "corpora"))
    parser.add_argument("--list", action="store_true", help="also print every SemEval line a cue removes")
    args = parser.parse_args()
    rows = []
    seeds = score_line_labels(ROOT / "corpora/cleaner-labels/seeds.jsonl", ROOT / "seeds")
    rows.append(("seeds (plain-text scrapes, hand-labelled lines)", seeds))
    html = score_html_pages(ROOT / "corpora/html")
    rows.append(("HTML pages (fr, en, de, es; corpora/html)", html))
    lines = ["| set | pages | boilerplate lines | removed | precision | recall | article lines | lost |", "|---|---|---|---|---|---|---|---|"]
    for name, s in rows:
        lines.append(f"| {name} | {s.pages} | {s.boilerplate_lines} | {s.removed_lines} | {s.precision:.3f} | {s.recall:.3f} | {s.article_lines} | {s.article_lines_lost} |")
    rpm2 = Path(args.shared) / "rpm2-dev"
    if rpm2.is_dir():
        t0 = time.perf_counter()
        n, total, lost, reasons = rpm2_lines_lost(rpm2)
        dt = time.perf_counter() - t0
        lines.append("")
        lines.append(f"rpm2-dev (no boilerplate; every line is article text): {n} articles, {total} lines, "
                     f"{lost} removed ({lost / total:.2%}) {reasons or ''}; {n / dt:.0f} articles/s incl. reading")
    speed_lines = [ln for d in read_corpus(rpm2) for ln in d.text.split("\n") if ln.strip()] if rpm2.is_dir() else []
    semeval = Path(args.shared) / "semeval2022-task8" / "training_set.csv"
    if semeval.is_file():
        texts = semeval_texts(semeval)  # read once, for the cue review and the timing
        found = semeval_cue_lines(texts)
        by_lang = Counter(lang for lang, _, _ in found)
        by_category = Counter(category for _, category, _ in found)
        lines.append("")
        lines.append(f"SemEval-2022 scrapes (unlabelled, 10 languages): {len(found)} lines removed by cue phrases; "
                     f"by language {dict(sorted(by_lang.items()))}; by category {dict(sorted(by_category.items()))} "
                     "(each reviewed by hand: `--list`)")
        speed_lines += semeval_lines(texts)
        if args.list:
            for lang, category, line in found:
                print(f"{lang}\t{category}\t{line[:160]}")
    if speed_lines:
        lines.append("")
        lines.append(cue_speed(speed_lines))
    table = "\n".join(lines)
    print(table)
    (ROOT / "bench/results").mkdir(parents=True, exist_ok=True)
    (ROOT / "bench/results/cleaner.md").write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
