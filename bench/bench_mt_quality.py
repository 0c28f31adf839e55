"""BLEU and chrF (sacrebleu) of the translation engines on the local fr->en test sets.

    .venv/bin/python bench/bench_mt_quality.py [--subset N] [--model DIR [--ct2]] [--sets newstest2014,flores200-devtest]

Apertium always runs (it is the offline engine), also timed in calls of several sizes
(each call starts its processes: `ApertiumEngine.sentences_per_call`); Marian runs when ``--model`` names a
folder or cached hub id, and CTranslate2 int8 on the same model with ``--ct2``.  Each
engine translates the source lines as they are (one sentence per line, no glossary) in
batches, exactly as `Translator` calls it.  ``--subset N`` takes the first N lines (quick
check); the README numbers come from a full run.  Writes bench/results/bench_mt_quality.md.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TESTSETS = ROOT.parent / "shared" / "corpora" / "mt-testsets"
SETS = {"newstest2014": ("newstest2014.fr-en.fra", "newstest2014.fr-en.eng"),
        "flores200-devtest": ("flores200-devtest.fra", "flores200-devtest.eng")}


def read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").rstrip("\n").split("\n")


def run_engine(engine, sources: list[str], chunk: int | None = None) -> tuple[list[str], float]:
    """Translate in calls of ``chunk`` sentences; by default the engine's own call size, as
    `Translator` uses it (4 x batch_size 32 when the engine states none)."""
    chunk = chunk or engine.sentences_per_call or 128
    t0 = time.perf_counter()
    out: list[str] = []
    for i in range(0, len(sources), chunk):
        out.extend(engine.translate_batch(sources[i:i + chunk], "fr"))
    return out, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subset", type=int, default=0, help="first N lines of each set (0 = all)")
    parser.add_argument("--model", default=None, help="Marian model folder or hub id to score as well")
    parser.add_argument("--ct2", action="store_true", help="also score CTranslate2 int8 on --model")
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--testsets", type=Path, default=TESTSETS)
    args = parser.parse_args()

    import sacrebleu

    from xlate.engines.apertium import ApertiumEngine

    engines = [("apertium", ApertiumEngine())]
    if args.model:
        from xlate.engines.marian import MarianEngine

        engines.append(("marian", MarianEngine(args.model)))
        if args.ct2:
            from xlate.engines.ctranslate2 import CTranslate2Engine

            engines.append(("ctranslate2-int8", CTranslate2Engine(args.model, compute_type="int8")))
    rows = []
    for set_name in args.sets.split(","):
        src_name, ref_name = SETS[set_name]
        sources = read_lines(args.testsets / src_name)
        refs = read_lines(args.testsets / ref_name)
        if len(sources) != len(refs):
            raise SystemExit(f"{set_name}: {len(sources)} source lines vs {len(refs)} reference lines")
        if args.subset:
            sources, refs = sources[: args.subset], refs[: args.subset]
        for label, engine in engines:
            hyps, seconds = run_engine(engine, sources)
            bleu = sacrebleu.corpus_bleu(hyps, [refs])
            chrf = sacrebleu.corpus_chrf(hyps, [refs])
            rows.append((set_name, label, len(sources), bleu.score, chrf.score, seconds, engine.signature_for("fr")))
            print(f"{set_name:18} {label:18} n={len(sources):5} BLEU {bleu.score:5.1f} chrF {chrf.score:5.1f} {seconds:6.1f}s", flush=True)

    # Apertium's time against the sentences handed over per call (the same output each time).
    apertium = engines[0][1]
    call_rows = []
    if "newstest2014" in args.sets.split(","):
        sources = read_lines(args.testsets / SETS["newstest2014"][0])[: args.subset or None]
        reference_out = None
        for chunk in (128, 512, 1024, len(sources)):
            out, seconds = run_engine(apertium, sources, chunk)
            reference_out = reference_out or out
            call_rows.append((chunk, seconds, out == reference_out))
            print(f"apertium calls of {chunk:5}: {seconds:6.1f}s", flush=True)

    base = {s: b for s, label, _, b, *_ in rows if label == "apertium"}
    lines = ["# MT quality on local fr->en test sets (sacrebleu " + sacrebleu.__version__ + ")", "",
             f"Lines per set: {'first ' + str(args.subset) if args.subset else 'all'}. Default sacrebleu settings "
             "(13a tokenisation, chrF n=6). Ratio = BLEU / Apertium BLEU on the same set, same run.", "",
             "| set | engine | lines | BLEU | chrF | BLEU ratio vs apertium | seconds | sentences/s | signature |",
             "|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for set_name, label, n, bleu, chrf, seconds, sig in rows:
        ratio = bleu / base[set_name] if base.get(set_name) else float("nan")
        sig = sig.replace("|", "\\|")  # inside a markdown table cell
        lines.append(f"| {set_name} | {label} | {n} | {bleu:.1f} | {chrf:.1f} | {ratio:.2f} | {seconds:.1f} | {n / seconds:.0f} | `{sig}` |")
    if call_rows:
        slowest = call_rows[0][1]
        lines += ["", f"Apertium on newstest2014 ({len(sources)} lines) by sentences per call (each call starts both "
                  f"stages' processes; the engine uses {apertium.sentences_per_call}):", "",
                  "| sentences per call | seconds | sentences/s | speed vs 128 | same output |", "|---:|---:|---:|---:|---|"]
        lines += [f"| {chunk} | {seconds:.1f} | {len(sources) / seconds:.0f} | {slowest / seconds:.2f}x | {same} |"
                  for chunk, seconds, same in call_rows]
    report = "\n".join(lines) + "\n"
    print(report)
    out = ROOT / "bench" / "results" / "bench_mt_quality.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
