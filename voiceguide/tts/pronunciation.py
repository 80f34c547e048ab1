"""Respellings every routine gets for its language, before its own ``pronounce:`` map.

English: espeak-ng's default English voice (``gmw/en``) is British and its dictionary says
"one" as /wɒn/ (rhyming with "on"), for the word and for the digit, alone or in "twenty-one";
its American voice and Piper's phonemizer (espeak-ng's ``en-us``) say /wʌn/. "won" is /wʌn/
in both, so the counts and the word are spelled so for every engine. Only the text sent to
the engine changes: transcripts and captions keep "1" and "one".
"""

from __future__ import annotations

from voiceguide.routine.languages import primary_subtag
from voiceguide.routine.respellings import Respellings

_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
BUILT_IN: dict[str, dict[str, str]] = {
    "en": {
        "one": "won",
        "1": "won",
        **{f"{digit}1": f"{tens} won" for digit, tens in enumerate(_TENS, start=2)},
    },
}


def respellings_for(language: str, routine_respellings: Respellings) -> Respellings:
    """The built-in respellings of ``language`` (``en-GB`` takes ``en``'s), overridden by the
    routine's own."""
    merged = {**BUILT_IN.get(primary_subtag(language), {}), **dict(routine_respellings)}
    return tuple(sorted(merged.items()))
