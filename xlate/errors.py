"""Typed exceptions of the `xlate` package.  The library raises; only the CLI prints."""


class XlateError(Exception):
    """Base class of every error raised by `xlate`."""


class ConfigError(XlateError, ValueError):
    """A configuration value is invalid; the message names the value and the fix."""


class GlossaryError(XlateError):
    """A glossary file is malformed; the message names the file, line and fix."""


class EngineUnavailableError(XlateError):
    """A translation engine (or its model) cannot be used here; the message says how to get it."""


class TranslationError(XlateError):
    """An engine failed on an input it should have translated."""


class OutputError(XlateError):
    """An output could not be written (bad article id, unwritable folder...)."""
