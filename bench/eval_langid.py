"""Accuracy of `xlate.langid.detect` on the SemEval-2022 Task 8 article texts (known languages).

    .venv/bin/python bench/eval_langid.py [--csv PATH] [--limit N]

Every distinct non-empty text of the training pairs is one sample, labelled with its
``lang1``/``lang2`` column.  Accuracy is reported on the whole article and on its first
300 characters (a paragraph), per language and overall.  Writes bench/results/eval_langid.md.
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
    from xlate.langid import detect

    data = samples(args.csv)
    if args.limit:
        data = data[: args.limit]
    t0 = time.perf_counter()
    totals = {"article": Counter(), "300 chars": Counter()}
    per_lang: dict[str, dict[str, Counter]] = {}
    confusions: Counter = Counter()
    for gold, text in data:
        for name, sample in (("article", text), ("300 chars", text[:300])):
            pred, _ = detect(sample)
            ok = pred == gold
            totals[name]["n"] += 1
            totals[name]["ok"] += ok
            per_lang.setdefault(gold, {"article": Counter(), "300 chars": Counter()})[name].update({"n": 1, "ok": int(ok)})
            if not ok and name == "article":
                confusions[(gold, pred)] += 1
    elapsed = time.perf_counter() - t0
    lines = ["# Language identification on SemEval-2022 Task 8 texts", "",
             f"{len(data)} distinct texts from `{args.csv.name}`; `xlate.langid.detect` (py3langid, normalised probabilities).", "",
             "| language | texts | accuracy (article) | accuracy (first 300 chars) |", "|---|---:|---:|---:|"]
    for lang in sorted(per_lang):
        a, p = per_lang[lang]["article"], per_lang[lang]["300 chars"]
        lines.append(f"| {lang} | {a['n']} | {a['ok'] / a['n']:.3f} | {p['ok'] / p['n']:.3f} |")
    a, p = totals["article"], totals["300 chars"]
    lines.append(f"| **all** | {a['n']} | **{a['ok'] / a['n']:.4f}** | **{p['ok'] / p['n']:.4f}** |")
    lines += ["", "Most frequent errors on whole articles (gold -> predicted): "
              + (", ".join(f"{g}->{pr} x{c}" for (g, pr), c in confusions.most_common(8)) or "none"), "",
              f"Time: {elapsed:.1f} s for {2 * len(data)} calls ({1000 * elapsed / max(1, 2 * len(data)):.2f} ms each)."]
    report = "\n".join(lines) + "\n"
    print(report)
    out = ROOT / "bench" / "results" / "eval_langid.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
