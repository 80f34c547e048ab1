"""The routine's ``pronounce:`` map: words the engine says wrong, and how to spell them so
that it says them right. Read here; applied to the text sent to the engine (tts/speech.py),
never to the transcript or the captions, which keep the words as written.
"""

from __future__ import annotations

import re

from yaml.nodes import MappingNode, Node, ScalarNode

from voiceguide.errors import shown
from voiceguide.routine.nodes import Report, describe, join

MAX_RESPELLINGS = 200
MAX_RESPELLING_CHARS = 200
WORD_PATTERN = r"[^\W_]+(?:['\u2019-][^\W_]+)*"
"""A word: letters or digits, with inner apostrophes or hyphens ("don't", "t'ai-chi")."""
_WORD_RE = re.compile(WORD_PATTERN)
_WHOLE_WORD_RE = re.compile(rf"(?<![\w'\u2019-])(?<!\d[.,]){WORD_PATTERN}(?![\w'\u2019-]|[.,]\d)")
"""A word in running text: not part of a longer word or number ("1" in "1.5" is not one)."""

Respellings = tuple[tuple[str, str], ...]  # (word in lower case, respelling), sorted


def read_respellings(report: Report, node: Node, key: str) -> Respellings:
    """The map's entries; every bad one reported at its place, and left out."""
    if not isinstance(node, MappingNode):
        report(node, key, f"expected lines of 'word: respelling', got {describe(node)}")
        return ()
    if len(node.value) > MAX_RESPELLINGS:
        report(node, key, f"has {len(node.value)} words; keep it to {MAX_RESPELLINGS}")
        return ()
    found: dict[str, str] = {}
    for word_node, spelling_node in node.value:
        entry = _entry(report, word_node, spelling_node, key)
        if entry is None:
            continue
        word, spelling = entry
        if word.lower() in found:
            report(word_node, join(key, word), "given twice (case does not matter): keep one")
            continue
        found[word.lower()] = spelling
    return tuple(sorted(found.items()))


def _entry(
    report: Report, word_node: Node, spelling_node: Node, key: str
) -> tuple[str, str] | None:
    if not isinstance(word_node, ScalarNode) or not word_node.value.strip():
        report(word_node, key, f"expected a word to respell, got {describe(word_node)}")
        return None
    word = word_node.value.strip()
    where = join(key, word)
    if not _WORD_RE.fullmatch(word):
        report(
            word_node, where, f"{shown(word)} is not one word: respell each word on its own line"
        )
        return None
    null = "tag:yaml.org,2002:null"
    if not isinstance(spelling_node, ScalarNode) or spelling_node.tag == null:
        report(
            spelling_node, where, f"expected how to say it, as text, got {describe(spelling_node)}"
        )
        return None
    spelling = " ".join(spelling_node.value.split())
    if not spelling:
        report(spelling_node, where, "is empty: write how to say the word, or leave it out")
        return None
    if len(spelling) > MAX_RESPELLING_CHARS:
        report(
            spelling_node,
            where,
            f"is {len(spelling)} characters long; keep it under {MAX_RESPELLING_CHARS}",
        )
        return None
    return word, spelling


def respell(text: str, respellings: Respellings) -> str:
    """``text`` with each whole word found in ``respellings`` (in any case) replaced."""
    if not respellings:
        return text
    table = dict(respellings)

    def replace(match: re.Match[str]) -> str:
        word = match.group()
        spelling = table.get(word.lower(), word)
        # "One." starts a sentence: so does its respelling.
        return spelling[:1].upper() + spelling[1:] if word[:1].isupper() else spelling

    return _WHOLE_WORD_RE.sub(replace, text)
