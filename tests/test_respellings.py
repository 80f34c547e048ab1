"""pronounce: the routine's respellings, the built-in English ones, and where they apply."""

from __future__ import annotations

import subprocess
import sys

import pytest

from voiceguide.errors import RoutineError
from voiceguide.routine.loader import load_routine_text
from voiceguide.routine.respellings import respell
from voiceguide.tts.fake import FakeEngine
from voiceguide.tts.pronunciation import respellings_for
from voiceguide.tts.speech import Speech

HEAD = "version: 1\ntitle: T\nsections: [{say: Hi.}]\n"
ENGLISH = respellings_for("en", ())
SUBPROCESS_TIMEOUT_S = 60


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Reiki helps.", "Ray key helps."),  # a capital stays at the sentence's start
        ("Try reiki, or REIKI!", "Try ray key, or Ray key!"),
        ("Reikis and pre-reiki stay.", "Reikis and pre-reiki stay."),  # whole words only
    ],
)
def test_whole_words_are_respelled_in_any_case(text: str, expected: str) -> None:
    assert respell(text, (("reiki", "ray key"),)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", "won"),
        ("One.", "Won."),
        ("Count one, two, three.", "Count won, two, three."),
        ("21", "twenty won"),
        ("Press for 1.5 seconds.", "Press for 1.5 seconds."),  # not a count
        ("someone", "someone"),
    ],
)
def test_english_counts_say_one_as_won(text: str, expected: str) -> None:
    assert respell(text, ENGLISH) == expected


def test_a_routine_respelling_overrides_the_built_in_one() -> None:
    assert respell("one", respellings_for("en-GB", (("one", "wun"),))) == "wun"
    assert respellings_for("de", ()) == ()


def test_the_engine_gets_the_respelling_and_the_clip_keeps_the_word() -> None:
    engine = FakeEngine()
    speech = Speech(engine, None, respellings=(("reiki", "ray key"),))
    speech.clip("Reiki time.", 150)
    assert [call[0] for call in engine.calls] == ["Ray key time."]


def test_pronounce_is_read_from_the_routine() -> None:
    routine = load_routine_text(HEAD + "pronounce: {Reiki: ray key, Qi: chee}\n")
    assert routine.pronounce == (("qi", "chee"), ("reiki", "ray key"))


def test_bad_pronounce_entries_are_located() -> None:
    text = HEAD + (
        "pronounce:\n"
        "  Reiki: [ray, key]\n"
        "  two words: x\n"
        '  Qi: ""\n'
        "  Shiatsu:\n"
        "  One: won\n"
        "  one: wun\n"
    )
    with pytest.raises(RoutineError) as error:
        load_routine_text(text, "r.yaml")
    assert str(error.value).splitlines() == [
        "r.yaml:5:10: pronounce.Reiki: expected how to say it, as text, got a list",
        "r.yaml:6:3: pronounce.two words: 'two words' is not one word: respell each word on "
        "its own line",
        "r.yaml:7:7: pronounce.Qi: is empty: write how to say the word, or leave it out",
        "r.yaml:8:11: pronounce.Shiatsu: expected how to say it, as text, got nothing",
        "r.yaml:10:3: pronounce.one: given twice (case does not matter): keep one",
    ]


def test_pronounce_must_be_a_mapping() -> None:
    with pytest.raises(RoutineError) as error:
        load_routine_text(HEAD + "pronounce: [Reiki]\n", "r.yaml")
    assert str(error.value) == (
        "r.yaml:4:12: pronounce: expected lines of 'word: respelling', got a list"
    )


_PHONEMES = """
import ctypes, sys
from voiceguide.tts import native
native.load_espeak()
library = ctypes.CDLL("libespeak-ng.so.1")
assert library.espeak_Initialize(0x02, 0, None, 0) > 0  # synchronous, no playback
library.espeak_SetVoiceByName(b"gmw/en")
library.espeak_TextToPhonemes.restype = ctypes.c_char_p
library.espeak_TextToPhonemes.argtypes = [
    ctypes.POINTER(ctypes.c_char_p), ctypes.c_int, ctypes.c_int
]
for text in sys.argv[1:]:
    pointer = ctypes.c_char_p(text.encode("utf-8"))
    print(library.espeak_TextToPhonemes(ctypes.byref(pointer), 1, 0x02).decode("utf-8"))
"""


def _espeak_phonemes(*texts: str) -> list[str]:
    """espeak-ng's own reading of each text in IPA, with the default English voice (in a
    process of its own: this test process's espeak belongs to the pyttsx3 tests)."""
    result = subprocess.run(
        [sys.executable, "-c", _PHONEMES, *texts],
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT_S,
        check=True,
    )
    return result.stdout.splitlines()


@pytest.mark.parametrize("count", ["1", "One.", "one"])
def test_espeak_says_the_count_one_with_the_vowel_of_cup(count: str) -> None:
    """The cause, and the fix: espeak-ng's British English reads "one" as /wɒn/ (as in
    "on"); the text it is now given reads /wʌn/."""
    before, after = _espeak_phonemes(count, respell(count, ENGLISH))
    assert "ɒ" in before
    assert "ʌ" in after and "ɒ" not in after
