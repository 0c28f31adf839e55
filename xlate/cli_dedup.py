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
from xlate.cli_common import EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, handle_errors, report_failures
from xlate.outputs import write_json, write_jsonl


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
    return ClusterConfig.from_json(base, **overrides)


def _glossary(glossary: str | None) -> tuple[dict | None, dict | None]:
    """(aliases for clustering, what to record of the glossary), or (None, None)."""
    if not glossary:
        return None, None
    from xlate.glossary import Glossary  # lazy: another package's module

    loaded = Glossary.load(glossary)
    return loaded.aliases(), {"path": glossary, "sha256": loaded.sha256, "entries": len(loaded.entries)}


def _read_clean(corpus: str, failures: list[dict]):
    """Cleaned articles, as `xlate run` cleans them (site-repeated lines included)."""
    from xlate.cleaning import clean_documents

    def on_error(error) -> None:
        failures.append(error.to_json() | {"stage": "read"})

    for _, cleaned in clean_documents(corpus, on_error=on_error):
        yield cleaned


@click.command("cluster")
@click.argument("corpus", type=click.Path(exists=True, allow_dash=True))
@click.option("-o", "--out", "out", required=True, type=click.Path(file_okay=False), help="Output folder (OUT/clusters.jsonl).")
@click.option("--index", "index_path", type=click.Path(dir_okay=False), default=None,
              help="Persisted index file: CORPUS is added to it and clusters cover everything it holds.")
@click.option("--glossary", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Glossary whose name variants are folded together (Achgabat = Ashgabat).")
@click.option("--threshold", type=float, default=None,
              help="Average-link score two groups need to merge (default 0.1); higher splits more.")
@click.option("--workers", type=int, default=None, help="Fingerprinting processes (default 1).")
@click.option("--embeddings", is_flag=True, help="Score cross-lingual pairs with multilingual-e5-small similarity too (pip install 'xlate[embed]').")
@cluster_options
@handle_errors
def cluster(corpus: str, out: str, index_path: str | None, glossary: str | None, threshold: float | None, workers: int | None,
            embeddings: bool, settings: tuple[str, ...], cluster_config_file: str | None) -> None:
    """Group the articles of CORPUS that report the same event; write OUT/clusters.jsonl.

    Each line: {"cluster", "members", "representative", "size", "linked_pairs", "links"}:
    the links are the strongest that join all members (size - 1 of them), each with its
    reasons (shared names, dates, amounts, keywords, scores); linked_pairs counts every
    verified link among the members.  OUT/cluster.json records what made them (settings,
    signature, glossary hash, versions): `--cluster-config OUT/cluster.json` repeats them.
    """
    config = cluster_config_from_options(threshold, workers, embeddings, settings, cluster_config_file)
    aliases, glossary_record = _glossary(glossary)
    failures: list[dict] = []
    docs = _read_clean(corpus, failures)
    if index_path:
        from dedup.index import ClusterIndex

        index = ClusterIndex.open(index_path, config, aliases=aliases)
        added = index.add(docs)
        index.save()
        clusters = index.clusters()
        index_record = {"path": index_path, **added._asdict(), "articles": len(index)}
        click.echo(f"{index_path}: {added.new} new articles, {added.changed} changed, {added.unchanged} unchanged; "
                   f"{len(index)} in all", err=True)
    else:
        from dedup.clustering import cluster as run_cluster

        index_record = None

        clusters = run_cluster(docs, config, aliases=aliases)
    out_dir = Path(out)
    write_jsonl(out_dir / "clusters.jsonl", (c.to_json() for c in clusters))
    write_jsonl(out_dir / "errors.jsonl", failures)
    articles = sum(len(c.members) for c in clusters)
    grouped = sum(1 for c in clusters if len(c.members) > 1)
    exit_code = EXIT_SOME_FAILED if failures else EXIT_OK
    write_json(out_dir / "cluster.json", {
        "version": __version__,
        "signature": config.signature,
        "corpus": corpus,
        "index": index_record,
        "glossary": glossary_record,
        "cluster": config.to_json(),
        "counts": {"articles": articles, "clusters": len(clusters), "grouped": grouped, "failures": len(failures)},
        "exit_code": exit_code,
    })
    report_failures(failures)
    click.echo(f"{articles} articles, {len(clusters)} clusters ({grouped} with more than one article) -> {out_dir / 'clusters.jsonl'}", err=True)
    click.echo(f"signature: {config.signature}", err=True)
    sys.exit(exit_code)


def _format_link(link) -> str:
    r = link.reasons
    s = r["scores"]
    verdict = "linked" if link.linked else "not linked"
    lines = [
        f"{link.a} <-> {link.b}: score {link.score:.3f} ({verdict})",
        f"  event overlap {s['event']:.3f}, keywords {s['keywords']:.3f}, title/lead {s['title']:.3f}, "
        f"shingle Jaccard {s['minhash_jaccard']:.3f}",
        f"  shared names:    {', '.join(r['entities']) or '-'}",
        f"  shared dates:    {', '.join(r['dates']) or '-'}",
        f"  shared amounts:  {', '.join(r['numbers']) or '-'}",
        f"  shared keywords: {', '.join(r['keywords']) or '-'}",
    ]
    gap = r["date_gap_days"]
    if gap is None:
        lines.append("  dates: not comparable (one article gives no day)")
    else:
        lines.append(f"  closest dates {gap} days apart" + (" -> different events, score penalised" if r["date_conflict"] else ""))
    published = r["published_gap_days"]
    if published is not None:
        lines.append(f"  published {published} days apart"
                     + (" -> different events, score penalised" if r["published_conflict"] else ""))
    if r["near_duplicate"]:
        lines.append("  near-duplicate: copies of one text")
    if "embedding_cosine" in s:
        lines.append(f"  embedding cosine (multilingual-e5-small): {s['embedding_cosine']:.3f}")
    if r["cross_lingual"]:
        lines.append("  cross-lingual pair: scored on names, dates and amounts only")
    return "\n".join(lines)


@click.command("explain")
@click.argument("corpus", type=click.Path(exists=True, allow_dash=True))
@click.argument("a")
@click.argument("b")
@click.option("--glossary", type=click.Path(exists=True, dir_okay=False), default=None, help="Glossary of name variants.")
@click.option("--threshold", type=float, default=None, help="As for `xlate cluster`.")
@click.option("--json", "as_json", is_flag=True, help="Print the link as JSON.")
@click.option("--embeddings", is_flag=True, help="As for `xlate cluster`.")
@cluster_options
@handle_errors
def explain(corpus: str, a: str, b: str, glossary: str | None, threshold: float | None, as_json: bool, embeddings: bool,
            settings: tuple[str, ...], cluster_config_file: str | None) -> None:
    """Say why articles A and B of CORPUS are (or are not) linked as one event.

    A and B are article ids (paths relative to CORPUS without extension).  Names are
    weighted by their rarity in CORPUS, as in `xlate cluster`.  CORPUS may also be an index
    file made by `xlate cluster --index`: the pair is then explained from the stored
    fingerprints, weighted over everything the index holds, without the texts.
    """
    from dedup.clustering import explain as run_explain
    from dedup.index import ClusterIndex

    config = cluster_config_from_options(threshold, None, embeddings, settings, cluster_config_file)
    aliases, _ = _glossary(glossary)
    if corpus != "-" and Path(corpus).is_file() and ClusterIndex.is_index(corpus):
        link = ClusterIndex.open(corpus, config, aliases=aliases).explain(a, b)
        click.echo(json.dumps(link.to_json(), ensure_ascii=False, indent=2) if as_json else _format_link(link))
        return
    failures: list[dict] = []
    docs = list(_read_clean(corpus, failures))
    by_id = {d.id: d for d in docs}
    missing = [x for x in (a, b) if x not in by_id]
    if missing:
        known = ", ".join(sorted(by_id)[:5])
        click.echo(f"error: no article with id {', '.join(map(repr, missing))} in {corpus} (ids look like: {known})", err=True)
        sys.exit(EXIT_USAGE)
    link = run_explain(by_id[a], by_id[b], config, aliases=aliases, context=docs)
    click.echo(json.dumps(link.to_json(), ensure_ascii=False, indent=2) if as_json else _format_link(link))


commands = [cluster, explain]
