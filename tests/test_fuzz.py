"""Property tests: the loader survives any input, and every plan keeps its invariants.

The loader gets random text, random bytes, random YAML documents built from the schema's own
key names, and the shipped templates with random characters changed: it returns a Routine or
raises RoutineError whose problems are one-line and located, nothing else. Random valid
routines (with random pace, length and bedtime) go through the planner: it returns a timeline
whose voice track tiles the session exactly, whose chapters partition it and whose sides get
equal time, or raises PlanError. Example counts are explicit: 4,300 in all, about 30 s.
"""

from __future__ import annotations

import itertools
import string
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voiceguide import schema
from voiceguide.errors import PlanError, RoutineError
from voiceguide.loader import load_routine_text
from voiceguide.model import BACKGROUND_SOUNDS, CUE_SOUNDS, Routine
from voiceguide.planner import Settings, plan
from voiceguide.source import decode_text
from voiceguide.timeline import Timeline
from voiceguide.tts.fake import speech_ms

TEMPLATES = sorted((Path(__file__).parents[1] / "audio_templates").glob("*.yaml"))
FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
YAML_CHARACTERS = ":-[]{}'\"\t\n #&*!|>%@`,?\\\ufeff\x00\x85"

# -- the loader -----------------------------------------------------------------------------


def load_or_refuse(text: str) -> Routine | None:
    """Load ``text``; a RoutineError must hold only one-line, located problems."""
    try:
        return load_routine_text(text, "fuzz.yaml")
    except RoutineError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.path == "fuzz.yaml"
            assert problem.line >= 1 and problem.column >= 1, problem
            assert "\n" not in str(problem), problem
            assert problem.message.strip(), problem
        return None


@settings(FUZZ, max_examples=1500)
@given(st.text(alphabet=st.sampled_from(string.printable + YAML_CHARACTERS + "éß→"), max_size=300))
def test_any_text_loads_or_is_refused_with_located_problems(text: str) -> None:
    load_or_refuse(text)


@settings(FUZZ, max_examples=600)
@given(st.binary(max_size=300))
def test_any_bytes_decode_or_are_refused_with_a_located_problem(data: bytes) -> None:
    try:
        text = decode_text(data, "fuzz.yaml")
    except RoutineError as error:
        [problem] = error.problems
        assert problem.line >= 1 and problem.column >= 1
        return
    load_or_refuse(text)


ALL_KEYS = sorted(
    # Every section's keys, read from the declarations, so a new section (bedtime was left
    # out of a written list) cannot be missed.
    {key.name for keys in schema.SECTIONS.values() for key in keys}
    | {"for_each_side", "say", "slot", "pause", "rounds"}
)
SCALARS = st.one_of(
    st.sampled_from(["1", "0", "-3", "2.5", "8s", "1:30", "-5s", "0s", "13h", "10000000"]),
    st.sampled_from(["true", "no", "~", "", "{side}", "{round}", "{x}", "{", "-24dB", "en"]),
    st.sampled_from([*CUE_SOUNDS, *BACKGROUND_SOUNDS, "gmw/en", "robot", "1e400s"]),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.text(max_size=20),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(ALL_KEYS) | st.text(max_size=8), inner, max_size=5),
    ),
    max_leaves=12,
)


@settings(FUZZ, max_examples=600)
@given(
    st.dictionaries(st.sampled_from(ALL_KEYS), VALUES, max_size=8),
    st.booleans(),
)
def test_any_document_of_schema_keys_loads_or_is_refused(
    document: dict[str, Any], flow: bool
) -> None:
    load_or_refuse(yaml.safe_dump(document, default_flow_style=flow, allow_unicode=True))


@settings(FUZZ, max_examples=1000)
@given(
    st.sampled_from(TEMPLATES),
    st.lists(
        st.tuples(
            st.floats(0, 1),
            st.sampled_from(["insert", "delete", "replace"]),
            st.sampled_from(YAML_CHARACTERS),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_templates_with_random_edits_load_or_are_refused(
    template: Path, edits: list[tuple[float, str, str]]
) -> None:
    text = template.read_text(encoding="utf-8")
    for where, how, character in edits:
        at = int(where * len(text))
        keep = at + (how != "insert")
        text = text[:at] + ("" if how == "delete" else character) + text[keep:]
    load_or_refuse(text)


# -- the planner ----------------------------------------------------------------------------

RING_OUT = "the last sound rings out"  # after the last item: no side's time
WORDS = ("breathe", "slowly", "stroke", "your", "hand", "now", "hold", "press", "gently")


def durations(low_s: int, high_s: int) -> st.SearchStrategy[str]:
    return st.integers(low_s * 1000, high_s * 1000).map(
        lambda ms: f"{ms}ms" if ms % 1000 else f"{ms // 1000}s"
    )


def texts(placeholders: tuple[str, ...] = ()) -> st.SearchStrategy[str]:
    word = st.sampled_from(WORDS + tuple("{" + p + "}" for p in placeholders))
    return st.lists(word, min_size=1, max_size=8).map(lambda ws: " ".join(ws).capitalize() + ".")


def optional(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A mapping holding any subset of the fields."""
    return st.fixed_dictionaries({}, optional=fields)


@st.composite
def steps(draw: st.DrawFn, placeholders: tuple[str, ...]) -> dict[str, Any]:
    step = draw(optional(name=texts(placeholders), start_cue=st.sampled_from(CUE_SOUNDS)))
    step["say"] = draw(texts(placeholders))
    if draw(st.booleans()):
        repeat = draw(st.integers(1, 5))
        step |= {"repeat": repeat, "each": draw(durations(1, 30))}
        step |= draw(
            optional(
                min_repeat=st.integers(1, repeat),
                max_repeat=st.integers(repeat, 8),
                count=st.booleans(),
                repeat_cue=st.sampled_from(CUE_SOUNDS),
                rest=durations(1, 10),
            )
        )
    return step


@st.composite
def slots(draw: st.DrawFn, placeholders: tuple[str, ...]) -> dict[str, Any]:
    slot_s = draw(st.integers(2, 90))
    slot = {"slot": f"{slot_s}s", "say": draw(texts(placeholders))}
    return slot | draw(
        optional(
            name=texts(placeholders),
            countdown=st.integers(0, min(schema.MAX_COUNTDOWN, slot_s - 1)),
            start_cue=st.sampled_from(CUE_SOUNDS),
            end_cue=st.sampled_from(CUE_SOUNDS),
            stretch=st.booleans(),
        )
    )


def pauses(placeholders: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(
        lambda pause, extra: {"pause": pause, **extra},
        durations(1, 60),
        optional(name=texts(placeholders)),
    )


def simple_items(placeholders: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(steps(placeholders), slots(placeholders), pauses(placeholders))


@st.composite
def blocks(draw: st.DrawFn, sides: list[str], in_sides: bool, in_rounds: bool) -> dict[str, Any]:
    """A for_each_side or rounds block of simple items (blocks do not nest)."""
    kinds = [k for k, nested in (("sides", in_sides), ("rounds", in_rounds)) if not nested]
    kind = draw(st.sampled_from(kinds))
    inside_sides, inside_rounds = in_sides or kind == "sides", in_rounds or kind == "rounds"
    placeholders = ("side",) * inside_sides + ("round", "rounds") * inside_rounds
    inner = simple_items(placeholders)
    block: dict[str, Any] = {"steps": draw(st.lists(inner, min_size=1, max_size=3))}
    block |= draw(optional(announce=texts(placeholders), name=texts(placeholders)))
    if kind == "sides":
        block |= {"for_each_side": sides}
        block |= draw(optional(switch_cue=st.sampled_from(CUE_SOUNDS)))
    else:
        block |= {"rounds": draw(st.integers(1, 3))}
        block |= draw(optional(rest=durations(1, 20)))
    return block


@st.composite
def routines(draw: st.DrawFn) -> dict[str, Any]:
    # Every for_each_side block of a routine has the same sides, so each side's total time
    # over the whole session must come out equal.
    sides = draw(st.sampled_from([["right", "left"], ["palm", "back", "fingers"], ["one"]]))
    item = st.one_of(simple_items(()), blocks(sides, in_sides=False, in_rounds=False))
    document = {
        "version": 1,
        "title": draw(texts()),
        "sections": draw(st.lists(item, min_size=1, max_size=4)),
    }
    return document | draw(
        optional(
            voice=st.fixed_dictionaries({"rate": st.integers(100, 250)}),
            background=st.fixed_dictionaries({"sound": st.sampled_from(BACKGROUND_SOUNDS)}),
        )
    )


class _NoAliasDumper(yaml.SafeDumper):
    """Writes a list used twice out twice: the loader refuses aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def fake_measure(text: str, rate_wpm: int) -> int:
    return speech_ms(text, rate_wpm)


@settings(FUZZ, max_examples=600)
@given(
    routines(),
    st.floats(0.5, 2.0),
    st.one_of(st.none(), st.integers(60_000, 3 * 3_600_000)),
    st.booleans(),
)
def test_every_plan_keeps_its_invariants(
    document: dict[str, Any], pace: float, length_ms: int | None, bedtime: bool
) -> None:
    routine = load_routine_text(yaml.dump(document, Dumper=_NoAliasDumper), "fuzz.yaml")
    chosen = Settings(pace=pace, length_ms=length_ms, bedtime=bedtime)
    try:
        timeline = plan(routine, fake_measure, chosen)
    except PlanError as error:
        assert error.messages and all("\n" not in m for m in error.messages)
        return
    check_invariants(timeline)
    assert timeline == plan(routine, fake_measure, chosen)  # deterministic


def check_invariants(timeline: Timeline) -> None:
    events = timeline.events
    assert [e.start_ms for e in events] == sorted(e.start_ms for e in events)
    voice = timeline.voice_track()
    assert voice[0].start_ms == 0 and voice[-1].end_ms == timeline.total_ms
    for before, after in itertools.pairwise(voice):
        assert after.start_ms == before.end_ms, (before, after)  # no gap, no overlap
    assert all(e.duration_ms > 0 for e in voice)
    assert timeline.total_ms == sum(e.duration_ms for e in voice)
    assert all(0 <= cue.start_ms <= timeline.total_ms for cue in timeline.cues())
    for speech in timeline.speech():  # speech is fixed time: never stretched
        assert speech.duration_ms == fake_measure(speech.text, speech.rate_wpm)
    chapters = timeline.chapters
    assert chapters[0].start_ms == 0 and chapters[-1].end_ms == timeline.total_ms
    for before, after in itertools.pairwise(chapters):
        assert after.start_ms == before.end_ms
    per_side: dict[str, int] = defaultdict(int)
    for event in voice:
        side = chapters[event.chapter].side
        if side is not None and event.text != RING_OUT:
            per_side[side] += event.duration_ms
    assert len(set(per_side.values())) <= 1, dict(per_side)  # each side gets the same time
