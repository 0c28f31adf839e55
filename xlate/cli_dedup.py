"""`xlate cluster` and `xlate explain`: same-event clustering from the command line.

Registered by xlate/cli.py (``commands = [cluster, explain]``).  Parsing and printing only;
the work is `dedup.cluster`, `dedup.explain` and `dedup.ClusterIndex`.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from xlate import __version__
from xlate.cli_common import (EXIT_OK, EXIT_SOME_FAILED, Progress, glossary_option, handle_errors, report_failures,
                              warn_if_no_article_files)
from xlate.outputs import dumps_line, failure_row, make_output_folder, read_failure, write_json, write_jsonl


def cluster_options(func):
    """--set and --cluster-config, shared by `run`, `cluster` and `explain`."""
    from dedup.config import ClusterConfig  # light: dataclasses only

    func = click.option(
        "--set", "settings", multiple=True, metavar="NAME=VALUE",
        help="A clustering setting, repeatable, e.g. --set published_window_days=30; applied after "
             f"--cluster-config.  Names (see dedup.ClusterConfig): {', '.join(ClusterConfig.settings())}.")(func)
    return click.option(
        "--cluster-config", "cluster_config_file", type=click.Path(exists=True, dir_okay=False), default=None,
        help="JSON of clustering settings: a run's run.json or cluster.json (to repeat it) or an object of NAME: VALUE.")(func)


def _load_cluster_file(path: str) -> dict:
    """Settings from a JSON file: run.json / cluster.json (their "cluster" object) or a plain object."""
    from dedup.config import CLUSTER_VERSION
    from dedup.errors import ConfigError

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: not a readable JSON file ({exc}); give a run's run.json or an object of NAME: VALUE") from None
    if isinstance(data, dict) and isinstance(data.get("cluster"), dict) and "signature" in data:
        data = data["cluster"]
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: cluster settings must be a JSON object of NAME: VALUE (or a run's run.json)")
    if "version" in data and data["version"] != CLUSTER_VERSION:
        click.echo(f"warning: {path} was written by clustering {data['version']}; this is {CLUSTER_VERSION}, "
                   "so the same settings may group differently", err=True)
    return data


def cluster_config_from_options(threshold: float | None, workers: int | None, embeddings: bool = False,
                                settings: tuple[str, ...] = (), config_file: str | None = None):
    """The run's ClusterConfig: defaults < --cluster-config < --set < the dedicated flags."""
    from dedup.config import ClusterConfig

    base = _load_cluster_file(config_file) if config_file else {}
    overrides = ClusterConfig.parse_settings(settings)
    if embeddings:
        overrides["embeddings"] = True
    if threshold is not None:
        overrides["threshold"] = threshold
    if "threshold" in overrides and "min_link" not in overrides:
        # min_link may not exceed threshold; keep the configured one unless the threshold is lower.
        overrides["min_link"] = min(base.get("min_link", ClusterConfig.min_link), overrides["threshold"])
    if workers is not None:
        overrides["workers"] = workers
    elif "workers" not in overrides and "workers" not in base:
        overrides["workers"] = default_workers()
    if config_file:
        from dedup.errors import ConfigError

        try:
            ClusterConfig.from_json(base)
        except ConfigError as exc:  # say which file holds the bad setting
            raise ConfigError(f"{config_file}: {exc}") from None
    return ClusterConfig.from_json(base, **overrides)


def default_workers() -> int:
    """Processes the command line fingerprints with when not told: the CPUs this process
    may use (its CPU affinity, and a container's CPU quota), at most 8 (each worker loads
    the language model, about 150 MB).  The library default stays 1: spawning processes
    from a caller's script needs its __main__ guard."""
    import os

    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    quota = cgroup_cpus()
    return max(1, min(cpus, quota or cpus, 8))


def cgroup_cpus(path: str = "/sys/fs/cgroup/cpu.max") -> int | None:
    """CPUs a cgroup v2 quota allows (``"200000 100000"``: 2), rounded up; None without one.
    A container often sees all the host's CPUs in its affinity but may use only its quota."""
    import math

    try:
        quota, period = Path(path).read_text(encoding="ascii").split()[:2]
        return None if quota == "max" else max(1, math.ceil(int(quota) / int(period)))
    except (OSError, ValueError, ZeroDivisionError):
        return None


def _glossary(glossary: str | None) -> tuple[dict | None, dict | None]:
    """(aliases for clustering, what to record of the glossary), or (None, None)."""
    if not glossary:
        return None, None
    from xlate.glossary import Glossary  # lazy: another package's module

    from dedup.index import alias_digest

    loaded = Glossary.load(glossary)
    aliases = loaded.aliases()
    # alias_digest: what an index records of the glossary, and names when one does not match.
    return aliases, {"path": glossary, "sha256": loaded.sha256, "entries": len(loaded.entries),
                     "alias_digest": alias_digest(aliases)}


def _read_clean(corpus: str, failures: list[dict], progress=None):
    """Articles as `xlate run` hands them to clustering: cleaned (site-repeated lines
    included); an article with nothing left is a failure.  Languages are identified while
    fingerprinting (`ClusterConfig.identify_languages`), in the worker processes.
    ``progress(stage, n)`` is told how many articles were read so far."""
    from xlate.cleaning import clean_documents, nothing_left

    def on_error(error) -> None:
        failures.append(read_failure(error))

    tick = progress or (lambda stage, n: None)
    read = 0
    for doc, cleaned in clean_documents(corpus, on_error=on_error):
        read += 1
        tick("articles read, cleaned, fingerprinted", read)
        if not cleaned.text.strip():
            failures.append(failure_row(doc.path or doc.id, nothing_left(), "clean", doc_id=doc.id))
            continue
        yield cleaned
    tick("clustering articles", read)


@click.command("cluster")
@click.argument("corpus", type=click.Path(exists=True, allow_dash=True))
@click.option("-o", "--out", "out", required=True, type=click.Path(file_okay=False),
              help="Output folder (OUT/clusters.jsonl), or - to print the clusters as JSONL on stdout.")
@click.option("--index", "index_path", type=click.Path(dir_okay=False), default=None,
              help="Persisted index file: CORPUS is added to it and clusters cover everything it holds.")
@click.option("--corpus-only", is_flag=True,
              help="With an index: write only the clusters that hold an article of CORPUS (with all their members), "
                   "not every cluster of the index: which stories today's articles joined.")
@click.option("--index-wait", "index_wait", type=click.FloatRange(min=0), default=0.0, metavar="SECONDS",
              help="With an index another job is updating: wait this long for it to finish (default: fail at once).")
@click.option("--forget", "forget_ids", multiple=True, metavar="ID",
              help="With an index (--index FILE, or CORPUS when it is one): take this article out of the file "
                   "(repeatable), after CORPUS is added.")
@click.option("--forget-before", "forget_before", default=None, metavar="YYYY-MM-DD",
              help="With an index (--index FILE, or CORPUS when it is one): take the articles published before "
                   "this day out of the file (a rolling window); articles without a publication date stay.")
@glossary_option("whose name variants are folded together for clustering (Achgabat = Ashgabat).")
@click.option("--threshold", type=float, default=None,
              help="Average-link score two groups need to merge (default 0.1); higher splits more.")
@click.option("--workers", type=int, default=None,
              help="Fingerprinting processes (and scoring threads); default: the CPUs available, at most 8.")
@click.option("--embeddings", is_flag=True, help="Score cross-lingual pairs with multilingual-e5-small similarity too (pip install 'xlate[embed]').")
@cluster_options
@handle_errors
def cluster(corpus: str, out: str, index_path: str | None, corpus_only: bool, index_wait: float, forget_ids: tuple[str, ...], forget_before: str | None,
            glossary: str | None, threshold: float | None, workers: int | None,
            embeddings: bool, settings: tuple[str, ...], cluster_config_file: str | None) -> None:
    """Group the articles of CORPUS that report the same event; write OUT/clusters.jsonl.

    Each line: {"cluster", "members", "representative", "size", "linked_pairs", "links"}:
    the links are the strongest that join all members (size - 1 of them), each with its
    reasons (shared names, dates, amounts, keywords, scores); linked_pairs counts every
    verified link among the members.  OUT/cluster.json records what made them (settings,
    signature, glossary hash, versions): `--cluster-config OUT/cluster.json` repeats them.

    CORPUS may be an index file itself: its articles are clustered again (with other
    scoring settings) without reading any text or taking the index's lock; with
    `--forget` or `--forget-before` they are taken out of that file first.
    """
    from dedup.index import ClusterIndex
    from dedup.langid import signature as langid_signature

    config = cluster_config_from_options(threshold, workers, embeddings, settings, cluster_config_file)
    if index_path == "-":
        raise click.UsageError("--index names the index's file (made if missing); - is not a file")
    corpus_is_index = corpus != "-" and Path(corpus).is_file() and ClusterIndex.is_index(corpus)
    if corpus_is_index:
        if index_path and Path(index_path).resolve() != Path(corpus).resolve():
            raise click.UsageError(f"CORPUS {corpus} is an index and --index names another ({index_path}); "
                                   "give one index, or a corpus folder to add to it")
        index_path = corpus
    forget_day = _check_index_options(index_path, corpus_is_index, corpus_only, forget_ids, forget_before, index_wait)
    aliases, glossary_record = _glossary(glossary)
    failures: list[dict] = []
    if not corpus_is_index:
        warn_if_no_article_files(corpus)
    # Made before reading: a corpus walk passes over it.  "-": the clusters go to stdout,
    # and no file is written (failures are listed on stderr).
    out_dir = None if out == "-" else make_output_folder(out, corpus)
    progress = Progress()  # on stderr, and only when it is a terminal
    forgotten_lines: list[str] = []
    index_record: dict | None = None
    try:
        if corpus_is_index and not (forget_ids or forget_day):
            # Only reading: no lock to take (a reader sees the old file or the new one,
            # as `save` replaces it in one rename), so a busy or read-only index is read.
            progress(f"opening {index_path}")
            index = ClusterIndex.open(corpus, config, aliases=aliases)
            index_record = {"path": index_path, "new": 0, "changed": 0, "unchanged": 0, "refused": [], "articles": len(index)}
            progress("clustering the index's articles", len(index))
            clusters = index.clusters()
            index_record["clusters"] = len(clusters)
            index_record["corpus_only"] = False
        elif index_path:
            read_paths: dict[str, str] = {}
            docs = () if corpus_is_index else _remember_paths(_read_clean(corpus, failures, progress), read_paths)
            index, index_record, forgotten_lines, refused_ids = _update_index(index_path, config, aliases, index_wait,
                                                                              docs, forget_ids, forget_day, progress)
            for refused, indexed in refused_ids:  # as a run over the union keeps one of the two
                reason = (f"article id {refused!r} differs only in case from {indexed!r}, already in the index "
                          f"{index_path}, and ids that differ only in case are one id; rename the file or fix the JSONL id")
                failures.append(failure_row(read_paths.get(refused, refused), reason, "cluster", doc_id=refused))
            progress("clustering the index's articles", len(index))
            clusters = index.clusters()
            index_record["clusters"] = len(clusters)
            index_record["corpus_only"] = corpus_only
            if corpus_only:
                clusters = [c for c in clusters if not read_paths.keys().isdisjoint(c.members)]
        else:
            from dedup.clustering import cluster as run_cluster

            clusters = run_cluster(_read_clean(corpus, failures, progress), config, aliases=aliases)
    finally:
        progress.close()
    if index_record is not None:
        click.echo(f"{index_path}: {index_record['new']} new articles, {index_record['changed']} changed, "
                   f"{index_record['unchanged']} unchanged; {index_record['articles']} in all", err=True)
        for line in forgotten_lines:
            click.echo(f"{index_path}: {line}", err=True)
    articles = sum(len(c.members) for c in clusters)
    grouped = sum(1 for c in clusters if len(c.members) > 1)
    exit_code = EXIT_SOME_FAILED if failures else EXIT_OK
    if out_dir is None:  # the clusters on stdout, no files (failures are listed below)
        for c in clusters:
            sys.stdout.write(dumps_line(c.to_json()))
        sys.stdout.flush()
        destination: object = "stdout"
    else:
        destination = out_dir / "clusters.jsonl"
        write_jsonl(destination, (c.to_json() for c in clusters))
        write_jsonl(out_dir / "errors.jsonl", failures)
        write_json(out_dir / "cluster.json", {
            "version": __version__,
            "signature": config.signature,
            "corpus": corpus,
            "index": index_record,
            "glossary": glossary_record,
            # The model that filled in missing languages (part of what decides the clusters).
            "langid": langid_signature() if config.identify_languages else None,
            "cluster": config.to_json(),
            "counts": {"articles": articles, "clusters": len(clusters), "grouped": grouped, "failures": len(failures)},
            "exit_code": exit_code,
        })
    report_failures(failures)
    of_index = f" of the index's {index_record['clusters']}, those holding an article of CORPUS" if corpus_only and index_record else ""
    click.echo(f"{articles} articles, {len(clusters)} clusters{of_index} ({grouped} with more than one article) "
               f"-> {destination}", err=True)
    click.echo(f"signature: {config.signature}", err=True)
    sys.exit(exit_code)


def _check_index_options(index_path: str | None, corpus_is_index: bool, corpus_only: bool,
                         forget_ids: tuple[str, ...], forget_before: str | None, index_wait: float = 0.0):
    """Options that only mean something with an index, checked before any work; the
    ``--forget-before`` day (or None)."""
    if index_wait and not index_path:
        raise click.UsageError("--index-wait is how long to wait for a locked index: add --index FILE")
    if (forget_ids or forget_before) and not index_path:
        raise click.UsageError("--forget and --forget-before take articles out of an index: add --index FILE")
    if corpus_only and (not index_path or corpus_is_index):
        raise click.UsageError("--corpus-only writes the index's clusters that hold an article of CORPUS: "
                               "give a corpus folder or file and --index FILE")
    return _iso_day_option(forget_before) if forget_before else None


def _remember_paths(docs, paths: dict[str, str]):
    """``docs``, unchanged, noting each one's input path by its id in ``paths`` as it passes."""
    for doc in docs:
        paths[doc.id] = doc.doc.path or doc.id
        yield doc


def _update_index(index_path: str, config, aliases, wait: float, docs, forget_ids: tuple[str, ...], forget_day,
                  progress=None):
    """Add ``docs`` to the index, forget what is asked, save: (index, record for cluster.json,
    lines for stderr, (id, indexed id) of the ids refused for differing only in case).  Locked from reading to saving, so that two jobs adding to one index
    cannot both read it and the later save drop the other's articles."""
    from dedup.errors import IndexLockedError
    from dedup.index import ClusterIndex

    tick = progress or (lambda stage, count=None: None)
    lines: list[str] = []
    tick(f"opening {index_path}")  # a million articles take about 25 s
    try:
        index = ClusterIndex.open(index_path, config, aliases=aliases, lock=True, wait=wait)
    except IndexLockedError as exc:
        raise IndexLockedError(f"{exc} (--index-wait SECONDS)") from None
    with index:
        refused: list[tuple[str, str]] = []
        added = index.add(docs, refused=refused)
        record: dict = {"path": index_path, **added._asdict(), "refused": [article_id for article_id, _ in refused]}
        if forget_ids:
            ids = index.ids()
            # As `xlate explain`, an id or the one id it starts; one not there at all is only
            # reported (a rerun finds it gone), one that starts several is an error.
            wanted = [_resolve_id(x, ids, index_path) if any(i.startswith(x) for i in ids) else x for x in forget_ids]
            absent = index.remove(wanted)
            record["forgotten"] = len(set(wanted)) - len(absent)
            record["not_in_index"] = absent
            lines.append(f"articles forgotten: {record['forgotten']}" + (f"; not in the index: {', '.join(absent)}" if absent else ""))
        if forget_day is not None:
            window = index.forget_before(forget_day)
            record["forgotten_before"] = {"day": forget_day.isoformat(), **window._asdict()}
            lines.append(f"articles published before {forget_day.isoformat()} forgotten: {window.removed}"
                         + (f" ({window.undated} without a publication date kept)" if window.undated else ""))
        record["articles"] = len(index)
        tick(f"saving {index_path}", len(index))
        index.save()
    return index, record, lines, refused


def _iso_day_option(value: str):
    """``--forget-before``'s day, or a usage error that shows the form wanted."""
    import datetime as _dt

    try:
        return _dt.date.fromisoformat(value.strip())
    except ValueError:
        raise click.UsageError(f"--forget-before {value!r}: not a day; give it as YYYY-MM-DD (2025-01-31)") from None


def _resolve_id(wanted: str, ids: list[str], where: str) -> str:
    """An article id, or the one id that starts with ``wanted`` (``000`` for ``000_2c8e...``)."""
    if wanted in ids:
        return wanted
    matches = [x for x in ids if x.startswith(wanted)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise click.UsageError(f"{wanted!r} starts {len(matches)} article ids in {where} ({', '.join(matches[:5])}"
                               f"{', ...' if len(matches) > 5 else ''}); give more of the id")
    if not ids:
        raise click.UsageError(f"no articles could be read from {where}; give a corpus folder, file, `-` or an index file")
    raise click.UsageError(f"no article with id {wanted!r} in {where} (ids look like: {', '.join(ids[:5])})")


def _membership(clusters, a: str, b: str, threshold: float) -> tuple[dict, str]:
    """Where A and B ended up in the run's clusters: JSON fields and a line of text."""
    of = {m: c for c in clusters for m in c.members}
    ca, cb = of[a], of[b]

    def size(c) -> str:
        return "alone" if len(c.members) == 1 else f"{len(c.members)} articles"

    if ca is cb:
        text = f"clusters: both in {ca.id} ({size(ca)})"
    else:
        text = (f"clusters: {a} in {ca.id} ({size(ca)}), {b} in {cb.id} ({size(cb)}); groups merge when their "
                f"average link score reaches threshold {threshold:g}")
    return {"cluster_a": ca.id, "cluster_b": cb.id, "same_cluster": ca is cb}, text


@click.command("explain")
@click.argument("corpus", type=click.Path(exists=True, allow_dash=True))
@click.argument("a")
@click.argument("b")
@glossary_option("whose name variants are folded together, as for `xlate cluster`.")
@click.option("--threshold", type=float, default=None, help="As for `xlate cluster`.")
@click.option("--json", "as_json", is_flag=True, help="Print the link as JSON.")
@click.option("--embeddings", is_flag=True, help="As for `xlate cluster`.")
@click.option("--workers", type=int, default=None, help="As for `xlate cluster`.")
@cluster_options
@handle_errors
def explain(corpus: str, a: str, b: str, glossary: str | None, threshold: float | None, as_json: bool, embeddings: bool,
            workers: int | None, settings: tuple[str, ...], cluster_config_file: str | None) -> None:
    """Say why articles A and B of CORPUS are (or are not) linked as one event.

    A and B are article ids (paths relative to CORPUS without extension), or the start of
    one (``000`` for ``000_2c8e8df7cb3b87a9``).  Names are weighted by their rarity in
    CORPUS, as in `xlate cluster`, and the last line says which clusters of CORPUS hold A
    and B.  CORPUS may also be an index file made by `xlate cluster --index`: the pair is
    then explained from the stored fingerprints, weighted over everything the index holds,
    without the texts.
    """
    from dedup.clustering import cluster_fingerprints, fingerprints
    from dedup.index import ClusterIndex
    from dedup.verify import CorpusStats, verify

    config = cluster_config_from_options(threshold, workers, embeddings, settings, cluster_config_file)
    aliases, _ = _glossary(glossary)
    failures: list[dict] = []
    if corpus != "-" and Path(corpus).is_file() and ClusterIndex.is_index(corpus):
        index = ClusterIndex.open(corpus, config, aliases=aliases)
        ids = index.ids()
        a, b = (_resolve_id(x, ids, corpus) for x in (a, b))
        link, clusters = index.explain(a, b), index.clusters()
    else:
        warn_if_no_article_files(corpus)
        progress = Progress()
        try:
            fps = list(fingerprints(_read_clean(corpus, failures, progress), config, aliases=aliases))
        finally:
            progress.close()
        # Before the ids are resolved: an id that is "not there" may be an article that failed.
        report_failures(failures)
        ids = sorted(fp.id for fp in fps)
        a, b = (_resolve_id(x, ids, "standard input" if corpus == "-" else corpus) for x in (a, b))
        by_id = {fp.id: fp for fp in fps}
        # The same fingerprints and corpus weights as `xlate cluster` over CORPUS.
        link, clusters = verify(by_id[a], by_id[b], CorpusStats(fps), config), cluster_fingerprints(fps, config)
    fields, text = _membership(clusters, link.a, link.b, config.threshold)
    if as_json:
        click.echo(json.dumps(link.to_json() | fields, ensure_ascii=False, indent=2))
    else:
        click.echo(link.describe() + "\n  " + text)
    # As every command: 1 when some inputs failed (the weights came from the others).
    sys.exit(EXIT_SOME_FAILED if failures else EXIT_OK)


commands = [cluster, explain]
