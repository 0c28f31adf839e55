"""``xlate report`` and ``xlate diff``: the reviewer commands (registered by xlate.cli)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from xlate.errors import XlateError


@click.command("report")
@click.argument("out", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--dest", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the site (default OUT/report); replaced only if it is an earlier report.")
def report(out: Path, dest: Path | None) -> None:
    """Write the static reviewer site for the run in OUT and print its index.html path."""
    from xlate.report import build_report

    try:
        index = build_report(out, dest=dest)
    except XlateError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(str(index))


@click.command("diff")
@click.argument("run_a", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("run_b", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the diff as an HTML page to this file.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help="Colour the diff; auto colours only on a terminal.")
def diff(run_a: Path, run_b: Path, html_path: Path | None, color: str) -> None:
    """Compare two runs of the same corpus sentence by sentence.

    Exits 0 whatever the differences; 2 on a usage error (a folder that is not a run).
    """
    from xlate.diff import diff_runs, render_text, write_html

    try:
        result = diff_runs(run_a, run_b)
    except XlateError as exc:
        raise click.UsageError(str(exc)) from exc
    use_color = color == "always" or (color == "auto" and sys.stdout.isatty())
    click.echo(render_text(result, color=use_color), nl=False, color=use_color)
    if html_path is not None:
        try:
            written = write_html(result, html_path)
        except XlateError as exc:
            raise click.UsageError(str(exc)) from exc
        click.echo(f"html: {written}", err=True)


commands = [report, diff]
