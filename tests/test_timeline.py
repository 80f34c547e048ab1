"""The timeline's promises, checked on every template's plan: two tracks on one clock."""

import json
from itertools import pairwise

import pytest

from voiceguide.plan.planner import Settings, plan
from voiceguide.plan.timeline import Event, Timeline
from voiceguide.routine.loader import load_routine
from voiceguide.routine.templates import template_names, template_path
from voiceguide.tts.fake import speech_ms


def planned(name: str, settings: Settings | None = None) -> Timeline:
    return plan(load_routine(template_path(name)), speech_ms, settings)


@pytest.mark.parametrize("name", template_names())
def test_the_voice_track_tiles_the_session_without_gaps_or_overlaps(name):
    timeline = planned(name)
    track = timeline.voice_track()
    assert track[0].start_ms == 0
    for before, after in pairwise(track):
        assert before.end_ms == after.start_ms, (before, after)
    assert track[-1].end_ms == timeline.total_ms  # the tail, if any, is silence on it
    assert timeline.guided_end_ms == timeline.total_ms - timeline.tail_ms
    assert all(event.duration_ms > 0 for event in track)


@pytest.mark.parametrize("name", template_names())
def test_cues_are_moments_inside_the_session_and_chapters_follow_one_another(name):
    timeline = planned(name)
    assert all(cue.duration_ms == 0 and cue.cue for cue in timeline.cues())
    assert all(0 <= cue.start_ms < timeline.guided_end_ms for cue in timeline.cues())
    chapters = timeline.chapters
    assert chapters[0].start_ms == 0
    for before, after in pairwise(chapters):
        assert before.end_ms == after.start_ms and before.start_ms < before.end_ms
    assert all(0 <= event.chapter < len(chapters) for event in timeline.events)


def test_the_kinds_split_the_events_and_phrases_are_what_is_said_at_which_rate():
    timeline = planned("hand-massage", Settings(pace=0.8))
    speech, cues = timeline.speech(), timeline.cues()
    silence = [e for e in timeline.events if e.kind == "silence"]
    assert len(speech) + len(cues) + len(silence) == len(timeline.events)
    assert len(timeline.voice_track()) == len(speech) + len(silence)
    assert timeline.phrases() == {(e.text, e.rate_wpm) for e in speech}
    assert len(timeline.phrases()) < len(speech)  # repeated phrases are made once


def test_an_event_ends_where_its_duration_takes_it():
    speech = Event(1_000, 2_500, "speech", 0, text="Breathe in.", rate_wpm=150)
    cue = Event(3_500, 0, "cue", 0, cue="bell")
    assert (speech.end_ms, speech.on_voice_track) == (3_500, True)
    assert (cue.end_ms, cue.on_voice_track) == (3_500, False)


def test_json_holds_every_field_and_keeps_text_readable():
    timeline = planned("hand-massage-de")
    data = json.loads(timeline.to_json())
    assert data == json.loads(json.dumps(timeline.to_dict()))
    assert data["total_ms"] == timeline.total_ms and len(data["events"]) == len(timeline.events)
    assert "ä" in timeline.to_json() or "ü" in timeline.to_json()  # not \u-escaped
