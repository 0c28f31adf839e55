"""Build a small, realistic OUT folder by hand, in the layout `xlate run` writes.

Used by the report, diff and browser tests so they run without any translation engine.
Two French reports of the EU-Central Asia ministerial in Ashgabat share one cluster (one
id has a sub-folder, one sentence has a glossary violation); a singleton carries hostile
text (script tags, attribute breakouts, a javascript: URL) everywhere a string can go.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from xlate.outputs import article_path

ID_A = "europeantimes/000_ashgabat"
ID_B = "eeas_002"
ID_HOSTILE = 'misc/piège "<b>id</b>"'

HOSTILE_SCRIPT = '<script>document.title="pwned";window.__pwned=1</script>'
HOSTILE_IMG = '"><img src=x onerror="window.__pwned=2">'

GLOSSARY_A = "fr\ten\nAchgabat\tAshgabat\nKaja Kallas\tKaja Kallas\nSamarcande\tSamarkand\n"


def _term(sentence: str, source: str, english: str) -> dict:
    start = sentence.index(source)
    return {"source": source, "english": english, "start": start, "end": start + len(source)}


def _sentences(rows: list[tuple[str, str, list[tuple[str, str]], list[dict]]], engine: str) -> list[dict]:
    out, offset = [], 0
    for index, (source, english, terms, violations) in enumerate(rows):
        out.append({
            "index": index, "source": source, "english": english, "start": offset, "end": offset + len(source),
            "engine": engine, "terms": [_term(source, s, e) for s, e in terms], "violations": violations,
        })
        offset += len(source) + 1
    return out


def article_rows(variant: str) -> dict[str, list]:
    """Sentence rows per article id; variant "b" is a second run with another engine."""
    a_first = ("The European Union and the five Central Asian countries reaffirmed their commitment at the 20th "
               "EU-Central Asia ministerial meeting in Ashgabat." if variant == "a" else
               "The EU and the five countries of Central Asia reaffirmed their commitment at the 20th "
               "EU-Central Asia ministerial meeting in Ashgabat.")
    rows = {
        ID_A: [
            ("L'Union européenne et les cinq pays d'Asie centrale ont réaffirmé leur engagement lors de la 20e "
             "réunion ministérielle UE-Asie centrale à Achgabat.", a_first, [("Achgabat", "Ashgabat")], []),
            ("La réunion était présidée par Kaja Kallas, Haute Représentante de l'UE.",
             "The meeting was chaired by Kaja Kallas, EU High Representative.", [("Kaja Kallas", "Kaja Kallas")], []),
            ("Les ministres ont discuté de la connectivité et de l'énergie.",
             "The ministers discussed connectivity and energy.", [], []),
            ("Le prochain sommet aura lieu à Samarcande.", "The next summit will take place in Samarkand.",
             [("Samarcande", "Samarkand")], []),
        ],
        ID_B: [
            ("Le 27 mars, Kaja Kallas a présidé à Achgabat la 20e réunion ministérielle UE-Asie centrale.",
             "On 27 March, Kaja Kallas chaired the 20th EU-Central Asia ministerial meeting in Asgabat.",
             [("Kaja Kallas", "Kaja Kallas"), ("Achgabat", "Ashgabat")],
             [{"term": "Achgabat", "expected": "Ashgabat", "reason": "locked term missing from the translation"}]
             if variant == "a" else []),
            ("Les ministres ont discuté de la connectivité et de l'énergie.",
             "The ministers discussed connectivity and energy.", [], []),
            ("Un protocole d'accord sur les matières premières critiques a été signé.",
             "A memorandum of understanding on critical raw materials was signed.", [], []),
        ],
        ID_HOSTILE: [
            (f"Texte piégé {HOSTILE_SCRIPT} fin.", f"Trapped text {HOSTILE_SCRIPT} end.", [], []),
            (f"Attribut {HOSTILE_IMG} cassé.", f"Broken {HOSTILE_IMG} attribute.", [], []),
        ],
    }
    if variant == "b":
        # The second run fixed the violation and no longer sees the hostile article.
        rows[ID_B][0] = (rows[ID_B][0][0], "On 27 March, Kaja Kallas chaired the 20th EU-Central Asia ministerial "
                         "meeting in Ashgabat.", rows[ID_B][0][2], [])
        del rows[ID_HOSTILE]
    return rows


def build_out_folder(out: Path, variant: str = "a") -> Path:
    """Write the OUT folder of run ``variant`` ("a" or "b") into ``out`` and return it."""
    from xlate.xliff import write_xliff

    engine = "apertium-3.8" if variant == "a" else "marian-opus-mt-fr-en"
    glossary_text = GLOSSARY_A if variant == "a" else GLOSSARY_A.replace("Samarcande\tSamarkand", "Samarcande\tSamarqand")
    gl_sha = hashlib.sha256(glossary_text.encode()).hexdigest()
    signature = f"xlate:0.1.0|engine:{engine}|gl:{gl_sha[:8]}|clean:1a2b3c4d|cluster:v1"
    rows = article_rows(variant)
    if variant == "b":
        rows[ID_A][3] = (rows[ID_A][3][0], "The next summit will take place in Samarqand.", [("Samarcande", "Samarqand")], [])
    out.mkdir(parents=True, exist_ok=True)
    (out / "glossary.tsv").write_text(glossary_text, encoding="utf-8")
    meta = {
        ID_A: {"title": "UE-Asie centrale : 20e réunion ministérielle à Achgabat", "source": "europeantimes.news",
               "url": "https://europeantimes.news/fr/2025/03/ue-asie-centrale/", "published": "2025-03-28"},
        ID_B: {"title": "Réunion ministérielle UE-Asie centrale à Achgabat", "source": "eeas.europa.eu",
               "url": "https://www.eeas.europa.eu/ashgabat-2025", "published": "2025-03-27"},
        ID_HOSTILE: {"title": "<script>window.__pwned=4</script>Titre piégé", "source": '"><svg onload="window.__pwned=6">',
                     "url": "javascript:window.__pwned=5", "published": None},
    }
    removed = {
        ID_A: [{"line": 1, "text": "14.5 C", "reason": "weather widget"},
               {"line": 9, "text": "- Publicité -spot_img", "reason": "advertising"}],
        ID_B: [{"line": 2, "text": "Partager sur Facebook", "reason": "share buttons"}],
        ID_HOSTILE: [{"line": 3, "text": "<script>window.__pwned=3</script>", "reason": "script <b>tag</b>"}],
    }
    documents = []
    for doc_id in sorted(rows):
        sentences = _sentences(rows[doc_id], engine)
        path = article_path(out, doc_id, "jsonl")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in sentences), encoding="utf-8")
        write_xliff(article_path(out, doc_id, "xlf"), doc_id, sentences, "fr", {"article": doc_id, "signature": signature})
        cleaned = article_path(out, doc_id, "txt", "cleaned")
        cleaned.parent.mkdir(parents=True, exist_ok=True)
        cleaned.write_text("\n".join(s["source"] for s in sentences) + "\n", encoding="utf-8")
        rem = article_path(out, doc_id, "jsonl", "removed")
        rem.parent.mkdir(parents=True, exist_ok=True)
        rem.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in removed[doc_id]), encoding="utf-8")
        record = {"id": doc_id, "lang": "fr", "lang_confidence": 0.9987, **{k: v for k, v in meta[doc_id].items() if v},
                  "path": f"{doc_id}.txt", "format": "txt", "sentences": len(sentences),
                  "violations": sum(len(s["violations"]) for s in sentences), "removed": len(removed[doc_id])}
        record["cluster"] = "c0001" if doc_id in (ID_A, ID_B) else "c0002"
        documents.append(record)
    (out / "documents.jsonl").write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in documents), encoding="utf-8")
    clusters = [{"cluster": "c0001", "members": [ID_A, ID_B], "representative": ID_A, "size": 2,
                 "links": [{"a": ID_A, "b": ID_B, "score": 0.6123,
                            "reasons": {"minhash": 0.41, "entities": ["Achgabat", "Kaja Kallas"], "date_gap_days": 1}}]}]
    if ID_HOSTILE in rows:
        clusters.append({"cluster": "c0002", "members": [ID_HOSTILE], "representative": ID_HOSTILE, "size": 1, "links": []})
    (out / "clusters.jsonl").write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in clusters), encoding="utf-8")
    errors = [{"file": "broken<script>.txt", "line": None, "reason": "not UTF-8 and no charset detected", "stage": "read"}] if variant == "a" else []
    (out / "errors.jsonl").write_text("".join(json.dumps(e) + "\n" for e in errors), encoding="utf-8")
    run = {
        "version": "0.1.0", "signature": signature,
        "engine": {"name": engine.split("-")[0], "version": engine},
        "glossary": {"path": str(out / "glossary.tsv"), "sha256": gl_sha, "entries": 3},
        "config": {"engine": engine.split("-")[0], "beam": 1 if variant == "a" else 4},
        "cluster": {"threshold": 0.5, "num_perm": 128},
        "counts": {"articles": len(documents), "clusters": len(clusters)}, "failures": [],
    }
    (out / "run.json").write_text(json.dumps(run, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return out
