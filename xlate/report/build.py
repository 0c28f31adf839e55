"""Build the static reviewer site from an OUT folder.

Layout under the destination (``OUT/report/`` by default)::

    index.html              run summary, charts, the biggest clusters, articles in no cluster, failures
    index-<n>.html          the next clusters, ``clusters_per_page`` a page (a run of 100k articles
                            would otherwise make one index of some 200 MB)
    clusters/<name>.html    one per cluster: members aligned sentence by sentence
    articles/<name>.html    one per article: source | English, terms, violations, removed lines

``<name>`` comes from `safe_page_name`, never from the raw id.  Output is deterministic:
same OUT folder and config, byte-identical site.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dedup.reader import REPORT_FOLDER_MARKER
from xlate.errors import ConfigError, OutputError
from xlate.outputs import REPORT_FOLDER, folder_mode, write_atomic
from xlate.report.align import AlignConfig, align_members
from xlate.report.files import safe_page_name
from xlate.report.html import GENERATOR, esc, external_link, highlighted, href, page
from xlate.report.load import RunFolder, load_run
from xlate.report.spans import english_term_spans, source_term_spans

MARKER = REPORT_FOLDER_MARKER  # the reader passes over a folder holding it
INDEX_LINKS = 5  # links shown per cluster on the index; its cluster page shows them all
FOLD_LINKS_AFTER = 3  # a cluster (page or index row) with more links folds each one's reasons under a summary line


@dataclass(frozen=True)
class ReportConfig:
    """``align``: how cluster members are matched sentence to sentence;
    ``max_aligned_members``: columns on a cluster page (wider clusters list the rest);
    ``clusters_per_page``: rows of each index page (biggest clusters first)."""

    align: AlignConfig = AlignConfig()
    max_aligned_members: int = 8
    clusters_per_page: int = 500

    def __post_init__(self) -> None:
        if not isinstance(self.align, AlignConfig):
            raise ConfigError(f"align={self.align!r} must be an AlignConfig")
        if not isinstance(self.max_aligned_members, int) or self.max_aligned_members < 2:
            raise ConfigError(f"max_aligned_members={self.max_aligned_members!r} must be an integer >= 2; e.g. 8")
        if not isinstance(self.clusters_per_page, int) or isinstance(self.clusters_per_page, bool) or self.clusters_per_page < 1:
            raise ConfigError(f"clusters_per_page={self.clusters_per_page!r} must be an integer >= 1; e.g. 500")


def build_report(out_dir: str | os.PathLike[str], *, dest: str | os.PathLike[str] | None = None,
                 config: ReportConfig = ReportConfig()) -> Path:
    """Write the reviewer site for the run in ``out_dir`` and return its ``index.html``.

    The site is built in a temporary folder beside ``dest`` and swapped in, so a reader
    never sees half a site.  An existing ``dest`` is replaced only if it is a report this
    function wrote (it holds the marker file); anything else raises `OutputError`.
    """
    run = load_run(out_dir)
    target = Path(dest) if dest is not None else Path(out_dir) / REPORT_FOLDER
    if target.exists() and (not target.is_dir() or (any(target.iterdir()) and not (target / MARKER).is_file())):
        raise OutputError(f"{target} exists and is not an xlate report; choose an empty or new --dest folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.tmp-"))
    os.chmod(staging, folder_mode())  # mkdtemp's 0700 would hide the site from a web server
    try:
        _Site(run, staging, target, config).write()
        (staging / MARKER).write_text(f"{GENERATOR}\n", encoding="utf-8")
        if target.exists():
            old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old-"))
            os.rmdir(old)
            os.replace(target, old)
            os.replace(staging, target)
            shutil.rmtree(old)
        else:
            os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target / "index.html"


def index_page(number: int) -> str:
    """The index page that lists the ``number``-th slice of clusters (1: index.html)."""
    return "index.html" if number == 1 else f"index-{number}.html"


def article_page(doc_id: str) -> str:
    return f"articles/{safe_page_name(doc_id, 'html')}"


def cluster_page(cluster_id: str) -> str:
    return f"clusters/{safe_page_name(cluster_id, 'html')}"


class _Site:
    def __init__(self, run: RunFolder, staging: Path, target: Path, config: ReportConfig):
        self.run = run
        self.staging = staging
        self.target = target
        self.config = config
        self.cluster_of: dict[str, dict[str, Any]] = {}
        for cluster in run.clusters:
            for member in cluster["members"]:
                self.cluster_of.setdefault(str(member), cluster)
        # Index pages: biggest clusters first, clusters_per_page a page.
        self.ordered_clusters = sorted(run.clusters, key=lambda c: (-len(c["members"]), c["cluster"]))
        ordered, size = self.ordered_clusters, config.clusters_per_page
        self.index_pages = [ordered[i:i + size] for i in range(0, len(ordered), size)] or [[]]
        self.index_page_of = {c["cluster"]: index_page(n) for n, chunk in enumerate(self.index_pages, start=1) for c in chunk}
        self.footer = f'<span class="sig">{esc(run.signature)}</span> \u00b7 {esc(GENERATOR)}'
        self._sentences: dict[str, list[dict[str, Any]]] = {}

    def sentences(self, doc_id: str) -> list[dict[str, Any]]:
        if doc_id not in self._sentences:
            self._sentences[doc_id] = self.run.sentences(doc_id)
        return self._sentences[doc_id]

    def write(self) -> None:
        write_atomic(self.staging / "index.html", self.index())
        for number in range(2, len(self.index_pages) + 1):
            write_atomic(self.staging / index_page(number), self.more_clusters(number))
        for doc in self.run.documents:
            write_atomic(self.staging / article_page(doc["id"]), self.article(doc))
            # Cluster pages reuse sentences; articles outside clusters need them only once.
            if doc["id"] not in self.cluster_of:
                self._sentences.pop(doc["id"], None)
        for cluster in self.run.clusters:
            write_atomic(self.staging / cluster_page(cluster["cluster"]), self.cluster(cluster))
            for member in cluster["members"]:
                self._sentences.pop(str(member), None)

    # ---------------------------------------------------------------- helpers
    def doc_label(self, doc_id: str, prefix: str) -> str:
        doc = self.run.document(doc_id)
        title = (doc or {}).get("title") or doc_id
        if doc is None:
            return f'{esc(title)} <span class="muted">(not in documents.jsonl)</span>'
        return f'<a href="{href(prefix + article_page(doc_id))}">{esc(title)}</a>'

    def out_link(self, doc_id: str, ext: str, label: str, prefix: str) -> str:
        try:
            path = self.run.article_file(doc_id, ext)
        except Exception:  # the lead's mapping refuses ids it cannot place; no link then
            return ""
        if not path.is_file():
            return ""
        rel = os.path.relpath(path, self.target / prefix.rstrip("/") if prefix else self.target)
        return f'<a href="{href(Path(rel).as_posix())}">{esc(label)}</a>'

    # ---------------------------------------------------------------- index
    def index(self) -> str:
        run = self.run.run
        docs = self.run.documents
        clusters = self.ordered_clusters
        glossary = run.get("glossary") or {}
        engine = run.get("engine") or {}
        counts = run.get("counts") or {}
        parts = ["<h1>Reviewer report</h1>"]
        parts.append('<dl class="meta">')
        parts.append(f'<dt>signature</dt><dd><code>{esc(self.run.signature)}</code></dd>')
        parts.append(f"<dt>engine</dt><dd>{_kv(engine)}</dd>")
        parts.append(f"<dt>glossary</dt><dd>{esc(glossary.get('path') or 'none')} <code>{esc((glossary.get('sha256') or '')[:12])}</code></dd>")
        parts.append(f"<dt>articles</dt><dd>{len(docs)}</dd><dt>clusters</dt><dd>{len(clusters)} "
                     f"({sum(1 for c in clusters if len(c['members']) > 1)} with more than one article)</dd>")
        if counts:
            parts.append(f"<dt>counts</dt><dd>{_kv(counts)}</dd>")
        parts.append("</dl>")
        parts.append(self.charts(clusters))
        parts.append("<h2>Clusters</h2>")
        parts.append(self.clusters_table(1))
        unclustered = [d for d in docs if d["id"] not in self.cluster_of]
        if unclustered:
            parts.append("<h2>Articles in no cluster</h2><ul>")
            parts.extend(f"<li>{self.doc_label(d['id'], '')} <span class=\"muted\">{_facts(d)}</span></li>" for d in unclustered)
            parts.append("</ul>")
        failures = list(run.get("failures") or []) + list(self.run.errors)
        if failures:
            parts.append(f"<h2>Failures ({len(failures)})</h2><table><thead><tr><th>file</th><th>line</th><th>stage</th><th>reason</th></tr></thead><tbody>")
            for failure in failures:
                f = failure if isinstance(failure, dict) else {"reason": failure}
                parts.append(f"<tr><td>{esc(f.get('file'))}</td><td>{esc(f.get('line'))}</td><td>{esc(f.get('stage'))}</td><td>{esc(f.get('reason'))}</td></tr>")
            parts.append("</tbody></table>")
        return page("Reviewer report", "\n".join(parts), crumbs="<strong>index</strong>", footer=self.footer)

    def more_clusters(self, number: int) -> str:
        """Index page ``number`` (2, 3, ...): the next slice of clusters."""
        body = f"<h1>Reviewer report</h1><h2>Clusters</h2>{self.clusters_table(number)}"
        return page(f"Reviewer report \u2014 clusters, page {number}", body,
                    crumbs=f'<a href="index.html">index</a> / page {number}', footer=self.footer)

    def pager(self, number: int) -> str:
        pages = len(self.index_pages)
        if pages == 1:
            return ""
        links = [f"<strong>{n}</strong>" if n == number else f'<a href="{href(index_page(n))}">{n}</a>' for n in range(1, pages + 1)]
        return f'<nav class="pager">pages: {" ".join(links)}</nav>'

    def clusters_table(self, number: int) -> str:
        """Page ``number``'s slice of the clusters table, with where it sits among them all."""
        chunk = self.index_pages[number - 1]
        first = (number - 1) * self.config.clusters_per_page + 1
        total = sum(len(c) for c in self.index_pages)
        parts = []
        if len(self.index_pages) > 1:
            parts.append(f'<p class="muted">clusters {first}\u2013{first + len(chunk) - 1} of {total}, biggest first</p>')
        parts.append(self.pager(number))
        parts.append('<table class="clusters"><thead><tr><th>cluster</th><th class="num">size</th>'
                     "<th>members (source \u00b7 date \u00b7 language)</th><th>links (score, reasons)</th></tr></thead><tbody>")
        for cluster in chunk:
            cid = cluster["cluster"]
            members = []
            for member in cluster["members"]:
                doc = self.run.document(str(member)) or {}
                rep = " <span class=\"badge\">representative</span>" if member == cluster.get("representative") else ""
                members.append(f"<li>{self.doc_label(str(member), '')} <span class=\"muted\">{_facts(doc)}</span>{rep}</li>")
            parts.append(
                f'<tr id="{esc(cid)}"><td><a href="{href(cluster_page(cid))}">{esc(cid)}</a></td>'
                f'<td class="num">{len(cluster["members"])}</td><td><ul class="members">{"".join(members)}</ul></td>'
                f"<td>{self.links(cluster, INDEX_LINKS, fold_after=FOLD_LINKS_AFTER)}</td></tr>"
            )
        parts.append("</tbody></table>")
        parts.append(self.pager(number))
        return "\n".join(p for p in parts if p)

    def links(self, cluster: dict[str, Any], limit: int | None = None, *, fold_after: int | None = None) -> str:
        """The links that join the cluster, with their reasons; ``limit``: the first ones
        only, and a link to the cluster page for the rest (the index stays small).  With
        more than ``fold_after`` links, each one's reasons fold under a one-line summary
        (its shared names), so a big cluster's page reaches its sentences (no script)."""
        links = cluster.get("links") or []
        if not links:
            return '<span class="muted">\u2014</span>'
        fold = fold_after is not None and len(links[:limit]) > fold_after
        items = []
        for link in links[:limit]:
            score = link.get("score")
            score_text = f"{score:.3f}" if isinstance(score, (int, float)) and not isinstance(score, bool) else esc(score)
            reason_text = _reasons(link.get("reasons"))
            pair = f"<code>{esc(link.get('a'))}</code> \u2194 <code>{esc(link.get('b'))}</code> <strong>{score_text}</strong>"
            if fold:
                items.append(f"<li><details><summary>{pair} <span class=\"muted\">{_names_summary(link.get('reasons'))}"
                             f"</span></summary><span class=\"muted\">{reason_text}</span></details></li>")
            else:
                items.append(f"<li>{pair} <span class=\"muted\">{reason_text}</span></li>")
        pairs = cluster.get("linked_pairs")
        note = (f'<p class="muted">the {len(links)} strongest links that join the members, of {esc(pairs)} linked pairs; '
                '<code>xlate explain</code> gives any other pair</p>'
                if isinstance(pairs, int) and not isinstance(pairs, bool) and pairs > len(links) else "")
        if limit is not None and len(links) > limit:
            note = (f'<p class="muted"><a href="{href(cluster_page(cluster["cluster"]))}">{len(links) - limit} more links</a> '
                    "on the cluster page</p>")
        return f'<ul class="links">{"".join(items)}</ul>{note}'

    def charts(self, clusters: list[dict[str, Any]]) -> str:
        sizes = Counter(len(c["members"]) for c in clusters)
        langs = Counter(str(d.get("lang") or "unknown") for d in self.run.documents)
        size_rows = [(f"size {s}", n) for s, n in sorted(sizes.items())]
        lang_rows = sorted(langs.items(), key=lambda kv: (-kv[1], kv[0]))
        return ('<div class="charts">'
                f'<figure>{_bar_chart(size_rows, "bar", "Clusters by size")}<figcaption>clusters by number of articles</figcaption></figure>'
                f'<figure>{_bar_chart(lang_rows, "bar lang", "Articles by language")}<figcaption>articles by detected language</figcaption></figure>'
                "</div>")

    # ---------------------------------------------------------------- article
    def article(self, doc: dict[str, Any]) -> str:
        doc_id = doc["id"]
        sentences = self.sentences(doc_id)
        cluster = self.cluster_of.get(doc_id)
        title = doc.get("title") or doc_id
        parts = [f"<h1>{esc(title)}</h1>", '<dl class="meta">']
        for key in ("id", "source", "published", "date_stamp", "lang", "lang_confidence", "format", "path"):
            if doc.get(key) is not None:
                parts.append(f"<dt>{esc(key)}</dt><dd>{esc(doc[key])}</dd>")
        if doc.get("url"):
            parts.append(f"<dt>url</dt><dd>{external_link(doc['url'])}</dd>")
        if cluster is not None:
            parts.append(f'<dt>cluster</dt><dd><a href="{href("../" + cluster_page(cluster["cluster"]))}">{esc(cluster["cluster"])}</a> '
                         f'({_plural(len(cluster["members"]), "article")})</dd>')
        files = [self.out_link(doc_id, ext, label, "articles/") for ext, label in
                 (("tmx", "TMX"), ("xlf", "XLIFF 2.0"), ("jsonl", "sentences JSONL"))]
        if any(files):
            parts.append("<dt>files</dt><dd>" + " \u00b7 ".join(f for f in files if f) + "</dd>")
        violations = sum(len(s.get("violations") or []) for s in sentences)
        flagged = f'<span class="flag">{violations}</span>' if violations else "0"
        parts.append(f"<dt>sentences</dt><dd>{len(sentences)}</dd><dt>violations</dt><dd>{flagged}</dd></dl>")
        parts.append('<table class="pairs"><thead><tr><th class="num">#</th><th>source</th><th>English</th><th>glossary</th></tr></thead><tbody>')
        for sentence in sentences:
            parts.append(self.sentence_row(sentence))
        parts.append("</tbody></table>")
        if not sentences:
            parts.append('<p class="muted">The run wrote no sentences for this article (not translated).</p>')
            cleaned = self.run.cleaned_text(doc_id)
            if cleaned is not None:
                parts.append(f'<h2>Cleaned text</h2><div class="text cleaned">{esc(cleaned)}</div>')
        removed = self.run.removed(doc_id)
        parts.append(f"<details><summary>Removed boilerplate ({len(removed)} lines)</summary>")
        if removed:
            parts.append('<table class="removed"><thead><tr><th class="num">line</th><th>reason</th><th>text</th></tr></thead><tbody>')
            for line in removed:
                parts.append(f'<tr><td class="num">{esc(line.get("line"))}</td><td>{esc(line.get("reason"))}</td>'
                             f'<td class="text">{esc(line.get("text"))}</td></tr>')
            parts.append("</tbody></table>")
        else:
            parts.append('<p class="muted">Nothing was removed.</p>')
        parts.append("</details>")
        crumbs = '<a href="../index.html">index</a>'
        if cluster is not None:
            crumbs += f' / <a href="{href("../" + cluster_page(cluster["cluster"]))}">{esc(cluster["cluster"])}</a>'
        crumbs += f" / {esc(doc_id)}"
        return page(f"{title} \u2014 article", "\n".join(parts), crumbs=crumbs, footer=self.footer)

    def sentence_row(self, sentence: dict[str, Any]) -> str:
        source = str(sentence.get("source") or "")
        english = str(sentence.get("english") or "")
        terms = [t for t in (sentence.get("terms") or []) if isinstance(t, dict)]
        violations = [v for v in (sentence.get("violations") or []) if isinstance(v, dict)]
        start = sentence.get("start") if isinstance(sentence.get("start"), int) else None
        src_html = highlighted(source, source_term_spans(source, terms, start), kind="source")
        en_html = highlighted(english, english_term_spans(english, terms), kind="english")
        notes = []
        for violation in violations:
            notes.append(f'<li class="flag">\u26a0 violation: <q>{esc(violation.get("term"))}</q> should be '
                         f'<q>{esc(violation.get("expected"))}</q></li><li class="muted">{esc(violation.get("reason"))}</li>')
        used = Counter((str(t.get("source") or ""), str(t.get("english") or "")) for t in terms)
        for (source_term, english_term), n in used.items():
            times = f' <span class="muted">\u00d7{n}</span>' if n > 1 else ""
            notes.append(f"<li>{esc(source_term)} \u2192 {esc(english_term)}{times}</li>")
        cls = ' class="violation"' if violations else ""
        index = sentence.get("index")
        notes_html = '<ul class="flags">' + "".join(notes) + "</ul>" if notes else ""
        return (f'<tr id="s{esc(index)}"{cls}><td class="num">{esc(index)}</td><td class="text">{src_html}</td>'
                f'<td class="text" lang="en">{en_html}</td><td>{notes_html}</td></tr>')

    # ---------------------------------------------------------------- cluster
    def cluster(self, cluster: dict[str, Any]) -> str:
        cid = cluster["cluster"]
        members = [str(m) for m in cluster["members"]]
        rep = cluster.get("representative")
        if rep in members:  # the representative leads the alignment and the columns
            members.remove(rep)
            members.insert(0, rep)
        shown = members[: self.config.max_aligned_members]
        parts = [f"<h1>Cluster {esc(cid)}</h1>", f"<p>{len(members)} articles. "
                 f"Sentences are matched on their English translations (token-set ratio \u2265 {self.config.align.score_cutoff:g}, "
                 f"one sentence per article per row): <span class=\"badge shared\">shared</span> rows say the same thing in "
                 f"several outlets, <span class=\"badge only\">only one</span> rows are reported by one outlet alone.</p>"]
        parts.append(f"<h2>Links</h2>{self.links(cluster, fold_after=FOLD_LINKS_AFTER)}")
        english = [[str(s.get("english") or "") for s in self.sentences(m)] for m in shown]
        rows = align_members(english, self.config.align)
        shared_count = [0] * len(shown)
        only_count = [0] * len(shown)
        for row in rows:
            for m, cell in enumerate(row.cells):
                if cell is not None:
                    (shared_count if row.shared else only_count)[m] += 1
        parts.append('<h2>Members</h2><table class="summary"><thead><tr><th>article</th><th>source \u00b7 date \u00b7 language</th>'
                     '<th class="num">shared</th><th class="num">only here</th></tr></thead><tbody>')
        for m, member in enumerate(shown):
            doc = self.run.document(member) or {}
            parts.append(f'<tr><td>{self.doc_label(member, "../")}</td><td>{_facts(doc)}</td>'
                         f'<td class="num">{shared_count[m]}</td><td class="num">{only_count[m]}</td></tr>')
        parts.append("</tbody></table>")
        if len(members) > len(shown):
            rest = "".join(f"<li>{self.doc_label(m, '../')}</li>" for m in members[len(shown):])
            parts.append(f"<p>{len(members) - len(shown)} more articles are not aligned here (limit "
                         f"{self.config.max_aligned_members} columns):</p><ul>{rest}</ul>")
        parts.append('<h2>Aligned sentences</h2><table class="aligned"><thead><tr><th class="num">row</th>')
        for member in shown:
            doc = self.run.document(member) or {}
            parts.append(f"<th>{esc(doc.get('source') or member)}</th>")
        parts.append('<th class="num">score</th></tr></thead><tbody>')
        sentences = [self.sentences(m) for m in shown]
        for n, row in enumerate(rows, start=1):
            cls = "shared" if row.shared else "only"
            cells = []
            for m, cell in enumerate(row.cells):
                if cell is None:
                    cells.append('<td class="cell gap"></td>')
                    continue
                s = sentences[m][cell]
                cells.append(f'<td class="cell filled text"><a href="{href("../" + article_page(shown[m]))}#s{esc(s.get("index"))}">'
                             f'#{esc(s.get("index"))}</a> {esc(s.get("english"))}</td>')
            score = f"{row.score:.0f}" if row.score is not None else ""
            parts.append(f'<tr class="{cls}"><td class="num">{n}</td>{"".join(cells)}<td class="num">{score}</td></tr>')
        parts.append("</tbody></table>")
        crumbs = f'<a href="{href("../" + self.index_page_of.get(cid, "index.html"))}#{esc(cid)}">index</a> / {esc(cid)}'
        return page(f"Cluster {cid}", "\n".join(parts), crumbs=crumbs, footer=self.footer)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _facts(doc: dict[str, Any]) -> str:
    date = doc.get("published") or (f"page stamp {doc['date_stamp']}" if doc.get("date_stamp") else "no date")
    facts = [doc.get("source") or "unknown source", date, doc.get("lang") or "unknown language"]
    return " \u00b7 ".join(esc(f) for f in facts)


def _names_summary(reasons: Any, shown: int = 6) -> str:
    """A link's first shared names, for its folded summary line."""
    names = reasons.get("entities") if isinstance(reasons, dict) else None
    if not isinstance(names, (list, tuple)) or not names:
        return "no shared names"
    more = f" +{len(names) - shown}" if len(names) > shown else ""
    return esc(", ".join(str(n) for n in names[:shown]) + more)


def _reasons(reasons: Any) -> str:
    """A link's reasons in the words of `xlate explain` (one describer for both)."""
    from dedup.reasons import describe_reasons

    return "<br>".join(esc(line) for line in describe_reasons(reasons))


def _kv(mapping: Any) -> str:
    from dedup.reasons import format_items

    return esc(format_items(mapping)) if isinstance(mapping, dict) else esc(mapping)


def _bar_chart(rows: list[tuple[str, int]], bar_class: str, label: str) -> str:
    """A horizontal bar chart as inline SVG: no script, no external files."""
    row_h, label_w, bar_w = 20, 110, 220
    height = max(1, len(rows)) * row_h + 6
    top = max((n for _, n in rows), default=1) or 1
    out = [f'<svg class="chart" role="img" aria-label="{esc(label)}" width="{label_w + bar_w + 50}" height="{height}" '
           f'viewBox="0 0 {label_w + bar_w + 50} {height}" xmlns="http://www.w3.org/2000/svg"><title>{esc(label)}</title>']
    for i, (name, n) in enumerate(rows):
        y = i * row_h + 3
        width = max(1, round(bar_w * n / top))
        out.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{esc(name)}</text>'
                   f'<rect class="{esc(bar_class)}" x="{label_w}" y="{y + 2}" width="{width}" height="{row_h - 6}"></rect>'
                   f'<text x="{label_w + width + 5}" y="{y + 14}">{n}</text>')
    out.append("</svg>")
    return "".join(out)
