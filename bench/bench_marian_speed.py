"""Speed of the Marian path on the full-size opus-mt-fr-en architecture, random weights.

    .venv/bin/python bench/bench_marian_speed.py [--sentences 64] [--length 32] [--threads 2] [--beams 4,1]

The model is opus-mt-fr-en's shape (d_model 512, 6+6 layers, 8 heads, FFN 2048, vocab
59514, 512 positions) with random weights from a fixed seed, built by
tests/marian_fixture.build_marian, so it runs offline; every method is forced to emit
exactly ``--length`` tokens per sentence, so tokens/s compare like for like.  Sources are
the first newstest2014 French sentences.  In one process, per beam size:

  1. transformers `generate`, one sentence at a time (fp32)            - the baseline
  2. transformers `generate`, batches of 32 in input order (fp32)
  3. xlate MarianEngine (length-sorted batches of 32, inference_mode)
  4. xlate CTranslate2Engine float32 and int8 (default backend; CT2_USE_MKL is not set)

Ratios are against method 1 and method 2.  Quality guard: the outputs of 3 and CT2
float32 are compared with method 2 (identical share), and for int8 the share of
sentences whose output changes is reported.  Writes bench/results/bench_marian_speed.md.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SOURCE = ROOT.parent / "shared" / "corpora" / "mt-testsets" / "newstest2014.fr-en.fra"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=64)
    parser.add_argument("--single", type=int, default=16, help="sentences for the one-at-a-time baseline (it is slow)")
    parser.add_argument("--length", type=int, default=32, help="tokens generated per sentence")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--beams", default="4,1")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--workdir", type=Path, default=None, help="where to build the model (default: a temp folder)")
    args = parser.parse_args()

    import ctranslate2
    import torch
    import transformers

    torch.set_num_threads(args.threads)
    from tests.marian_fixture import build_marian
    from xlate.engines.ctranslate2 import CTranslate2Engine
    from xlate.engines.marian import MarianEngine

    work = args.workdir or Path(tempfile.mkdtemp(prefix="xlate-speed-"))
    model_dir = work / "opus-mt-fr-en-random"
    if not (model_dir / "config.json").is_file():
        build_marian(model_dir, d_model=512, layers=6, heads=8, ffn=2048, max_positions=512, vocab_size=59514, seed=0)
    sources = [s for s in SOURCE.read_text(encoding="utf-8").split("\n") if s.strip()][: args.sentences]
    L = args.length
    rows = []
    quality = []
    for beam in [int(b) for b in args.beams.split(",")]:
        common = dict(device=args.device, beam=beam, batch_size=args.batch, max_length=L, min_new_tokens=L)
        engine = MarianEngine(model_dir, **common)
        tokenizer, model = engine.load("fr")

        def generate(batch: list[str]) -> list[str]:
            enc = tokenizer(batch, return_tensors="pt", padding=True).to(model.device)
            with torch.no_grad():
                out = model.generate(**enc, num_beams=beam, max_new_tokens=L, min_new_tokens=L, do_sample=False)
            return tokenizer.batch_decode(out, skip_special_tokens=True)

        generate(sources[:2])  # warm-up
        t0 = time.perf_counter()
        single = [generate([s])[0] for s in sources[: args.single]]
        t_single = time.perf_counter() - t0
        base_tps = args.single * L / t_single

        t0 = time.perf_counter()
        batched = []
        for i in range(0, len(sources), args.batch):
            batched.extend(generate(sources[i:i + args.batch]))
        t_batched = time.perf_counter() - t0
        batched_tps = len(sources) * L / t_batched

        t0 = time.perf_counter()
        ours = engine.translate_batch(sources, "fr")
        t_ours = time.perf_counter() - t0

        results = [("transformers generate, 1 at a time (fp32)", base_tps, None),
                   (f"transformers generate, batch {args.batch} (fp32)", batched_tps, None),
                   (f"xlate MarianEngine (sorted batches of {args.batch}, fp32)", len(sources) * L / t_ours, ours)]
        for compute_type in ("float32", "int8"):
            ct2 = CTranslate2Engine(model_dir, compute_type=compute_type, threads=args.threads, convert_dir=work / "ct2", **common)
            ct2.translate_batch(sources[:2], "fr")  # conversion + load + warm-up
            t0 = time.perf_counter()
            out = ct2.translate_batch(sources, "fr")
            results.append((f"CTranslate2 {compute_type} (batch {args.batch}, {args.threads} threads)",
                            len(sources) * L / (time.perf_counter() - t0), out))
        same_single = sum(a == b for a, b in zip(single, batched)) / len(single)
        quality.append((beam, "transformers 1-at-a-time vs batched", f"{same_single:.1%} identical"))
        for label, tps, out in results:
            rows.append((beam, label, tps, tps / base_tps, tps / batched_tps))
            if out is not None:
                same = sum(a == b for a, b in zip(out, batched)) / len(out)
                text = f"{same:.1%} identical" if "int8" not in label else f"{1 - same:.1%} of sentences change"
                quality.append((beam, label, text))
        print(f"beam {beam} done", flush=True)

    lines = ["# Marian speed, full-size opus-mt-fr-en architecture with random weights", "",
             f"{len(sources)} newstest2014 sentences ({args.single} for the one-at-a-time baseline), {L} tokens generated "
             f"per sentence, {args.threads} threads, device {args.device}; torch {torch.__version__}, transformers "
             f"{transformers.__version__}, ctranslate2 {ctranslate2.__version__}, CT2_USE_MKL={os.environ.get('CT2_USE_MKL', 'unset')}.", "",
             "| beam | method | tokens/s | x vs 1-at-a-time | x vs batched fp32 |", "|---:|---|---:|---:|---:|"]
    for beam, label, tps, r1, r2 in rows:
        lines.append(f"| {beam} | {label} | {tps:.0f} | {r1:.2f} | {r2:.2f} |")
    lines += ["", "Quality guard (outputs compared with transformers batched fp32 on the same sentences):", "",
              "| beam | method | outputs |", "|---:|---|---|"]
    for beam, label, text in quality:
        lines.append(f"| {beam} | {label} | {text} |")
    report = "\n".join(lines) + "\n"
    print(report)
    out = ROOT / "bench" / "results" / "bench_marian_speed.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
