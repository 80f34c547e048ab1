"""The voice rules: which voice speaks a routine, and where a bad one is reported."""

from __future__ import annotations

from dataclasses import replace

import pytest

from voiceguide.errors import RoutineError, SpeechError, UsageError
from voiceguide.routine.loader import load_routine_text
from voiceguide.routine.model import Routine
from voiceguide.tts.base import VoiceInfo
from voiceguide.tts.voices import choose_voice, voice_for_language

VOICES = [
    VoiceInfo(id="gmw/en", name="English", languages=("en-gb", "en")),
    VoiceInfo(id="gmw/en-US", name="English (America)", languages=("en-us", "en")),
    VoiceInfo(id="gmw/de", name="German", languages=("de",)),
    VoiceInfo(id="roa/fr-BE", name="French (Belgium)", languages=("fr-be",)),
]


def routine(text: str) -> Routine:
    return load_routine_text(f"version: 1\ntitle: T\n{text}sections: [{{say: Hi.}}]\n", "r.yaml")


@pytest.mark.parametrize(
    ("language", "voice"),
    [("en", "gmw/en"), ("de", "gmw/de"), ("EN", "gmw/en"), ("fr", "roa/fr-BE"), ("ja", None)],
)
def test_the_voice_for_a_language_prefers_the_one_named_for_it(
    language: str, voice: str | None
) -> None:
    assert voice_for_language(VOICES, language) == voice


def test_a_named_voice_is_used_as_it_is() -> None:
    assert choose_voice(routine("voice: {name: gmw/en-US}\n"), VOICES) == "gmw/en-US"
    assert choose_voice(routine("language: de\n"), VOICES) == "gmw/de"


def test_an_unknown_voice_in_the_file_is_reported_at_its_line() -> None:
    with pytest.raises(RoutineError) as raised:
        choose_voice(routine("voice: {name: gmw/xx}\n"), VOICES)
    [problem] = raised.value.problems
    assert (problem.line, problem.column, problem.key) == (3, 15, "voice.name")
    assert problem.message.startswith("unknown voice 'gmw/xx': use a voice id")


def test_an_unknown_voice_from_the_command_line_names_the_option() -> None:
    from_option = replace(routine(""), voice=replace(routine("").voice, name="robot"))
    with pytest.raises(UsageError) as raised:
        choose_voice(from_option, VOICES)
    assert raised.value.option == "--voice"


def test_a_language_no_voice_speaks_is_reported_at_its_line_or_plainly() -> None:
    with pytest.raises(RoutineError) as raised:
        choose_voice(routine("language: ja\n"), VOICES)
    assert raised.value.problems[0].key == "language"
    built = Routine(title="T", items=(), language="ja")  # not from a file: no line to give
    with pytest.raises(SpeechError, match="no voice speaks language 'ja'"):
        choose_voice(built, VOICES)
