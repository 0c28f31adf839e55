"""Apertium, the rule-based engine that runs fully offline (Debian packages).

Routes are found from the installed modes (``apertium -l``): a direct ``xx-en`` pair, or
a pivot through another language (French goes ``fr-es`` then ``spa-eng``).  A batch is
sent as one HTML document, one ``<p id="sN">`` per sentence, so each sentence is a
block of its own (no transfer rule spans two sentences) and comes back under its id; the
two stages of a pivot run as one process each per batch, which is what makes Apertium
fast (hundreds of sentences a second) compared with one process per sentence.
"""
from __future__ import annotations

import html
import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from xlate.engines.base import Engine
from xlate.errors import EngineUnavailableError, TranslationError

INSTALL_HINT = "apt-get install apertium apertium-fr-es apertium-eng-spa"
# Apertium names languages with ISO 639-1 or 639-3 codes; routes are planned in 639-1.
_ISO3 = {"fra": "fr", "spa": "es", "eng": "en", "cat": "ca", "por": "pt", "ita": "it", "deu": "de", "oci": "oc",
         "glg": "gl", "ron": "ro", "nld": "nl", "eus": "eu", "arg": "an", "ast": "ast", "epo": "eo", "rus": "ru",
         "ukr": "uk", "bel": "be", "srd": "sc", "afr": "af", "dan": "da", "nob": "nb", "nno": "nn", "swe": "sv",
         "isl": "is", "kaz": "kk", "tat": "tt", "mlt": "mt", "ara": "ar", "hin": "hi", "urd": "ur", "cym": "cy",
         "bre": "br", "gle": "ga", "sme": "se", "fin": "fi", "est": "et", "tur": "tr"}
_MODE = re.compile(r"([a-z]{2,3})-([a-z]{2,3})")
_BLOCK = re.compile(r'<p id="s(\d+)">(.*?)</p>', re.DOTALL)
_TIMEOUT_S = 600


def _data_names(route: list[str]) -> set[str]:
    # Mode "spa-eng" comes from package apertium-eng-spa (either order).
    names = set()
    for mode in route:
        a, _, b = mode.partition("-")
        names |= {f"{a}-{b}", f"{b}-{a}"}
    return names


def _iso1(code: str) -> str:
    return _ISO3.get(code, code)


# Apertium's transfer capitalises the first word of a sentence that its rules handle, and
# words it does not know (names, glossary placeholders) are not handled: "Betancourt a
# dit" came out "Betancourt Has said".  So before the last stage, a sentence that opens on
# a word that stage does not know gets a proper noun it knows put in front, which takes the
# capital, and the noun is taken out of the English again.  These nouns pass fr-es as
# unknown words and spa-eng unchanged, in every context tried (tests/test_engines.py);
# Rosa ("Pink"), Ida ("Gone") and Vera ("Edge") do not.
OPENING_NOUNS = ("Lucie", "Irma", "Edna", "Greta", "Hilda", "Nina", "Ursula", "Wanda", "Yvonne", "Zelda", "Lydia")
# French subject inversion ("a-t-il dit", "dit-elle", "Faut-il") is not analysed by fr-es:
# the English came out "has says", "haindicado", "says-." (3% of rpm2's sentences, 108 of
# newstest2014's 3,003 lines).  The pronoun is put before its verb first ("il a dit"), which
# fr-es handles.  Only subject pronouns that cannot be objects: "dites-nous" is left alone.
_FRENCH_INVERSION = re.compile(r"(?<![\w-])([^\W\d_]+)-(?:t-)?(il|elle|on|ils|elles|je|tu)(?![\w-])")
# What xlate does around the engine (opening nouns, French inversion), named in signatures
# and the translation memory's keys: the English differs from Apertium's alone.
POSTEDIT = "open1+inv1"
# A block's first word: after leading spaces, punctuation and entities (``&laquo;``), a run
# of letters; a block opening on a digit is left alone (a number is a word Apertium knows).
_FIRST_WORD = re.compile(r"^(?:\s|&#?\w+;|[^\w&])*([^\W\d_]+)")
_LEXICAL_UNIT = re.compile(r"\^([^/$]*)/([^$]*)\$")


class ApertiumEngine(Engine):
    name = "apertium"
    protection = "placeholder"
    # Each call starts both stages' pipelines (about 0.2 s): 3,864 rpm2 sentences took 12.0 s
    # in calls of 128, 7.0 s of 512, 6.4 s of 1,024 and 5.7 s in one (see also
    # bench/bench_mt_quality.py); larger calls gain little and hold more in memory.
    sentences_per_call = 1024

    def __init__(self, binary: str | None = None, timeout_s: float = _TIMEOUT_S):
        self._binary = binary
        self.timeout_s = timeout_s
        self._analysers: dict[str, list[str] | None] = {}

    # -- discovery -------------------------------------------------------------------
    @cached_property
    def binary(self) -> str:
        found = self._binary or shutil.which("apertium")
        if not found:
            raise EngineUnavailableError(f"the 'apertium' command is not installed; {INSTALL_HINT}")
        return found

    @cached_property
    def modes(self) -> dict[tuple[str, str], str]:
        """(src, trg) in ISO 639-1 -> installed mode name, plain pairs only."""
        try:
            out = subprocess.run([self.binary, "-l"], capture_output=True, text=True, timeout=60, check=False).stdout
        except OSError as exc:
            raise EngineUnavailableError(f"cannot run {self.binary}: {exc}; {INSTALL_HINT}") from exc
        modes: dict[tuple[str, str], str] = {}
        for line in out.split():
            m = _MODE.fullmatch(line.strip())
            if m:
                modes.setdefault((_iso1(m.group(1)), _iso1(m.group(2))), line.strip())
        return modes

    def route(self, src: str) -> list[str] | None:
        """Mode names that take ``src`` to English (direct, else one pivot), or None."""
        src = src.split("-")[0].lower()
        modes = self.modes
        if (src, "en") in modes:
            return [modes[(src, "en")]]
        # Pivot: prefer Spanish (the best-covered pairs), then any language, alphabetically.
        pivots = sorted({b for (a, b) in modes if a == src and (b, "en") in modes}, key=lambda p: (p != "es", p))
        if pivots:
            return [modes[(src, pivots[0])], modes[(pivots[0], "en")]]
        return None

    def supports(self, src: str) -> bool:
        try:
            return self.route(src) is not None
        except EngineUnavailableError:
            return False

    @cached_property
    def version(self) -> str:
        out = subprocess.run([self.binary, "-V"], capture_output=True, text=True, timeout=60, check=False).stdout
        m = re.search(r"(\d+\.\d+(?:\.\d+)?)", out)
        return m.group(1) if m else "unknown"

    @cached_property
    def data_versions(self) -> dict[str, str]:
        """Installed language-data package versions (Debian), which decide the output too."""
        query = shutil.which("dpkg-query")
        if not query:
            return {}
        out = subprocess.run([query, "-W", "-f", "${Package} ${Version} ${db:Status-Abbrev}\\n", "apertium-*"],
                             capture_output=True, text=True, timeout=60, check=False).stdout
        versions = {}
        for line in out.splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[2].startswith("ii") and parts[0] not in ("apertium-lex-tools",):
                versions[parts[0].removeprefix("apertium-")] = parts[1]
        return versions

    @property
    def info(self) -> dict[str, Any]:
        return {"engine": self.name, "engine_version": self.version, "model": None, "model_revision": None,
                "data": self.data_versions, "postedit": POSTEDIT,
                "routes": {f"{a}-{b}": mode for (a, b), mode in sorted(self.modes.items()) if b == "en" or (b, "en") in self.modes}}

    def signature_for(self, src: str) -> str:
        route = self.route(src) or []
        data = self.data_versions
        used = ",".join(f"{m}={data[m]}" for m in sorted(data) if m in _data_names(route))
        return f"apertium-{self.version}|route:{'+'.join(route)}|data:{used or '?'}|{POSTEDIT}|src:{src}"

    # -- translation -----------------------------------------------------------------
    def translate_batch(self, sentences: Sequence[str], src: str) -> list[str]:
        if not sentences:
            return []
        route = self.route(src)
        if route is None:
            raise EngineUnavailableError(
                f"no Apertium route from {src!r} to English among the installed modes "
                f"({', '.join(sorted(self.modes.values())) or 'none'}); install a pair, e.g. {INSTALL_HINT}")
        if route[0].split("-")[0] in ("fr", "fra"):
            sentences_in = [_FRENCH_INVERSION.sub(_uninvert, s) for s in sentences]
        else:
            sentences_in = list(sentences)
        document = "".join(f'<p id="s{i}">{html.escape(s, quote=False)}</p>\n' for i, s in enumerate(sentences_in))
        result = self._run(route, document)
        blocks = {int(i): body for i, body in _BLOCK.findall(result)}
        if set(blocks) != set(range(len(sentences))):
            # A block boundary got lost: translate one at a time rather than misalign.
            if len(sentences) == 1:
                raise TranslationError(f"apertium {'+'.join(route)} returned no translation for {sentences[0][:80]!r}")
            return [self.translate_batch([s], src)[0] for s in sentences]
        return [" ".join(html.unescape(blocks[i]).split()) for i in range(len(sentences))]

    def _run(self, route: list[str], document: str) -> str:
        data = document.encode("utf-8")
        opened: dict[str, str] = {}
        for n, mode in enumerate(route):
            if n == len(route) - 1:
                text, opened = self._open_unknown_first_words(mode, data.decode("utf-8", "replace"))
                data = text.encode("utf-8")
            try:
                proc = subprocess.run([self.binary, "-u", "-f", "html-noent", mode], input=data, capture_output=True,
                                      timeout=self.timeout_s, check=False)
            except subprocess.TimeoutExpired as exc:
                raise TranslationError(f"apertium {mode} took longer than {self.timeout_s}s on a batch; lower batch_size") from exc
            if proc.returncode != 0:
                err = proc.stderr.decode("utf-8", "replace").strip()[-300:]
                raise TranslationError(f"apertium {mode} failed (exit {proc.returncode}): {err}")
            data = proc.stdout
        result = data.decode("utf-8", "replace")
        if opened:
            result = _BLOCK.sub(lambda m: _close_opening(m, opened), result)
        return result

    # -- sentence-opening unknown words (see OPENING_NOUNS) --------------------------------
    def _open_unknown_first_words(self, mode: str, document: str) -> tuple[str, dict[str, str]]:
        """``document`` with a known proper noun put before each block's first word that
        ``mode``'s analyser does not know, and {block id: noun put there}.  Unchanged when
        the analyser cannot be found (a custom install): the capital is then left as is."""
        analyser = self._analyser(mode)
        if analyser is None:
            return document, {}
        firsts = {}
        for block_id, body in _BLOCK.findall(document):
            m = _FIRST_WORD.match(body)
            if m:
                firsts[block_id] = m
        if not firsts:
            return document, {}
        # One word a line, each closed by a full stop so no multiword unit joins two lines.
        probe = "".join(f"{m.group(1)} .\n" for m in firsts.values())
        try:
            proc = subprocess.run(analyser, input=probe.encode("utf-8"), capture_output=True, timeout=self.timeout_s, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return document, {}
        lines = proc.stdout.decode("utf-8", "replace").split("\n")  # lt-proc keeps the line breaks
        if proc.returncode != 0 or len(lines) < len(firsts):
            return document, {}
        opened: dict[str, str] = {}
        for (block_id, m), line in zip(firsts.items(), lines):
            unit = _LEXICAL_UNIT.search(line)
            # The word must come back as one unit, unknown ("*"): anything else is left alone.
            if unit is None or unit.group(1) != m.group(1) or not unit.group(2).startswith("*"):
                continue
            body = m.string.lower()
            noun = next((n for n in OPENING_NOUNS if n.lower() not in body), None)
            if noun is not None:
                opened[block_id] = noun
        if not opened:
            return document, {}

        def open_block(b: re.Match[str]) -> str:
            noun = opened.get(b.group(1))
            if noun is None:
                return b.group(0)
            start = firsts[b.group(1)].start(1)
            body = b.group(2)
            return f'<p id="s{b.group(1)}">{body[:start]}{noun} {body[start:]}</p>'

        return _BLOCK.sub(open_block, document), opened

    def _analyser(self, mode: str) -> list[str] | None:
        """The command of ``mode``'s morphological analyser (the first program of its
        ``.mode`` pipeline: ``lt-proc .../spa-eng.automorf.bin``), or None."""
        if mode not in self._analysers:
            self._analysers[mode] = _mode_analyser(self.binary, mode)
        return self._analysers[mode]


def _uninvert(m: re.Match[str]) -> str:
    """``dit-il`` -> ``il dit``; ``Faut-il`` -> ``Il faut`` (the capital stays first)."""
    verb, pronoun = m.group(1), m.group(2)
    if verb[:1].isupper() and (len(verb) == 1 or verb[1:].islower()):
        return f"{pronoun.capitalize()} {verb[0].lower()}{verb[1:]}"
    return f"{pronoun} {verb}"


def _close_opening(block: re.Match[str], opened: dict[str, str]) -> str:
    """Take the noun `ApertiumEngine._open_unknown_first_words` put in out of a translated block."""
    noun = opened.get(block.group(1))
    if noun is None:
        return block.group(0)
    body = re.sub(rf"(?<!\w){re.escape(noun)}(?:\s+|(?!\w))", "", block.group(2), count=1)
    return f'<p id="s{block.group(1)}">{body}</p>'


def _mode_analyser(binary: str, mode: str) -> list[str] | None:
    # The apertium script reads its modes from $APERTIUM_DATADIR/modes, by default the
    # folder its installation prefix names (/usr/share/apertium).
    datadir = os.environ.get("APERTIUM_DATADIR")
    if not datadir:
        try:
            script = Path(binary).read_text(encoding="utf-8", errors="replace")
        except OSError:
            script = ""
        m = re.search(r'APERTIUM_DATADIR:-([^}"]+)', script)
        datadir = m.group(1) if m else str(Path(binary).resolve().parent.parent / "share" / "apertium")
    try:
        pipeline = (Path(datadir) / "modes" / f"{mode}.mode").read_text(encoding="utf-8")
    except OSError:
        return None
    try:
        first = shlex.split(pipeline.split("|", 1)[0])
    except ValueError:
        return None
    if not first or Path(first[0]).name != "lt-proc" or any("$" in arg for arg in first):
        return None
    found = shutil.which(first[0])
    return [found, *first[1:]] if found else None
