"""`xlate translate FILE|-`: translate one text and print it sentence-aligned.

JSONL (default): one object per sentence, the same fields as OUT/articles/<id>.jsonl.
``--format text``: the English sentences, one paragraph per source line, then any
glossary violations on stderr.  Exit 0 when every locked name came through, 1 when some
sentence has a violation, 2 on a usage or engine error.
"""
from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import click

from xlate.cli_common import EXIT_OK, glossary_option, handle_errors

EXIT_VIOLATIONS = 1


@click.command("translate")
@click.argument("source", type=click.File("rb"), metavar="FILE|-")
@click.option("--engine", type=click.Choice(["auto", "marian", "apertium", "ctranslate2"]), default="auto", show_default=True,
              help="Translation engine; auto = Marian when a model is available, else Apertium.")
@click.option("--model", default=None, help="Marian model: a hub id or a local folder (default opus-mt-{lang}-en).")
@glossary_option("of locked names: they stay as written, and every violation is reported.")
@click.option("--lang", default=None, help="Source language (ISO 639-1); detected when omitted.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "text"]), default="jsonl", show_default=True)
@click.option("--cache", type=click.Path(dir_okay=False), default=None, help="Translation memory file (SQLite) to reuse and fill.")
@click.option("--beam", type=int, default=4, show_default=True)
@click.option("--device", default="auto", show_default=True, help="auto, cpu or cuda.")
@click.option("--clean", "clean_text", is_flag=True,
              help="Clean a plain-text scrape first (cookie banners, ads, share lines...), as `xlate run` does.")
@handle_errors
def translate(source, engine, model, glossary, lang, fmt, cache, beam, device, clean_text):
    """Translate FILE (or - for stdin) to English, sentence by sentence.

    The text is decoded as `xlate run` reads files (UTF-8, UTF-16 or a detected legacy
    encoding).  An HTML page (.html/.htm, or input that starts like one) is reduced to its
    article first, as `xlate run` cleans it; plain text is translated as it is, or cleaned
    first with --clean.  Offsets refer to the text translated (each sentence's source is in
    the output).
    """
    from xlate.translator import Translator

    name = getattr(source, "name", "-")
    text = _source_text(source.read(), "-" if name == "<stdin>" else name, clean_text)
    translator = None
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            translator = Translator(engine, model=model, glossary=glossary, cache=cache, beam=beam, device=device)
            result = translator.translate(text, lang, id=getattr(source, "name", "-"))
        for w in caught:
            if "xlate" in str(w.message):
                click.echo(f"warning: {w.message}", err=True)
    finally:
        if translator is not None:
            translator.close()

    def out(line: str) -> None:
        click.echo(line, nl=False)  # stdout in the terminal's encoding, whatever it is

    if fmt == "jsonl":
        for pair in result.pairs:
            out(json.dumps(pair.to_json(), ensure_ascii=False, sort_keys=False) + "\n")
    else:
        previous_end = None
        line = []
        for pair in result.pairs:
            if previous_end is not None and "\n" in text[previous_end:pair.start]:
                out(" ".join(line) + "\n")
                line = []
            line.append(pair.english)
            previous_end = pair.end
        if line:
            out(" ".join(line) + "\n")
    for pair in result.pairs:
        for v in pair.violations:
            click.echo(f"violation: sentence {pair.index}: {v['term']} -> {v['expected']}: {v['reason']}", err=True)
    click.echo(f"{len(result.pairs)} sentences, lang {result.lang}, {result.signature}", err=True)
    sys.exit(EXIT_VIOLATIONS if result.violations else EXIT_OK)


def _source_text(data: bytes, name: str, clean_text: bool = False) -> str:
    from dedup.encoding import decode_bytes
    from dedup.reader import TEXT_SUFFIXES  # the suffixes `xlate run` reads as HTML

    text, _ = decode_bytes(data, name)  # a binary or undecodable input: one-line error, exit 2
    if not text.strip():
        # As `xlate run` lists an empty file: nothing came (an empty pipe, a truncated file).
        raise click.UsageError(f"{name}: empty input (no text to translate); check the file or the command feeding stdin")
    head = text.lstrip()[:100].lower()
    is_html = TEXT_SUFFIXES.get(Path(name).suffix.lower()) == "html" or head.startswith(("<!doctype html", "<html"))
    if not (is_html or clean_text):
        return text
    from dedup import clean
    from dedup.document import Document
    from xlate.cleaning import nothing_left

    cleaned = clean(Document(id=name, text=text, format="html" if is_html else "txt", path=name))
    if not cleaned.text.strip():
        raise click.UsageError(f"{name}: {nothing_left()}")
    return cleaned.text


commands = [translate]
