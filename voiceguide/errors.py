"""The one exception family of voiceguide and the exit codes the CLI turns it into.

Library code raises these; only ``cli.py`` catches them, prints one line per problem and
exits. Anything else escaping is a bug and shows its traceback.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass


class ExitCode(enum.IntEnum):
    OK = 0
    FAILURE = 1  # an invalid routine or a failed render
    USAGE = 2  # bad command-line options (Typer's own code)
    INTERRUPTED = 130  # Ctrl-C
    TERMINATED = 143  # SIGTERM


class VoiceguideError(Exception):
    """An expected failure: the message says what went wrong and what to do."""

    exit_code = ExitCode.FAILURE

    def lines(self) -> list[str]:
        """The message as the CLI prints it, one problem a line."""
        return [printable(str(self))]


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in a routine file, located at a 1-based line and column."""

    path: str
    line: int
    column: int
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}" if self.line else self.path
        text = f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"
        return printable(text)  # a key or value quoted from the file may hold a newline


# Control characters, line breaks, text-reordering controls and lone surrogates.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` with every character that would act on a terminal, break the line or fail to
    encode shown as its Python escape (``\\x1b``, ``\\n``, ``\\ud800``): whatever a file or a
    name holds, what voiceguide prints is inert, one line, and encodable."""
    return _UNPRINTABLE.sub(lambda match: ascii(match.group())[1:-1], text)


SHOWN_CHARS = 40  # a value quoted in a message is cut to this length


def shown(value: str, limit: int = SHOWN_CHARS) -> str:
    """``value`` quoted for a message: unprintable characters escaped, a long value cut short
    with its length said."""
    if len(value) <= limit:
        return f"'{printable(value)}'"
    return f"'{printable(value[: limit - 10])}...' ({len(value):,} characters)"


class RoutineError(VoiceguideError):
    """A routine file has one or more problems; all of them are reported at once."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


class PlanError(VoiceguideError):
    """The routine cannot be planned with these settings (a target out of reach, an overrun)."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("\n".join(messages))

    def lines(self) -> list[str]:
        return [printable(message) for message in self.messages]


class UsageError(VoiceguideError):
    """A command-line option whose value cannot work; found before any work is done.

    ``option`` is the option at fault as the user typed it (``--bitrate``); the CLI shows
    the message as "Invalid value for '--bitrate': ..." and exits 2.
    """

    exit_code = ExitCode.USAGE

    def __init__(self, option: str, message: str) -> None:
        self.option = option
        self.message = message
        super().__init__(f"Invalid value for '{option}': {message}")


class SpeechError(VoiceguideError):
    """The speech engine is missing, or failed on a phrase."""


class AudioError(VoiceguideError):
    """ffmpeg is missing, or rendering or exporting the audio failed."""


class TemplateNotFound(VoiceguideError):
    """A routine argument is neither a file nor a built-in template."""


def error_at(
    source: str,
    locations: Mapping[str, tuple[int, int]],
    key: str,
    message: str,
    option: str | None,
    otherwise: type[VoiceguideError],
) -> VoiceguideError:
    """A RoutineError at ``key``'s place in the routine file ``source``; when the value did
    not come from the file, a UsageError naming the command-line ``option`` that gave it, or
    ``otherwise`` (a routine built in code)."""
    if key in locations:
        line, column = locations[key]
        return RoutineError([Problem(source, line, column, key, message)])
    return UsageError(option, message) if option else otherwise(message)
