"""Narration sentence by sentence, with the planned pause between sentences."""

from __future__ import annotations

import pytest
from plan_utils import measure, routine, voice_track_tiles

from voiceguide.plan.layout import SENTENCE_PAUSE
from voiceguide.plan.planner import Settings, plan
from voiceguide.plan.table import timeline_table
from voiceguide.routine.model import Bedtime, Pause, Step, Voice
from voiceguide.routine.sentences import sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Welcome. Sit comfortably.", ["Welcome.", "Sit comfortably."]),
        ("Hold it… and release! Now rest?", ["Hold it… and release!", "Now rest?"]),
        ('Say "stop." Then rest.', ['Say "stop."', "Then rest."]),
        ("Use e.g. the palm.", ["Use e.g. the palm."]),  # lower case next: not an end
        ("Press 1.5 cm deep", ["Press 1.5 cm deep"]),
        ("Breathe", ["Breathe"]),
    ],
)
def test_text_is_split_into_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def _pauses(timeline) -> list[int]:
    return [e.duration_ms for e in timeline.voice_track() if e.text == SENTENCE_PAUSE]


def test_each_sentence_is_said_with_the_planned_pause_between() -> None:
    text = "Welcome. Sit comfortably. Rest one hand on the table."
    timeline = plan(routine(Step(say=text), voice=Voice(sentence_pause_ms=800)), measure)
    track = timeline.voice_track()
    assert [e.kind for e in track] == ["speech", "silence"] * 2 + ["speech"]
    assert [e.text for e in timeline.speech()] == sentences(text)
    assert _pauses(timeline) == [800, 800]
    voice_track_tiles(timeline)
    assert timeline.total_ms == sum(measure(s, 150) for s in sentences(text)) + 1600


def test_the_pause_follows_the_pace() -> None:
    said = routine(Step(say="One. Two."), Pause(5000))
    assert _pauses(plan(said, measure, Settings(pace=0.5))) == [1000]  # default 500 ms


def test_bedtime_pauses_between_sentences_lengthen_towards_the_end() -> None:
    steps = [Step(say="Breathe in. Breathe out."), Pause(60_000)] * 4
    timeline = plan(routine(*steps), measure, Settings(bedtime=True))
    pauses = _pauses(timeline)
    assert pauses[0] == 500 and pauses[-1] > pauses[0]
    assert pauses == sorted(pauses)


def test_the_table_shows_a_row_per_sentence_and_no_pause_rows() -> None:
    timeline = plan(routine(Step(say="Welcome. Sit comfortably.")), measure)
    table = timeline_table(timeline)
    assert '"Welcome."' in table and '"Sit comfortably."' in table
    assert SENTENCE_PAUSE not in table


def test_the_bedtime_closing_is_said_sentence_by_sentence() -> None:
    night = Bedtime(closing="Rest now. Sleep well.")
    timeline = plan(routine(Step(say="Hello."), bedtime=night), measure, Settings(bedtime=True))
    assert [e.text for e in timeline.speech()][-2:] == ["Rest now.", "Sleep well."]
