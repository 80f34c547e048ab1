"""The format's limits and shared rules: any routine within them plans quickly, the docs state
them, and every stage that checks a rule checks the same one."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from voiceguide.errors import PlanError, RoutineError
from voiceguide.plan.layout import RING_MARGIN_MS
from voiceguide.plan.planner import Settings, plan
from voiceguide.routine import cost, limits
from voiceguide.routine.loader import load_routine_text
from voiceguide.routine.model import CUE_LEAD_MS, Routine
from voiceguide.tts.fake import speech_ms

PLAN_CPU_S = (
    1.0  # the bar for `plan` on anything accepted (CPU time: the machine is shared)
)


def _routine(text: str) -> Routine:
    return load_routine_text("version: 1\ntitle: Limits\nsections:\n" + text, "limits.yaml")


LARGEST = {
    "repetitions": (
        "  - rounds: 100\n"
        "    announce: Round {round}.\n"
        "    rest: 10s\n"
        "    steps:\n"
        "      - {say: 'Stroke your hand.', start_cue: bell, each: 2s, repeat: 5,\n"
        "         min_repeat: 1, max_repeat: 25, count: true, repeat_cue: tick, rest: 2s}\n"
    ),
    "slots": (
        "  - rounds: 100\n"
        "    announce: Round {round} of {rounds}.\n"
        "    steps:\n"
        "      - {name: Work, say: Go., slot: 40s, countdown: 10, start_cue: bell, end_cue: bell}\n"
        "      - {name: Rest, say: Rest., slot: 20s, countdown: 10, end_cue: bell,"
        " stretch: true}\n"
        "      - {name: Walk, say: Walk., slot: 20s, countdown: 10, end_cue: tick}\n"
    ),
    "rings": "  - say: Sleep.\n  - {pause: 5h, ring_every: 5s, ring_cue: tick}\n",
}


@pytest.mark.parametrize("name", sorted(LARGEST))
@pytest.mark.parametrize(
    "settings",
    [Settings(), Settings(length_ms=9_000_000, bedtime=True), Settings(pace=0.5, bedtime=True)],
    ids=["natural", "fitted-bedtime", "slow-bedtime"],
)
def test_a_routine_near_the_limits_plans_within_a_second(name: str, settings: Settings) -> None:
    routine = _routine(LARGEST[name])
    assert cost.event_bound(routine) > limits.MAX_EVENTS * 0.7 or name == "rings"
    started = time.process_time()
    try:
        plan(routine, speech_ms, settings)
    except Exception as error:  # out of reach or over 12 hours: refused, and quickly
        assert "out of reach" in str(error) or "12-hour" in str(error)
    assert time.process_time() - started < PLAN_CPU_S


def test_one_more_round_of_the_largest_is_refused_at_sections() -> None:
    over = LARGEST["repetitions"].replace("max_repeat: 25", "max_repeat: 32")
    with pytest.raises(RoutineError) as error:
        _routine(over)
    [problem] = error.value.problems
    assert (problem.line, problem.column, problem.key) == (4, 3, "sections")
    assert "over the limit of 10,000" in problem.message


def test_the_docs_state_the_limits_the_code_checks() -> None:
    docs = (Path(__file__).parents[1] / "docs" / "routine-format.md").read_text(encoding="utf-8")
    limits_section = docs[docs.index("## Limits\n") : docs.index("## Keys\n")]
    for stated in (
        f"| {limits.MAX_SESSION_MS // 3_600_000} hours |",
        f"| {limits.MAX_TEXT_CHARS:,} characters |",
        f"| {limits.MAX_REPEAT:,} |",
        f"| {limits.MAX_ROUNDS} |",
        f"| {limits.MAX_SIDES} |",
        f"| {limits.MAX_LIST_ITEMS} |",
        f"| {limits.MAX_COUNTDOWN} |",
        f"| slots of {limits.MAX_COUNT_UP_S} s or less |",
        f"| {limits.MAX_EVENTS:,} |",
        f"| {limits.MAX_PHRASES} |",
        f"| {limits.MAX_PHRASE_CHARS:,} |",
        f"| {limits.MIN_RING_EVERY_MS // 1000} s or longer |",
        f"at most {limits.MAX_SESSION_MS // limits.MIN_RING_EVERY_MS:,} rings",
    ):
        assert stated in limits_section, stated


def test_a_session_over_twelve_hours_is_refused_before_its_events_are_made() -> None:
    # 11 h of rings every 5 s at pace 0.5 would be 15,840 cues in a 22-hour session.
    routine = _routine("  - say: Sleep.\n  - {pause: 11h, ring_every: 5s}\n")
    started = time.process_time()
    with pytest.raises(PlanError) as error:
        plan(routine, speech_ms, Settings(pace=0.5, lead_in_ms=60_000))
    assert time.process_time() - started < 0.2 * PLAN_CPU_S
    assert error.value.lines() == [
        "limits.yaml: the session would last 22:01:01, over the 12-hour limit: use a shorter "
        "lead-in (1:00) or length, or fewer repetitions"
    ]


def test_ring_every_cues_ring_out_before_their_item_ends() -> None:
    # Why fitting may leave ring_every cues out of its measuring layouts: they cannot
    # change the session's length.
    assert max(CUE_LEAD_MS.values()) <= RING_MARGIN_MS
    routine = _routine("  - {pause: 1m, ring_every: 5s, ring_cue: gong}\n")
    timeline = plan(routine, speech_ms, Settings(pace=2.0))
    assert timeline.total_ms == 30_000
    assert max(cue.start_ms + CUE_LEAD_MS[cue.cue] for cue in timeline.cues()) <= 30_000


def test_the_shared_rules_draw_the_line_where_the_limits_say() -> None:
    assert not limits.is_over_session_limit(limits.MAX_SESSION_MS)
    assert limits.is_over_session_limit(limits.MAX_SESSION_MS + 1)
    assert [limits.is_short_tail(ms) for ms in (0, 1, 59_999, 60_000)] == [
        False,
        True,
        True,
        False,
    ]
    assert [s for s in limits.BACKGROUND_SOUNDS if limits.needs_stereo(s)] == ["binaural"]
    assert limits.is_background("brown") and not limits.is_background("file")
    assert limits.closest_name("bruwn", limits.BACKGROUND_SOUNDS) == "brown"
    assert limits.closest_name("xyz", limits.BACKGROUND_SOUNDS) is None


def test_every_rate_the_format_allows_the_pyttsx3_engine_speaks() -> None:
    # The engine keeps its own, wider check (80 to 900 wpm); the format's must fit in it.
    from voiceguide.tts import pyttsx3_engine

    assert pyttsx3_engine.MIN_RATE_WPM <= limits.MIN_RATE_WPM
    assert limits.MAX_RATE_WPM <= pyttsx3_engine.MAX_RATE_WPM
