"""Glossary term success: every locked term present in the translation, or flagged.

    .venv/bin/python bench/glossary_success.py [--model DIR] [--max-testset 400]

The set: every sentence of the five seed articles, plus newstest2014 and FLORES-200
French sentences that contain a glossary name (seeds/glossary.tsv plus the test-set
names listed in EXTRA below).  Each is translated through `Translator` with the
glossary (Apertium always; Marian too with --model).  For every source term occurrence
we check, independently of the translator's own bookkeeping, whether the locked English
form is in the final English: "present", else "flagged" when the sentence carries a
violation for it, else "silent" (the failure the design must make impossible).  Then
Apertium's BLEU / chrF on the test-set sentences, without and with the glossary.
Writes bench/results/glossary_success.md.
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TESTSETS = ROOT.parent / "shared" / "corpora" / "mt-testsets"

# Names frequent in the news test sets (French variant -> locked English form).
EXTRA = [("Putin", ("Poutine",)), ("Moscow", ("Moscou",)), ("London", ("Londres",)), ("Beijing", ("Pékin",)),
         ("Obama", ("Obama",)), ("Hollande", ("Hollande",)), ("Merkel", ("Merkel",)), ("Snowden", ("Snowden",)),
         ("Syria", ("Syrie",)), ("Germany", ("Allemagne",)), ("Brussels", ("Bruxelles",)), ("Geneva", ("Genève",))]


def build_glossary():
    from xlate.glossary import Glossary, GlossaryEntry

    base = Glossary.load(ROOT / "seeds" / "glossary.tsv")
    extra = [GlossaryEntry(en, variants, "fr", "test-set name", 1000 + i) for i, (en, variants) in enumerate(EXTRA)]
    return Glossary([*base.entries, *extra], source="seeds/glossary.tsv + bench EXTRA")


def build_set(glossary, max_testset: int) -> tuple[list[tuple[str, str]], list[str]]:
    """(origin, French sentence) of every item, and the English references of the test-set
    items (which come last, in order)."""
    from xlate.segment import segment

    items = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for s in segment(text, "fr"):
            if glossary.find(s.text, "fr"):
                items.append((f"seed:{path.stem}", s.text))
    taken = 0
    references = []
    for name, reference in (("newstest2014.fr-en.fra", "newstest2014.fr-en.eng"), ("flores200-devtest.fra", "flores200-devtest.eng")):
        english = (TESTSETS / reference).read_text(encoding="utf-8").split("\n")
        for line, ref in zip((TESTSETS / name).read_text(encoding="utf-8").split("\n"), english):
            if taken < max_testset and line.strip() and glossary.find(line, "fr"):
                items.append((name, line))
                references.append(ref)
                taken += 1
    return items, references


def around_the_names(glossary, items, references) -> str:
    """BLEU / chrF of Apertium on the test-set items, without and with the glossary: what
    locking the names does to the words around them."""
    import sacrebleu

    from xlate.translator import Translator

    sources = [text for _, text in items[len(items) - len(references):]]
    row = []
    for label, locked in (("without the glossary", None), ("with the glossary", glossary)):
        english = [" ".join(p.english for p in a.pairs)
                   for a in Translator("apertium", glossary=locked).translate_many(sources, lang="fr")]
        row.append(f"| {label} | {sacrebleu.corpus_bleu(english, [references]).score:.2f} | "
                   f"{sacrebleu.corpus_chrf(english, [references]).score:.2f} |")
    return "\n".join([f"Apertium on the {len(sources)} test-set sentences (with their references), to see what locking the "
                      "names does to the words around them:", "", "| | BLEU | chrF |", "|---|---:|---:|", *row])


def score(translator, glossary, items) -> tuple[Counter, Counter]:
    from xlate.glossary import _find_surface

    outcome: Counter = Counter()
    by_source: Counter = Counter()
    texts = [text for _, text in items]
    for (origin, _), article in zip(items, translator.translate_many(texts, lang="fr")):
        for pair in article.pairs:
            flagged = Counter(v["expected"] for v in pair.violations)
            wanted = Counter(t["english"] for t in pair.terms)
            taken: list[tuple[int, int]] = []
            for form in sorted(wanted, key=lambda f: (-len(f), f)):
                found = [(s, e) for s, e in _find_surface(pair.english, form, taken) if pair.english[s:e] == form][: wanted[form]]
                taken.extend(found)
                missing = wanted[form] - len(found)
                outcome["present"] += len(found)
                outcome["flagged"] += min(missing, flagged[form])
                outcome["silent"] += max(0, missing - flagged[form])
                by_source[origin.split(":")[0] + (":present" if not missing else ":missing")] += wanted[form]
    return outcome, by_source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--max-testset", type=int, default=400, help="most test-set sentences to include")
    args = parser.parse_args()
    from xlate.translator import Translator

    glossary = build_glossary()
    items, references = build_set(glossary, args.max_testset)
    engines = [("apertium", Translator("apertium", glossary=glossary))]
    if args.model:
        engines.append((f"marian `{Path(args.model).name}`", Translator("marian", model=args.model, glossary=glossary)))
    lines = ["# Glossary term success", "",
             f"{len(items)} sentences ({sum(1 for o, _ in items if o.startswith('seed'))} from the seeds, the rest from "
             f"newstest2014/FLORES with a glossary name); glossary sha256 {glossary.sha256[:8]} ({len(glossary)} entries).", "",
             "| engine | term occurrences | present | flagged (violation) | silent misses | success | present or flagged |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for label, translator in engines:
        outcome, _ = score(translator, glossary, items)
        total = sum(outcome.values())
        lines.append(f"| {label} | {total} | {outcome['present']} | {outcome['flagged']} | {outcome['silent']} | "
                     f"{outcome['present'] / total:.1%} | {(outcome['present'] + outcome['flagged']) / total:.1%} |")
        print(label, dict(outcome), flush=True)
    lines += ["", around_the_names(glossary, items, references)]
    report = "\n".join(lines) + "\n"
    print(report)
    out = ROOT / "bench" / "results" / "glossary_success.md"
    out.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
