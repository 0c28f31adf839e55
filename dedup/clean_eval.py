"""Measure the cleaner against hand labels (used by tests and `bench/eval_cleaner.py`).

Two label formats, both under ``corpora/``:
- line labels (``cleaner-labels/seeds.jsonl``): one JSON object per non-blank line of a
  plain-text page: ``{"id", "line", "label": "keep"|"remove", "text"}``;
- HTML page labels (``html/labels.json``): per page, the article paragraphs that must be
  kept and the boilerplate texts that must be removed.
Scores are about removed lines: precision = removed lines that are boilerplate / removed
lines; recall = boilerplate lines removed / boilerplate lines.  ``article_lines_lost``
counts kept-labelled lines the cleaner dropped: the number that must stay at zero.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from dedup.cleaner import Cleaner, LineStats
from dedup.document import Document
from dedup.reader import read_corpus


@dataclass(frozen=True)
class CleanScore:
    pages: int
    boilerplate_lines: int
    removed_lines: int
    correctly_removed: int
    article_lines: int
    article_lines_lost: int

    @property
    def precision(self) -> float:
        return self.correctly_removed / self.removed_lines if self.removed_lines else 1.0

    @property
    def recall(self) -> float:
        return self.correctly_removed / self.boilerplate_lines if self.boilerplate_lines else 1.0

    def to_json(self) -> dict:
        return {**self.__dict__, "precision": round(self.precision, 4), "recall": round(self.recall, 4)}


def score_line_labels(labels_path: str | Path, corpus: str | Path) -> CleanScore:
    labels: dict[tuple[str, int], str] = {}
    with open(labels_path, encoding="utf-8") as fh:
        for line in fh:
            item = json.loads(line)
            labels[(item["id"], item["line"])] = item["label"]
    docs = [d for d in read_corpus(corpus) if any(k[0] == d.id for k in labels)]
    stats = LineStats()
    for doc in docs:
        stats.add(doc)
    cleaner = Cleaner(line_stats=stats)
    removed_total = correct = lost = 0
    for doc in docs:
        removed = {r.line_no for r in cleaner.clean(doc).removed}
        for line_no in removed:
            removed_total += 1
            correct += labels.get((doc.id, line_no)) == "remove"
        lost += sum(1 for (i, n), lab in labels.items() if i == doc.id and lab == "keep" and n in removed)
    boiler = sum(1 for lab in labels.values() if lab == "remove")
    return CleanScore(len(docs), boiler, removed_total, correct, len(labels) - boiler, lost)


def score_html_pages(folder: str | Path) -> CleanScore:
    folder = Path(folder)
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    boiler = removed_ok = kept_total = lost = removed_total = 0
    for name, label in sorted(labels.items()):
        doc = Document(id=name, text=(folder / f"{name}.html").read_text(encoding="utf-8"), format="html")
        result = Cleaner().clean(doc)
        kept_lines = {ln.strip() for ln in result.text.split("\n") if ln.strip()}
        removed_texts = [r.text for r in result.removed]
        kept_total += len(label["keep"])
        lost += sum(1 for para in label["keep"] if para not in kept_lines)
        boiler += len(label["remove"])
        gone = [b for b in label["remove"] if not any(b in ln for ln in kept_lines)]
        removed_ok += len(gone)
        # a removed line that is one of the article's paragraphs is a false removal
        wrong = sum(1 for t in removed_texts if t in label["keep"])
        removed_total += len(gone) + wrong
    return CleanScore(len(labels), boiler, removed_total, removed_ok, kept_total, lost)
