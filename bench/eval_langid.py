"""Accuracy of `xlate.langid.detect` on the SemEval-2022 Task 8 article texts (known languages).

    .venv/bin/python bench/eval_langid.py [--csv PATH] [--limit N]

Every distinct non-empty text of the training pairs is one sample, labelled with its
``lang1``/``lang2`` column.  Accuracy and time are reported reading the whole article, its
first ``xlate.langid.MAX_CHARS`` characters (what detect reads), and its first 300
characters (a paragraph), per language and overall.  Writes bench/results/eval_langid.md.
"""
from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_CSV = ROOT.parent / "shared" / "corpora" / "semeval2022-task8" / "training_set.csv"


def samples(path: Path) -> list[tuple[str, str]]:
    csv.field_size_limit(1 << 30)
    seen: dict[str, str] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for text_key, lang_key in (("text1", "lang1"), ("text2", "lang2")):
                text = (row.get(text_key) or "").strip()
                if text and text not in seen:
                    seen[text] = row[lang_key].strip()
    return [(lang, text) for text, lang in seen.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--limit", type=int, default=0, help="evaluate only the first N texts (0 = all)")
    args = parser.parse_args()
    from xlate import langid

    data = samples(args.csv)
    if args.limit:
        data = data[: args.limit]
    langid.detect("warm up: load the model before timing")
    shipped = langid.MAX_CHARS
    # How much of an article detect reads: all of it, what it reads as shipped, a paragraph.
    variants = [("whole article", None), (f"first {shipped} chars, as shipped", shipped), ("first 300 chars", 300)]
    totals: dict[str, Counter] = {}
    per_lang: dict[str, dict[str, Counter]] = {}
    confusions: Counter = Counter()
    timings: dict[str, float] = {}
    try:
        for name, limit in variants:
            langid.MAX_CHARS = limit if limit is not None else 1 << 40
            t0 = time.perf_counter()
            for gold, text in data:
                pred, _ = langid.detect(text)
                ok = pred == gold
                totals.setdefault(name, Counter()).update({"n": 1, "ok": int(ok)})
                per_lang.setdefault(gold, {}).setdefault(name, Counter()).update({"n": 1, "ok": int(ok)})
                if not ok and limit == shipped:
                    confusions[(gold, pred)] += 1
            timings[name] = time.perf_counter() - t0
    finally:
        langid.MAX_CHARS = shipped
    names = [name for name, _ in variants]
    lines = ["# Language identification on SemEval-2022 Task 8 texts", "",
             f"{len(data)} distinct texts from `{args.csv.name}` (mean {sum(len(t) for _, t in data) / len(data):.0f} chars); "
             "`xlate.langid.detect` (py3langid, normalised probabilities), reading each text three ways.", "",
             "| language | texts | " + " | ".join(f"accuracy ({n})" for n in names) + " |", "|---|---:|" + "---:|" * len(names)]
    for lang in sorted(per_lang):
        row = per_lang[lang]
        lines.append(f"| {lang} | {row[names[0]]['n']} | " + " | ".join(f"{row[n]['ok'] / row[n]['n']:.3f}" for n in names) + " |")
    lines.append(f"| **all** | {totals[names[0]]['n']} | " + " | ".join(f"**{totals[n]['ok'] / totals[n]['n']:.4f}**" for n in names) + " |")
    lines += ["", f"Most frequent errors reading the first {shipped} chars (gold -> predicted): "
              + (", ".join(f"{g}->{pr} x{c}" for (g, pr), c in confusions.most_common(8)) or "none"), "",
              "Time per text: " + "; ".join(f"{n} {1000 * timings[n] / len(data):.2f} ms" for n in names) + "."]
    report = "\n".join(lines) + "\n"
    print(report)
    out = ROOT / "bench" / "results" / "eval_langid.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
