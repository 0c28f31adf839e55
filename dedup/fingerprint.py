"""Compact per-article fingerprints: content MinHash + event signature + keywords + title/lead.

A `Fingerprint` is all clustering keeps of an article (a few hundred bytes plus interned
strings), so a million articles stream through without their texts in memory.

MinHash is computed in batches: the text is folded, encoded to bytes, and every
*word-anchored character shingle* (``shingle_chars`` bytes starting at a word start) is
hashed in numpy from 8-byte words of the buffer, then rensa's Rust MinHash turns the flat
hash buffer into the digest matrix.  No Python object per shingle is ever built, which is
what bounded the per-shingle and string-shingle paths (see bench/bench_cluster_speed.py).
"""
from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import xxhash

from .config import ClusterConfig
from .entities import _STOP, AliasTable, extract, fold_text
from .errors import ArticleTypeError

__all__ = ["Fingerprint", "ArticleInput", "fingerprint_batch", "minhash_matrix", "as_input", "keyword_key", "KEYWORD_PREFIX"]

_WORD = re.compile(r"\w+")
_LEAD_CHARS = 240  # title + lead, compared by character trigrams (verify.lead_similarity)


@dataclass(frozen=True, slots=True)
class ArticleInput:
    """The parts of an article clustering reads (a Document, CleanDocument or plain text)."""

    id: str
    text: str
    title: str | None = None
    published: str | None = None  # the article's own date (its metadata): far apart = other events
    lang: str | None = None
    # A date read off the page's text (a removed date stamp, which may be the site's date
    # of the day it was scraped): it only gives year-less mentions ("27 mars") their year.
    date_hint: str | None = None

    def __reduce__(self):
        # Pickled as a plain constructor call (batches go to spawned workers): the slots
        # dataclass default (__getstate__ in Python) costs several times more.
        return (ArticleInput, (self.id, self.text, self.title, self.published, self.lang, self.date_hint))


@dataclass(frozen=True, slots=True, init=False)
class Fingerprint:
    """What clustering keeps of an article.  Names and keywords are stored as two columns
    each (words, counts): a parent process rebuilds them from its workers' flat lists with
    two slices, where (word, count) tuples had to be looked up one by one to be shared.
    ``entities`` and ``keywords`` give the (word, count) pairs."""

    id: str
    minhash: np.ndarray  # uint32[num_perm]
    entity_names: tuple[str, ...]  # sorted
    entity_counts: tuple[int, ...]
    dates: tuple[str, ...]
    numbers: tuple[str, ...]
    keyword_words: tuple[str, ...]  # sorted
    keyword_counts: tuple[int, ...]
    lead: str  # distinct words of the folded title + start of the text, sorted
    lang: str | None
    published: str | None
    length: int  # characters of cleaned text
    embedding: np.ndarray | None  # float16[384] title+lead (ClusterConfig.embeddings)

    def __init__(
        self, id: str, minhash: np.ndarray, entities, dates: tuple[str, ...], numbers: tuple[str, ...], keywords,
        lead: str, lang: str | None, published: str | None, length: int, embedding: np.ndarray | None = None,
    ):
        _fill(self, (id, minhash, *_columns(entities), dates, numbers, *_columns(keywords), lead, lang, published, length, embedding))

    @property
    def entities(self) -> tuple[tuple[str, int], ...]:
        return tuple(zip(self.entity_names, self.entity_counts))

    @property
    def keywords(self) -> tuple[tuple[str, int], ...]:
        return tuple(zip(self.keyword_words, self.keyword_counts))

    def __reduce__(self):
        return (_fingerprint_of_fields, tuple(getattr(self, name) for name in _FINGERPRINT_FIELDS))


_FINGERPRINT_FIELDS = tuple(Fingerprint.__dataclass_fields__)
_SETTERS = tuple(Fingerprint.__dict__[name].__set__ for name in _FINGERPRINT_FIELDS)  # slot descriptors


def _columns(pairs) -> tuple[tuple, tuple]:
    """(words, counts) of (word, count) pairs."""
    return tuple(zip(*pairs)) if pairs else ((), ())  # type: ignore[return-value]


def _fill(fp: Fingerprint, values: tuple) -> None:
    for set_field, value in zip(_SETTERS, values):
        set_field(fp, value)


def _fingerprint_of_fields(*values) -> Fingerprint:
    """A `Fingerprint` from its stored fields, in `_FINGERPRINT_FIELDS` order."""
    fp = object.__new__(Fingerprint)
    _fill(fp, values)
    return fp


def as_input(item, text: str | None = None) -> ArticleInput:
    """Normalise a Document / CleanDocument / (id, text) into an `ArticleInput`."""
    if isinstance(item, ArticleInput):
        return item
    if text is not None:
        return ArticleInput(id=str(item), text=text)
    # CleanDocument: has .doc; Document: has .text and .id.  Duck-typed so dedup's
    # clustering does not care which stage produced the article.
    doc = getattr(item, "doc", None)
    if doc is not None:
        return _checked_input(
            item.id, item.text, title=item.title, published=item.published or doc.published, lang=doc.lang,
            date_hint=getattr(item, "date_stamp", None),
        )
    if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], str):
        return ArticleInput(id=str(item[0]), text=item[1])  # (id, text), as dict.items() gives
    if not isinstance(getattr(item, "text", None), str) or getattr(item, "id", None) is None:
        raise ArticleTypeError(
            f"not an article: {type(item).__name__} {str(item)[:60]!r}; give a mapping of id -> text, "
            "(id, text) pairs, or documents with .id and .text (dedup.Document, read_corpus, clean)"
        )
    return _checked_input(item.id, item.text, title=getattr(item, "title", None),
                          published=getattr(item, "published", None), lang=getattr(item, "lang", None))


def _checked_input(doc_id, text, *, title, published, lang, date_hint=None) -> ArticleInput:
    """An `ArticleInput` from a document's fields: ids are strings (as a mapping's keys
    become), a `datetime.date` publication day its ISO form, and a field of another type
    a typed error naming the article (not a TypeError from deep inside)."""
    import datetime as _dt

    doc_id = str(doc_id)
    if isinstance(published, _dt.date):
        published = published.isoformat()
    for name, value in (("text", text), ("title", title), ("published", published), ("lang", lang)):
        if value is not None and not isinstance(value, str):
            raise ArticleTypeError(f"article {doc_id!r}: {name} is {type(value).__name__}, not str; give a string"
                                   + (" (YYYY-MM-DD) or a datetime.date" if name == "published" else ""))
    return ArticleInput(id=doc_id, text=text, title=title, published=published, lang=lang, date_hint=date_hint)


def iter_inputs(docs) -> Iterable[ArticleInput]:
    if isinstance(docs, Mapping):
        for key, text in docs.items():
            if not isinstance(text, str):
                raise ArticleTypeError(f"article {key!r}: its text is {type(text).__name__}, not str; "
                                       "give a mapping of id -> text")
            yield as_input(key, text)
        return
    if isinstance(docs, (str, bytes)):
        raise ArticleTypeError("give the articles, not one text: a mapping of id -> text, (id, text) pairs, or documents")
    if not isinstance(docs, Iterable):
        raise ArticleTypeError(f"give the articles, not {type(docs).__name__}: a mapping of id -> text, (id, text) pairs, "
                               "or documents")
    for item in docs:
        yield as_input(item)


_P1 = np.uint64(0x9E3779B97F4A7C15)
_P2 = np.uint64(0xC2B2AE3D27D4EB4F)


# Masks keeping the first b bytes (b = 0..8) of a little-endian uint64.
_BYTE_MASKS = np.array([(1 << (8 * b)) - 1 for b in range(8)] + [(1 << 64) - 1], dtype=np.uint64)


def _shingle_hashes(folded: list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Flat uint64 hashes of word-anchored k-byte shingles and per-document row offsets.

    A shingle is read as ceil(k/8) little-endian 8-byte words (an unaligned uint64 view of
    the buffer, so one gather per word instead of one per byte), bytes past its document's
    end masked to 0, and the words mixed into one hash."""
    encoded = [t.encode("utf-8") for t in folded]
    sizes = np.fromiter((len(b) for b in encoded), dtype=np.int64, count=len(encoded))
    joined = b"".join(encoded)
    total = len(joined)
    doc_start = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum(sizes, out=doc_start[1:])
    if total == 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(len(encoded) + 1, dtype=np.uint64)
    words = -(-k // 8)
    padded = joined + bytes(8 * words + 8)
    buf = np.frombuffer(padded, dtype=np.uint8, count=total)
    is_space = buf <= 32
    # A shingle starts at a non-space byte that follows a space or starts its document.
    start = ~is_space
    start[1:] &= is_space[:-1]
    firsts = doc_start[:-1][sizes > 0]
    start[firsts] = ~is_space[firsts]
    pos = np.flatnonzero(start)
    doc_of = np.searchsorted(doc_start, pos, side="right") - 1
    # Texts shorter than k still get one shingle (clipped at the document end).
    length = np.minimum(doc_start[1:][doc_of] - pos, k)
    windows = np.ndarray((total + 8 * words,), dtype="<u8", buffer=padded, strides=(1,))
    h = np.zeros(len(pos), dtype=np.uint64)
    for w in range(words):
        h ^= windows[pos + 8 * w] & _BYTE_MASKS[np.clip(length - 8 * w, 0, 8)]
        h *= _P1
        h ^= h >> np.uint64(31)
    h ^= h >> np.uint64(29)
    h *= _P2
    h ^= h >> np.uint64(32)
    counts = np.bincount(doc_of, minlength=len(encoded))
    offsets = np.zeros(len(encoded) + 1, dtype=np.uint64)
    np.cumsum(counts, out=offsets[1:])
    return h, offsets


def minhash_matrix(folded: list[str], config: ClusterConfig, ids: list[str] | None = None) -> np.ndarray:
    """uint32[len(folded), num_perm] MinHash digests of the folded texts (rensa, in Rust).

    A text without a shingle (empty, or shorter than ``shingle_chars``) has nothing to
    compare: it gets a row of random values drawn from its id (``ids``; else its position),
    so it is no one's near-duplicate, not even another empty text's."""
    import rensa  # lazy: native extension

    hashes, offsets = _shingle_hashes(folded, config.shingle_chars)
    if len(folded) == 0:
        return np.zeros((0, config.num_perm), dtype=np.uint32)
    matrix = rensa.RMinHash.digest_matrix_from_flat_token_hashes(hashes, offsets, config.num_perm, config.seed)
    out = np.asarray(matrix.to_rows(), dtype=np.uint32).reshape(len(folded), config.num_perm)
    for row in np.flatnonzero(offsets[1:] == offsets[:-1]).tolist():
        name = ids[row] if ids is not None else str(row)
        seed = xxhash.xxh64_intdigest(name.encode("utf-8"), seed=config.seed)
        out[row] = np.random.default_rng(seed).integers(0, 1 << 32, config.num_perm, dtype=np.uint32)
    return out


# Scripts written without spaces: a \w+ run is a whole clause, so words are approximated by
# overlapping character bigrams (the usual unit for CJK retrieval).
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")
# Arabic attaches the article and short conjunctions/prepositions to the word: strip them so
# "السلام" and "والسلام" count as one keyword (light stemming, as in Arabic IR).
_ARABIC_PREFIX = re.compile(r"^(?:وال|بال|كال|فال|لل|ال)(?=[\u0600-\u06ff]{3})")


_ARABIC = re.compile(r"[\u0600-\u06ff]")
# Either of the two above, in one scan (a text needs the per-word path if it has either).
_UNSPACED_OR_ARABIC = re.compile(r"[\u0600-\u06ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


_LONG_WORD = re.compile(r"\w{4,}")  # the \w+ runs longer than 3 characters, and only those


def _content_word_counts(folded: str) -> Counter[str]:
    """Counts of the content words of a folded text (see `_unspaced_words` for the rules).

    Counted per distinct word, not per occurrence: an article repeats its words, and the
    checks below then run once per word."""
    if folded.isascii() or not _UNSPACED_OR_ARABIC.search(folded):
        # Spaced, non-Arabic scripts (nearly every article): long words, minus stop words
        # and digit strings.
        counts = Counter(_LONG_WORD.findall(folded))
        for word in [w for w in counts if w in _STOP or w.isdigit()]:
            del counts[word]
        return counts
    raw = Counter(_WORD.findall(folded))
    # ASCII words cannot hold unspaced or Arabic letters: the plain filter, in one pass.
    counts = Counter(
        {w: c for w, c in raw.items() if len(w) > 3 and w.isascii() and not w.isdigit() and w not in _STOP}
    )
    for word, count in raw.items():
        if not word.isascii():
            for token in _unspaced_words((word,)):
                counts[token] += count
    return counts


def _unspaced_words(words: Iterable[str]) -> Iterator[str]:
    for word in words:
        if _UNSPACED.search(word):
            for run in _UNSPACED.findall(word):
                if len(run) == 1:
                    continue
                for k in range(len(run) - 1):
                    yield run[k : k + 2]
            word = _UNSPACED.sub(" ", word).strip()
            if not word or " " in word:
                continue
        if word[0] >= "\u0600" and word[0] <= "\u06ff":
            word = _ARABIC_PREFIX.sub("", word)
        if len(word) > 3 and not word.isdigit() and word not in _STOP:
            yield word


# Keywords are compared by their first KEYWORD_PREFIX characters (truncation stemming, as
# in multilingual retrieval, no stemmer per language): "approfondissement" / "approfondi",
# "Regierung" / "Regierungen", "hukumet" / "hukumetin" count as one word.  Measured on
# SemEval-2022 task 8 (README): monolingual AUC 0.904 -> 0.913, better in most languages;
# 5 characters scored 0.914 but joined words like "parties" / "participe", 7 scored 0.909;
# Snowball stemmers (PyStemmer) 0.910.  The words of one article that share the prefix are
# merged at fingerprinting (counts summed, kept under the most frequent), so the scorer keys
# on the prefix and reasons still show whole words.
KEYWORD_PREFIX = 6


def keyword_key(word: str) -> str:
    """What keywords are compared by (see `KEYWORD_PREFIX`)."""
    return word[:KEYWORD_PREFIX]


def _merge_prefix_variants(counts: Counter[str]) -> Counter[str]:
    """``counts`` with the words that share a `keyword_key` merged: their counts summed
    under the most frequent of them (ties: the alphabetically first)."""
    keys = [word[:KEYWORD_PREFIX] for word in counts]
    per_key = Counter(keys)
    if len(per_key) == len(keys):
        return counts
    groups: dict[str, list[str]] = {}
    for word, key in zip(list(counts), keys):
        if per_key[key] > 1:
            groups.setdefault(key, []).append(word)
    for words in groups.values():
        kept = min(words, key=lambda w: (-counts[w], w))
        total = sum(counts[w] for w in words)
        for word in words:
            del counts[word]
        counts[kept] = total
    return counts


def keywords_of(folded: str, n: int) -> tuple[tuple[str, int], ...]:
    """The ``n`` most frequent content words with their counts, ties broken by the word
    (so the same text always gives the same keywords), sorted by word.  Words sharing
    their first `KEYWORD_PREFIX` characters count as one (`_merge_prefix_variants`)."""
    counts = _merge_prefix_variants(_content_word_counts(folded))
    if len(counts) > n:
        # The n-th largest count splits the words into those surely kept (more frequent)
        # and ties, of which the alphabetically first fill the remaining places: the same
        # set as sorting every word by (-count, word), without a Python key per word.
        cut = sorted(counts.values(), reverse=True)[n - 1]
        top = [(w, c) for w, c in counts.items() if c > cut]
        ties = [w for w, c in counts.items() if c == cut]
        ties.sort()
        top.extend([(w, cut) for w in ties[: n - len(top)]])
    else:
        top = list(counts.items())
    top.sort()
    return tuple(top)


def fingerprint_batch(
    items: list[ArticleInput], config: ClusterConfig, aliases: AliasTable | None = None, *, share: bool = True
) -> list[Fingerprint]:
    """Fingerprints of a batch of articles (one MinHash call for the whole batch).

    ``share=False`` skips interning keywords (a worker process, whose fingerprints are
    packed and rebuilt by its parent, has no use for it: the parent interns them)."""
    folded = [fold_text(item.text) for item in items]
    matrix = minhash_matrix(folded, config, [item.id for item in items])
    langs = [item.lang for item in items]
    if config.identify_languages and not all(langs):
        from .langid import languages

        langs = [lang for lang, _ in languages([item.text for item in items], langs)]
    embeddings: list = [None] * len(items)
    if config.embeddings:
        from .embed import embed_passages

        embeddings = list(embed_passages([f"{item.title}\n{item.text}" if item.title else item.text for item in items]))
    out = []
    for row, item, ftext, embedding, lang in zip(matrix, items, folded, embeddings, langs):
        signature = extract(item.text, title=item.title, published=item.published or item.date_hint, aliases=aliases,
                            folded_text=ftext)
        keywords = keywords_of(ftext, config.keywords)
        # Folding works character by character: the folded title + the folded text is the
        # folded lead, without folding its start again.
        lead_src = f"{fold_text(item.title)}\n{ftext}" if item.title and not item.text.startswith(item.title) else ftext
        lead_words = " ".join(lead_src[: _LEAD_CHARS * 2].split())[:_LEAD_CHARS].split()
        # Stored as its distinct words in order: the lead is compared as a set of within-word
        # trigrams, which word order and repeats do not change.
        lead = " ".join(sorted(set(lead_words)))
        names, counts = _columns(signature.entities)
        words, word_counts = _columns(keywords)
        if share:
            words = tuple(map(sys.intern, words))
        out.append(_fingerprint_of_fields(
            item.id, row.copy(), names, counts, signature.dates, signature.numbers, words, word_counts,
            lead, lang, item.published, len(item.text), embedding,
        ))
    return out


def _worker_state(config: ClusterConfig, aliases: dict | None) -> tuple[ClusterConfig, AliasTable | None]:
    """Once per worker process (`dedup._pool.map_batches`' state): the alias table is built
    once, so its cache of entity keys lives as long as the worker."""
    return config, AliasTable(aliases) if aliases else None


def _worker_batch(state: tuple[ClusterConfig, AliasTable | None], items: list[ArticleInput]) -> PackedFingerprints:
    config, table = state
    return PackedFingerprints(fingerprint_batch(items, config, table, share=False))


class PackedFingerprints:
    """A batch of fingerprints as a worker process sends it back, iterable as `Fingerprint`s.

    Pickling ~100 small (word, count) tuples per article cost a third as much as
    fingerprinting it, and as much again to unpickle in the parent (which then fell behind
    its workers).  Here a batch travels as one MinHash matrix, one flat list of words and
    integer arrays of counts and list sizes.  Iterating rebuilds equal fingerprints (words
    interned, so the parent keeps one string per word) with slices of those lists.
    """

    __slots__ = ("_state",)

    def __init__(self, fps: list[Fingerprint] | None = None, *, state: tuple | None = None):
        if state is not None:
            self._state = state
            return
        fps = fps or []
        words: list[str] = []
        counts: list[int] = []
        sizes: list[int] = []  # entities then keywords, per article
        for fp in fps:
            words.extend(fp.entity_names)
            words.extend(fp.keyword_words)
            counts.extend(fp.entity_counts)
            counts.extend(fp.keyword_counts)
            sizes.append(len(fp.entity_names))
            sizes.append(len(fp.keyword_words))
        self._state = (
            [(fp.id, fp.dates, fp.numbers, fp.lead, fp.lang, fp.published, fp.length, fp.embedding) for fp in fps],
            np.stack([fp.minhash for fp in fps]) if fps else None,
            words,
            np.asarray(counts, dtype=np.int64),
            np.asarray(sizes, dtype=np.int64),
        )

    def __reduce__(self):
        return (_packed_from_state, (self._state,))

    def __len__(self) -> int:
        return len(self._state[0])

    def __iter__(self):
        rows, matrix, words, counts, sizes = self._state
        words = list(map(sys.intern, words))
        counts = counts.tolist()
        ends = [0, *np.cumsum(sizes).tolist()]
        for k, (doc_id, dates, numbers, lead, lang, published, length, embedding) in enumerate(rows):
            e_start, e_end, k_end = ends[2 * k], ends[2 * k + 1], ends[2 * k + 2]
            yield _fingerprint_of_fields(
                doc_id, matrix[k].copy(), tuple(words[e_start:e_end]), tuple(counts[e_start:e_end]), dates, numbers,
                tuple(words[e_end:k_end]), tuple(counts[e_end:k_end]), lead, lang, published, length, embedding,
            )


def _packed_from_state(state: tuple) -> PackedFingerprints:
    return PackedFingerprints(state=state)
