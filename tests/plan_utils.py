"""Helpers for the planner tests: a simple speech measure and timeline invariants."""

from voiceguide.routine.model import Background, Pause, Routine, Sides, Step


def measure(text: str, rate_wpm: int) -> int:
    """About six characters a word, plus a little: deterministic, rate-dependent."""
    return 200 + len(text) * 10_000 // rate_wpm


def routine(*items, **kwargs) -> Routine:
    return Routine(title="Test", items=tuple(items), **kwargs)


def voice_track_tiles(timeline) -> None:
    t = 0
    for event in timeline.voice_track():
        assert event.start_ms == t, event
        assert event.duration_ms >= 0
        t = event.end_ms
    assert t <= timeline.total_ms


def side_durations(timeline) -> dict:
    spans: dict[str, list[int]] = {}
    for event in timeline.voice_track():
        side = timeline.chapters[event.chapter].side
        if side:
            spans.setdefault(side, []).append(event.duration_ms)
    return {side: sum(durations) for side, durations in spans.items()}


BROWN = Background(sound="brown")


FLEXIBLE = Step(
    name="Stroke",
    say="Stroke.",
    repeat=4,
    min_repeat=3,
    max_repeat=40,
    each_ms=10_000,
    count=True,
    rest_ms=4000,
)


def massage(**kwargs) -> Routine:
    """A small routine shaped like the template: words, two sides of strokes, a close."""
    stroke = Step(
        name="Stroke",
        say="Stroke your {side} forearm.",
        repeat=4,
        min_repeat=3,
        max_repeat=40,
        each_ms=10_000,
        count=True,
        rest_ms=3000,
        start_cue="bell",
    )
    items = (
        Step(name="Welcome", say="Welcome. Sit comfortably."),
        Pause(20_000),
        Sides(("right", "left"), (stroke, Pause(5000)), announce="Your {side} hand."),
        Step(name="Close", say="That is the end of the session."),
    )
    return Routine(title="Massage", items=items, background=BROWN, **kwargs)


LENGTH_KEY = (
    "version: 1\ntitle: t\nlength: 0:20\nsections:\n"
    "  - say: A long sentence to say before the strokes begin, slowly and clearly.\n"
    "    repeat: 3\n    each: 10s\n"
)
