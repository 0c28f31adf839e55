"""``xlate report`` and ``xlate diff``: the reviewer commands (registered by xlate.cli)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from xlate.cli_common import handle_errors


@click.command("report")
@click.argument("out", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--dest", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the site (default OUT/report); replaced only if it is an earlier report.")
@handle_errors
def report(out: Path, dest: Path | None) -> None:
    """Write the static reviewer site for the run in OUT and print its index.html path.

    Exits 2 when OUT is not a finished run (no run.json, unreadable files)."""
    from xlate.report import build_report

    click.echo(str(build_report(out, dest=dest)))


@click.command("diff")
@click.argument("run_a", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("run_b", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the diff as an HTML page to this file.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help="Colour the diff; auto colours only on a terminal.")
@handle_errors
def diff(run_a: Path, run_b: Path, html_path: Path | None, color: str) -> None:
    """Compare two runs of the same corpus sentence by sentence, and their clusters.

    Shows changed sentences, settings that differ, clusters split or merged between the
    runs, and glossary differences.  Exits 0 whatever the differences; 2 on a usage error
    (a folder that is not a run).
    """
    from xlate.diff import diff_runs, render_text, write_html

    result = diff_runs(run_a, run_b)
    use_color = color == "always" or (color == "auto" and sys.stdout.isatty())
    click.echo(render_text(result, color=use_color), nl=False, color=use_color)
    if html_path is not None:
        written = write_html(result, html_path)
        click.echo(f"html: {written}", err=True)


commands = [report, diff]
