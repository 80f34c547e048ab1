"""Voices and samples, for `voiceguide voices` and `voiceguide say`: every engine's voices as
a table, and one sentence spoken as a session would speak it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from voiceguide.errors import AudioError, UsageError, printable
from voiceguide.tts.base import Clip
from voiceguide.tts.engines import choose_engine
from voiceguide.tts.voices import speech_for


@dataclass(frozen=True)
class Sample:
    clip: Clip
    voice: str  # the engine and voice that spoke, and why that engine


def say_text(
    text: str,
    engine: str | None = None,
    voice: str | None = None,
    rate_wpm: int | None = None,
    language: str = "en",
) -> Sample:
    """``text`` spoken as a session would speak it (trimmed, through the speech cache)."""
    from voiceguide.routine.limits import MAX_TEXT_CHARS
    from voiceguide.routine.model import Routine, Voice

    if not text.strip():
        raise UsageError("TEXT", "there is nothing to say: give a sentence in quotes")
    if len(text) > MAX_TEXT_CHARS:
        raise UsageError("TEXT", f"give at most {MAX_TEXT_CHARS:,} characters to say")
    spoken = Voice()
    if rate_wpm is not None:
        spoken = replace(spoken, rate_wpm=rate_wpm)
    routine = Routine(title="say", items=(), language=language, voice=spoken)
    choice = choose_engine(routine, engine, voice)
    speech = speech_for(routine, choice, voice)
    clip = speech.clip(" ".join(text.split()), spoken.rate_wpm)
    return Sample(clip, choice.summary(speech.voice))


def write_sample(clip: Clip, path: Path) -> None:
    """The clip as a mono 16-bit WAV file, written atomically; only a regular file is
    replaced."""
    from voiceguide.files import replace as replace_file
    from voiceguide.files import writable_path, write_atomically

    if path.suffix.lower() != ".wav":
        raise UsageError("-o", f"'{printable(str(path))}': say writes WAV, so name it NAME.wav")
    target = writable_path(path)
    if not target.parent.is_dir():
        raise UsageError("-o", f"cannot write {path}: no folder {target.parent}")
    try:
        write_atomically(target, clip.wav_bytes(), replace_file)
    except OSError as error:
        raise AudioError(f"cannot write {path}: {error.strerror or error}") from None


def describe_voices(language: str | None = None, engine: str | None = None) -> list[str]:
    """Every engine's voices as aligned lines (id, language, engine, quality, licence, name),
    then notes: licences, and a language without a natural voice."""
    from voiceguide.tts.natural import piper_installed
    from voiceguide.tts.voices import installed_engines, list_voices

    engines = [engine] if engine and engine != "auto" else installed_engines()
    rows: list[tuple[str, ...]] = [("id", "language", "engine", "quality", "licence", "name")]
    for name in engines:
        if name == "piper" and not piper_installed():
            continue  # said below
        for voice in list_voices(language, name):
            languages = ", ".join(voice.languages)
            rows.append((voice.id, languages, name, voice.quality, voice.licence, voice.name))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = [
        "  ".join(f"{c:<{w}}" for c, w in zip(row, widths, strict=False)) + "  " + row[-1]
        for row in rows
    ]
    notes = _voice_notes(language, rows, "piper" in engines)
    return [line.rstrip() for line in lines] + notes


def _voice_notes(language: str | None, rows: list[tuple[str, ...]], natural: bool) -> list[str]:
    """The licence note of a listed natural voice; why a language has none."""
    from voiceguide.tts.natural import INSTALL_HINT, LICENCE_NOTE, natural_available

    notes = [""]
    if any(row[4].endswith("*") for row in rows[1:]):
        notes.append(LICENCE_NOTE)
    if not natural_available():
        notes.append(f"No natural voice is installed, so auto uses pyttsx3: {INSTALL_HINT}")
    elif natural and language and not any(row[2] == "piper" for row in rows[1:]):
        notes.append(
            f"No natural voice speaks '{language}', so auto uses pyttsx3 (espeak-ng) for it; "
            "a Piper voice of your own for it can be given as voice.model."
        )
    return notes if len(notes) > 1 else []
