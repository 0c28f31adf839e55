"""Accuracy of `dedup.langid.detect` on the SemEval-2022 Task 8 article texts (known languages).

    .venv/bin/python bench/eval_langid.py [--csv PATH] [--limit N]

Every distinct non-empty text of the training pairs is one sample, labelled with its
``lang1``/``lang2`` column.  Accuracy and time are reported reading the whole article, its
first ``dedup.langid.MAX_CHARS`` characters (what detect reads), and its first 300
characters (a paragraph), per language and overall, identifying the texts in batches
(`detect_many`, as `xlate cluster` does).  At the shipped length the scorer is then
compared with py3langid's own ``classify`` (the baseline, in the same process): same
languages, largest probability difference, time per text one by one and in batches.
Writes bench/results/eval_langid.md.
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


def compare_with_py3langid(texts: list[str], chars: int) -> dict:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from dedup import langid

    reference = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    samples_ = [t[:chars] for t in texts]
    times = {}
    t0 = time.perf_counter()
    expected = [reference.classify(t) for t in samples_]
    times["py3langid classify, one by one"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    alone = [langid.detect(t) for t in texts]
    times["dedup.langid.detect, one by one"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    batched = langid.detect_many(texts)
    times[f"dedup.langid.detect_many, batches of {langid.BATCH}"] = time.perf_counter() - t0
    if alone != batched:
        raise SystemExit("detect and detect_many disagree: a batch changed an answer")
    same = sum(a == e for (a, _), (e, _) in zip(batched, expected))
    max_diff = max(abs(p - float(q)) for (_, p), (_, q) in zip(batched, expected))
    return {"same": same, "max_diff": max_diff, "times": times}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--limit", type=int, default=0, help="evaluate only the first N texts (0 = all)")
    args = parser.parse_args()
    from dedup import langid

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
    answers: dict[str, list[str]] = {}
    try:
        for name, limit in variants:
            langid.MAX_CHARS = limit if limit is not None else 1 << 40
            t0 = time.perf_counter()
            found = langid.detect_many([text for _, text in data])
            timings[name] = time.perf_counter() - t0
            answers[name] = [lang for lang, _ in found]
            for (gold, _), (pred, _) in zip(data, found):
                ok = pred == gold
                totals.setdefault(name, Counter()).update({"n": 1, "ok": int(ok)})
                per_lang.setdefault(gold, {}).setdefault(name, Counter()).update({"n": 1, "ok": int(ok)})
                if not ok and limit == shipped:
                    confusions[(gold, pred)] += 1
    finally:
        langid.MAX_CHARS = shipped
    scorer = compare_with_py3langid([text for _, text in data], shipped)
    names = [name for name, _ in variants]
    lines = ["# Language identification on SemEval-2022 Task 8 texts", "",
             f"{len(data)} distinct texts from `{args.csv.name}` (mean {sum(len(t) for _, t in data) / len(data):.0f} chars); "
             "`dedup.langid.detect_many` (py3langid's model, normalised probabilities), reading each text three ways.", "",
             "| language | texts | " + " | ".join(f"accuracy ({n})" for n in names) + " |", "|---|---:|" + "---:|" * len(names)]
    for lang in sorted(per_lang):
        row = per_lang[lang]
        lines.append(f"| {lang} | {row[names[0]]['n']} | " + " | ".join(f"{row[n]['ok'] / row[n]['n']:.3f}" for n in names) + " |")
    lines.append(f"| **all** | {totals[names[0]]['n']} | " + " | ".join(f"**{totals[n]['ok'] / totals[n]['n']:.4f}**" for n in names) + " |")
    lines += ["", f"Most frequent errors reading the first {shipped} chars (gold -> predicted): "
              + (", ".join(f"{g}->{pr} x{c}" for (g, pr), c in confusions.most_common(8)) or "none"), "",
              "Texts answered otherwise than reading the whole article: " + "; ".join(
                  f"{n} {sum(a != w for a, w in zip(answers[n], answers[names[0]]))}" for n in names[1:]) + ".", "",
              "Time per text (batches): " + "; ".join(f"{n} {1000 * timings[n] / len(data):.3f} ms" for n in names) + ".", "",
              f"## The scorer against py3langid's `classify` (first {shipped} chars, same process)", "",
              f"Same language for {scorer['same']} of {len(data)} texts; largest probability difference "
              f"{scorer['max_diff']:.1e} (py3langid sums a text's features in the order met, `dedup.langid` in "
              "feature order, so a text gets one answer alone or in any batch).", "",
              "| how | ms per text | vs py3langid |", "|---|---:|---:|"]
    base = scorer["times"]["py3langid classify, one by one"]
    lines += [f"| {name} | {1000 * t / len(data):.3f} | {base / t:.2f}x |" for name, t in scorer["times"].items()]
    report = "\n".join(lines) + "\n"
    print(report)
    out = ROOT / "bench" / "results" / "eval_langid.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
