"""Checks of a whole routine once it is read: what planning would refuse, known from the
file alone, reported at the key to change."""

from __future__ import annotations

from yaml.nodes import Node

from voiceguide.routine import cost
from voiceguide.routine.durations import format_ms
from voiceguide.routine.limits import (
    MAX_EVENTS,
    MAX_PHRASE_CHARS,
    MAX_PHRASES,
    is_over_session_limit,
)
from voiceguide.routine.model import MIN_SCALE, Routine
from voiceguide.routine.nodes import Report


def check_routine(report: Report, nodes: dict[str, Node], routine: Routine) -> None:
    """Every whole-routine check; ``nodes`` are the routine's values by key."""
    check_framing(report, nodes, routine)
    if routine.items:
        check_counts(report, nodes["sections"], routine)
    if routine.length_ms and routine.items:
        check_length(report, nodes["length"], routine)


def check_framing(report: Report, nodes: dict[str, Node], routine: Routine) -> None:
    """The 12-hour limit with the lead-in and tail, and a tail with nothing to play."""
    guided_ms = cost.natural_minimum_ms(routine.items)
    if is_over_session_limit(guided_ms):
        report(
            nodes["sections"],
            "sections",
            "the session would last over 12 hours: use fewer repetitions, rounds or shorter times",
        )
    elif is_over_session_limit(guided_ms + routine.lead_in_ms + routine.tail_ms):
        framing = [name for name in ("lead_in", "tail") if name in nodes]
        report(
            nodes[framing[0]],
            framing[0],
            f"{' and '.join(framing)} with the session itself make over 12 hours: shorten them",
        )
    if routine.tail_ms and routine.background.sound == "none":
        report(
            nodes["tail"],
            "tail",
            "a tail plays the background after the last word, and this routine has no "
            "background: add one (e.g. background: {sound: brown}) or remove the tail",
        )


def check_counts(report: Report, node: Node, routine: Routine) -> None:
    """What the routine can make and say, bounded before any work (see cost.py)."""
    events = cost.event_bound(routine)
    if events > MAX_EVENTS:
        report(
            node,
            "sections",
            f"this routine can make up to {events:,} words, silences and cues (at its "
            f"largest repeat counts), over the limit of {MAX_EVENTS:,}: use fewer "
            "rounds, sides, repetitions or items",
        )
    phrases = cost.phrase_bound(routine)
    if phrases.count > MAX_PHRASES:
        report(
            node,
            "sections",
            f"this routine can say up to {phrases.count:,} different phrases, over the "
            f"limit of {MAX_PHRASES:,}: count aloud to fewer (max_repeat), or use "
            "{side}, {round} or a list's {item} in fewer texts",
        )
    if phrases.chars > MAX_PHRASE_CHARS:
        report(
            node,
            "sections",
            f"this routine can say up to {phrases.chars:,} characters of different text, "
            f"over the limit of {MAX_PHRASE_CHARS:,}: shorten the narration, or "
            "use {side}, {round} or a list's {item} in fewer texts",
        )


def check_length(report: Report, node: Node, routine: Routine) -> None:
    """A routine ``length`` it can never meet at pace 1, whatever its speech."""
    length_ms = routine.length_ms or 0
    shortest_ms = cost.shortest_ms(routine, MIN_SCALE)
    if length_ms < shortest_ms:
        report(
            node,
            "length",
            f"{format_ms(length_ms)} is out of reach: at pace 1 this routine "
            f"lasts at least {format_ms(shortest_ms)} before any speech (fewest "
            "repetitions, elastic time halved): make length longer, or remove it",
        )
