"""Narration split into sentences: each is synthesized on its own and the planner puts the
routine's ``voice.sentence_pause`` between them, so the pause is the same with any engine
(espeak-ng leaves about 200 ms, Piper's Python API none)."""

from __future__ import annotations

import re

# A sentence ends at . ! ? or an ellipsis (a closing quote or bracket may follow), before
# spaces and something that does not start in lower case: "e.g. the" stays one sentence.
_BOUNDARY = re.compile(r"(?<=[.!?\u2026])[\"'\u201d\u2019)\]]*\s+(?=\S)")


def sentences(text: str) -> list[str]:
    """The sentences of ``text``, in order, each stripped; one for text without an ending."""
    parts = [part.strip() for part in _split(text)]
    return [part for part in parts if part] or [text.strip()]


def _split(text: str) -> list[str]:
    cuts = [match.end() for match in _BOUNDARY.finditer(text) if not text[match.end()].islower()]
    return [text[start:end] for start, end in zip([0, *cuts], [*cuts, len(text)], strict=True)]
