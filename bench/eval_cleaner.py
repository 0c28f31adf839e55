"""Cleaner quality: removed-line precision/recall on the hand-labelled seeds and the HTML
test pages, plus lines lost on 200 real boilerplate-free articles (rpm2-dev).

    python bench/eval_cleaner.py [--shared ../shared/corpora]

Prints a table and writes bench/results/cleaner.md.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dedup.clean_eval import score_html_pages, score_line_labels  # noqa: E402
from dedup.cleaner import Cleaner, LineStats  # noqa: E402
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default=str(ROOT.parent / "shared" / "corpora"))
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
    table = "\n".join(lines)
    print(table)
    (ROOT / "bench/results").mkdir(parents=True, exist_ok=True)
    (ROOT / "bench/results/cleaner.md").write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
