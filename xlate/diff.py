"""Compare two runs of the same corpus sentence by sentence, and their clusters.

Runs differ by model, engine, glossary or clustering settings.  Articles are matched by id; inside an article,
sentences are matched on their *source* text (so a changed segmenter shows up as
added/removed sentences rather than as a cascade of false changes) and a pair whose
English differs is a change.  Glossary differences are read from what each run actually
applied: the English each source term was locked to, plus the glossary files' hashes.
Clusters are compared over the articles both runs hold: a cluster of one run whose
members the other run puts in several clusters is a split (or, seen from the other side,
a merge), and the pairs of articles grouped together in only one run are counted.
"""
from __future__ import annotations

import difflib
import hashlib
import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xlate.outputs import write_atomic
from xlate.report.html import esc, page
from xlate.report.load import RunFolder, load_run

DIFF_VERSION = "v2"


@dataclass(frozen=True)
class SentenceChange:
    """One sentence that differs.  ``kind``: ``changed`` (same source, other English),
    ``added`` (only in run B), ``removed`` (only in run A)."""

    kind: str
    index_a: int | None
    index_b: int | None
    source: str
    english_a: str | None
    english_b: str | None
    violations_a: int = 0
    violations_b: int = 0


@dataclass(frozen=True)
class ArticleDiff:
    id: str
    sentences_a: int
    sentences_b: int
    unchanged: int
    changes: tuple[SentenceChange, ...]


@dataclass(frozen=True)
class TermDifference:
    """A glossary source term whose English differs between the runs (or that only one
    run applied); ``english_a``/``english_b`` are the renderings used, with counts."""

    source: str
    english_a: tuple[tuple[str, int], ...]
    english_b: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class GroupChange:
    """Articles grouped differently: ``kind`` ``split`` (one cluster of run A, its members
    in several clusters of run B) or ``merged`` (one cluster of B from several of A).
    ``members`` is that cluster, ``parts`` how the other run groups those same members;
    only articles both runs hold count."""

    kind: str
    cluster: str
    members: tuple[str, ...]
    parts: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class ClusterDiff:
    clusters_a: int
    clusters_b: int
    changes: tuple[GroupChange, ...]
    pairs_only_a: int  # pairs of shared articles in one cluster in A, in two in B
    pairs_only_b: int

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)


@dataclass(frozen=True)
class RunDiff:
    run_a: str
    run_b: str
    signature_a: str
    signature_b: str
    glossary_a: dict[str, Any] | None
    glossary_b: dict[str, Any] | None
    settings: tuple[tuple[str, Any, Any], ...]  # (dotted key, value in A, value in B) that differ
    articles: tuple[ArticleDiff, ...]  # every article in both runs, changed or not, by id
    only_in_a: tuple[str, ...]
    only_in_b: tuple[str, ...]
    terms: tuple[TermDifference, ...]
    violations_a: int
    violations_b: int
    clusters: ClusterDiff
    # Articles both runs hold that only one translated (--no-translate, --languages, a
    # failure): their sentences are not compared, rather than all listed as added or removed.
    translated_only_in_a: tuple[str, ...] = ()
    translated_only_in_b: tuple[str, ...] = ()

    @property
    def changed_articles(self) -> tuple[ArticleDiff, ...]:
        return tuple(a for a in self.articles if a.changes)

    def count(self, kind: str) -> int:
        return sum(1 for a in self.articles for c in a.changes if c.kind == kind)

    @property
    def glossary_changed(self) -> bool:
        return _sha(self.glossary_a) != _sha(self.glossary_b)

    @property
    def signature(self) -> str:
        def short(text: str) -> str:
            return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]

        return f"diff:{DIFF_VERSION}|a:{short(self.signature_a)}|b:{short(self.signature_b)}"


def diff_runs(run_a: str | os.PathLike[str], run_b: str | os.PathLike[str]) -> RunDiff:
    """Compare the OUT folders ``run_a`` and ``run_b`` (see `RunDiff`): of `xlate run`, or
    of `xlate cluster` (clusters and settings only)."""
    a, b = load_run(run_a, clusters_only=True), load_run(run_b, clusters_only=True)
    ids_a = {d["id"] for d in a.documents}
    ids_b = {d["id"] for d in b.documents}
    articles = []
    terms_a: dict[str, Counter[str]] = defaultdict(Counter)
    terms_b: dict[str, Counter[str]] = defaultdict(Counter)
    violations = [0, 0]
    translated_a: list[str] = []
    translated_b: list[str] = []
    for doc_id in sorted(ids_a | ids_b):
        sa = a.sentences(doc_id) if doc_id in ids_a else []
        sb = b.sentences(doc_id) if doc_id in ids_b else []
        for sentences, terms, side in ((sa, terms_a, 0), (sb, terms_b, 1)):
            for s in sentences:
                violations[side] += len(s.get("violations") or [])
                for t in s.get("terms") or []:
                    if isinstance(t, dict) and t.get("source"):
                        terms[str(t["source"])][str(t.get("english") or "")] += 1
        if doc_id in ids_a and doc_id in ids_b:
            if bool(sa) != bool(sb):
                (translated_a if sa else translated_b).append(doc_id)
            else:
                articles.append(_article_diff(doc_id, sa, sb))
    term_diffs = []
    for source in sorted(set(terms_a) | set(terms_b)):
        if set(terms_a.get(source, {})) != set(terms_b.get(source, {})):
            term_diffs.append(TermDifference(source, tuple(sorted(terms_a.get(source, Counter()).items())),
                                             tuple(sorted(terms_b.get(source, Counter()).items()))))
    settings = _setting_differences(a, b)
    return RunDiff(
        run_a=str(run_a), run_b=str(run_b), signature_a=a.signature, signature_b=b.signature,
        glossary_a=a.run.get("glossary"), glossary_b=b.run.get("glossary"), settings=settings,
        articles=tuple(articles), only_in_a=tuple(sorted(ids_a - ids_b)), only_in_b=tuple(sorted(ids_b - ids_a)),
        terms=tuple(term_diffs), violations_a=violations[0], violations_b=violations[1],
        clusters=_cluster_diff(a.clusters, b.clusters, ids_a & ids_b),
        translated_only_in_a=tuple(translated_a), translated_only_in_b=tuple(translated_b),
    )


def _groups(clusters, shared: set[str]) -> list[tuple[str, tuple[str, ...]]]:
    """(cluster name, its members that both runs hold, sorted), for clusters with any."""
    out = []
    for n, c in enumerate(clusters):
        members = tuple(sorted(str(m) for m in (c.get("members") or []) if str(m) in shared))
        if members:
            out.append((str(c.get("cluster") or f"#{n + 1}"), members))
    return out


def _cluster_diff(clusters_a, clusters_b, shared: set[str]) -> ClusterDiff:
    groups_a, groups_b = _groups(clusters_a, shared), _groups(clusters_b, shared)
    where_a = {m: k for k, (_, members) in enumerate(groups_a) for m in members}
    where_b = {m: k for k, (_, members) in enumerate(groups_b) for m in members}
    changes = []
    for kind, groups, where in (("split", groups_a, where_b), ("merged", groups_b, where_a)):
        for name, members in groups:
            parts: dict[int, list[str]] = defaultdict(list)
            for m in members:
                parts[where[m]].append(m)
            if len(parts) > 1:
                changes.append(GroupChange(kind, name, members, tuple(sorted(tuple(p) for p in parts.values()))))

    def together(groups) -> int:
        return sum(len(m) * (len(m) - 1) // 2 for _, m in groups)

    both = Counter((where_a[m], where_b[m]) for m in where_a)
    in_both = sum(n * (n - 1) // 2 for n in both.values())
    return ClusterDiff(len(clusters_a), len(clusters_b), tuple(changes),
                       together(groups_a) - in_both, together(groups_b) - in_both)


def _article_diff(doc_id: str, sa: list[dict[str, Any]], sb: list[dict[str, Any]]) -> ArticleDiff:
    src_a = [str(s.get("source") or "") for s in sa]
    src_b = [str(s.get("source") or "") for s in sb]
    changes: list[SentenceChange] = []
    unchanged = 0
    matcher = difflib.SequenceMatcher(a=src_a, b=src_b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for x, y in zip(range(i1, i2), range(j1, j2)):
                ea, eb = sa[x].get("english"), sb[y].get("english")
                if ea == eb:
                    unchanged += 1
                else:
                    changes.append(SentenceChange("changed", sa[x]["index"], sb[y]["index"], src_a[x], ea, eb,
                                                  len(sa[x].get("violations") or []), len(sb[y].get("violations") or [])))
            continue
        for x in range(i1, i2):
            changes.append(SentenceChange("removed", sa[x]["index"], None, src_a[x], sa[x].get("english"), None,
                                          len(sa[x].get("violations") or []), 0))
        for y in range(j1, j2):
            changes.append(SentenceChange("added", None, sb[y]["index"], src_b[y], None, sb[y].get("english"),
                                          0, len(sb[y].get("violations") or [])))
    return ArticleDiff(doc_id, len(sa), len(sb), unchanged, tuple(changes))


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key in sorted(value, key=str):
            out.update(_flatten(value[key], f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: value}


def _setting_differences(a: RunFolder, b: RunFolder) -> tuple[tuple[str, Any, Any], ...]:
    diffs = []
    # ``langid`` is the language identifier's signature (a string): another model or reading
    # length can change languages, hence which pairs are cross-lingual and the clusters.
    for section in ("engine", "config", "cluster", "langid"):
        fa = _flatten(_section(a.run, section), section)
        fb = _flatten(_section(b.run, section), section)
        for key in sorted(set(fa) | set(fb)):
            if fa.get(key) != fb.get(key):
                diffs.append((key, fa.get(key), fb.get(key)))
    return tuple(diffs)


def _section(run: dict[str, Any], section: str) -> Any:
    value = run.get(section) or {}
    if section == "config" and isinstance(value, dict):
        # run.json repeats the clustering settings inside "config": they are shown once, as cluster.*
        value = {k: v for k, v in value.items() if k != "cluster"}
    return value


def _sha(glossary: dict[str, Any] | None) -> str | None:
    return (glossary or {}).get("sha256")


# ---------------------------------------------------------------------------- text
_RED, _GREEN, _CYAN, _BOLD, _REVERSE, _RESET = "\x1b[31m", "\x1b[32m", "\x1b[36m", "\x1b[1m", "\x1b[7m", "\x1b[0m"
# Article text is hostile: an ESC in it must not drive the reviewer's terminal.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


def _printable(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _word_ops(old: str, new: str) -> list[tuple[str, str, str]]:
    """Word-level opcodes between two sentences: (op, old piece, new piece)."""
    ta, tb = _TOKEN.findall(old), _TOKEN.findall(new)
    matcher = difflib.SequenceMatcher(a=ta, b=tb, autojunk=False)
    return [(op, "".join(ta[i1:i2]), "".join(tb[j1:j2])) for op, i1, i2, j1, j2 in matcher.get_opcodes()]


def render_text(diff: RunDiff, color: bool) -> str:
    """A unified-diff-like text: ``-`` run A's English, ``+`` run B's, then a summary.
    With ``color`` the lines are ANSI-coloured and changed words reversed."""

    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    def words(old: str, new: str, side: str) -> str:
        if not color:
            return old if side == "a" else new
        out = []
        for op, pa, pb in _word_ops(old, new):
            piece = pa if side == "a" else pb
            if op == "equal":
                out.append(piece)
            elif piece:
                out.append(f"{_REVERSE}{piece}{_RESET}{_RED if side == 'a' else _GREEN}")
        return "".join(out)

    p = _printable
    lines = [paint(p(f"--- a: {diff.run_a}  {diff.signature_a}"), _BOLD), paint(p(f"+++ b: {diff.run_b}  {diff.signature_b}"), _BOLD)]
    for key, va, vb in diff.settings:
        lines.append(f"  setting {key}: {va!r} -> {vb!r}")
    for group in diff.clusters.changes:
        lines.append(paint(p(_group_line(group)), _CYAN))
    for article in diff.changed_articles:
        lines.append(paint(f"@@ {p(article.id)}: {len(article.changes)} of {max(article.sentences_a, article.sentences_b)} sentences differ @@", _CYAN))
        for change in article.changes:
            where = f"[{change.index_a if change.index_a is not None else '-'}|{change.index_b if change.index_b is not None else '-'}]"
            lines.append(f" {where} {change.kind}: {p(change.source)}")
            ea, eb = p(change.english_a or ""), p(change.english_b or "")
            if change.english_a is not None:
                lines.append(paint("-" + words(ea, eb, "a"), _RED) + _violations(change.violations_a))
            if change.english_b is not None:
                lines.append(paint("+" + words(ea, eb, "b"), _GREEN) + _violations(change.violations_b))
    lines.append("")
    lines.extend(p(line) for line in summary_lines(diff))
    return "\n".join(lines) + "\n"


def _braces(members: tuple[str, ...]) -> str:
    return "{" + ", ".join(members) + "}"


def _group_line(change: GroupChange) -> str:
    parts = " + ".join(_braces(p) for p in change.parts)
    if change.kind == "split":
        return f"@@ cluster {change.cluster} of a split in b: {_braces(change.members)} -> {parts} @@"
    return f"@@ cluster {change.cluster} of b merges clusters of a: {parts} -> {_braces(change.members)} @@"


def _some(ids: tuple[str, ...], shown: int = 10) -> str:
    """A few of ``ids`` in brackets (a whole corpus may differ this way)."""
    more = f", ... {len(ids) - shown} more" if len(ids) > shown else ""
    return f" ({', '.join(ids[:shown])}{more})"


def _violations(n: int) -> str:
    return f"   [{n} glossary violation{'s' if n != 1 else ''}]" if n else ""


def summary_lines(diff: RunDiff) -> list[str]:
    changed = diff.count("changed")
    lines = [
        f"summary: {changed} sentence{'s' if changed != 1 else ''} changed, {diff.count('added')} added, "
        f"{diff.count('removed')} removed, in {len(diff.changed_articles)} of {len(diff.articles)} articles compared",
        f"articles only in a: {len(diff.only_in_a)}" + (f" ({', '.join(diff.only_in_a)})" if diff.only_in_a else ""),
        f"articles only in b: {len(diff.only_in_b)}" + (f" ({', '.join(diff.only_in_b)})" if diff.only_in_b else ""),
        *[f"articles translated only in {side}: {len(ids)}" + _some(ids)
          for side, ids in (("a", diff.translated_only_in_a), ("b", diff.translated_only_in_b)) if ids],
        f"clusters: a {diff.clusters.clusters_a}, b {diff.clusters.clusters_b}; {diff.clusters.count('split')} of a split "
        f"and {diff.clusters.count('merged')} of b merged; article pairs grouped only in a {diff.clusters.pairs_only_a}, "
        f"only in b {diff.clusters.pairs_only_b}",
    ]
    sha_a, sha_b = _sha(diff.glossary_a), _sha(diff.glossary_b)
    if diff.glossary_changed:
        lines.append(f"glossary: differs (a {(sha_a or 'none')[:12]}, b {(sha_b or 'none')[:12]})")
    else:
        lines.append(f"glossary: same ({(sha_a or 'none')[:12]})")
    for term in diff.terms:
        lines.append(f"  term {term.source}: a {_renderings(term.english_a)} | b {_renderings(term.english_b)}")
    lines.append(f"glossary violations: a {diff.violations_a}, b {diff.violations_b}")
    lines.append(f"signature: {diff.signature}")
    return lines


def _renderings(items: tuple[tuple[str, int], ...]) -> str:
    return ", ".join(f"{english!r} x{n}" for english, n in items) if items else "(not applied)"


# ---------------------------------------------------------------------------- html
def _html_words(old: str, new: str, side: str) -> str:
    out = []
    for op, pa, pb in _word_ops(old, new):
        if op == "equal":
            out.append(esc(pa))
        elif side == "a" and pa:
            out.append(f'<del class="word">{esc(pa)}</del>')
        elif side == "b" and pb:
            out.append(f'<ins class="word">{esc(pb)}</ins>')
    return "".join(out)


def write_html(diff: RunDiff, path: str | os.PathLike[str]) -> Path:
    """Write the diff as one standalone HTML page (no script), atomically."""
    parts = ["<h1>Run diff</h1>", '<dl class="meta">',
             f"<dt>a</dt><dd>{esc(diff.run_a)} <code>{esc(diff.signature_a)}</code></dd>",
             f"<dt>b</dt><dd>{esc(diff.run_b)} <code>{esc(diff.signature_b)}</code></dd></dl>"]
    parts.append("<h2>Summary</h2><ul>" + "".join(f"<li>{esc(line.strip())}</li>" for line in summary_lines(diff)) + "</ul>")
    if diff.settings:
        parts.append("<h2>Settings that differ</h2><table><thead><tr><th>setting</th><th>a</th><th>b</th></tr></thead><tbody>")
        parts.extend(f"<tr><td><code>{esc(k)}</code></td><td>{esc(va)}</td><td>{esc(vb)}</td></tr>" for k, va, vb in diff.settings)
        parts.append("</tbody></table>")
    if diff.clusters.changes:
        parts.append("<h2>Clusters that differ</h2><table><thead><tr><th>change</th><th>in a</th><th>in b</th></tr></thead><tbody>")
        for g in diff.clusters.changes:
            one = esc(_braces(g.members))
            several = "<br>".join(esc(_braces(p)) for p in g.parts)
            a_side, b_side = (one, several) if g.kind == "split" else (several, one)
            parts.append(f"<tr><td>{esc(g.kind)} <code>{esc(g.cluster)}</code></td><td>{a_side}</td><td>{b_side}</td></tr>")
        parts.append("</tbody></table>")
    for article in diff.changed_articles:
        parts.append(f'<h2>{esc(article.id)}</h2><p class="muted">{len(article.changes)} of '
                     f"{max(article.sentences_a, article.sentences_b)} sentences differ</p>")
        parts.append('<table class="pairs"><thead><tr><th class="num">a|b</th><th>source</th><th>English in a</th>'
                     "<th>English in b</th></tr></thead><tbody>")
        for c in article.changes:
            ea, eb = c.english_a or "", c.english_b or ""
            cls = ' class="violation"' if c.violations_a or c.violations_b else ""
            where = f"{'-' if c.index_a is None else c.index_a}|{'-' if c.index_b is None else c.index_b}"
            parts.append(f'<tr{cls}><td class="num">{esc(where)}<br><span class="muted">{esc(c.kind)}</span></td>'
                         f'<td class="text">{esc(c.source)}</td>'
                         f'<td class="text">{_html_words(ea, eb, "a") if c.english_a is not None else ""}{_flag(c.violations_a)}</td>'
                         f'<td class="text">{_html_words(ea, eb, "b") if c.english_b is not None else ""}{_flag(c.violations_b)}</td></tr>')
        parts.append("</tbody></table>")
    if not diff.changed_articles:
        parts.append("<p>No sentence differs.</p>")
    return write_atomic(path, page("Run diff", "\n".join(parts), crumbs="run diff", footer=esc(diff.signature)))


def _flag(n: int) -> str:
    return f' <span class="flag">\u26a0 {n} violation{"s" if n != 1 else ""}</span>' if n else ""
