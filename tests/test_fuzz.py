"""Property tests: the loader and the command line survive any input, and every plan keeps
its invariants.

The loader gets random text, random bytes, random YAML documents built from the schema's own
key names, and the shipped templates with random characters changed: it returns a Routine or
raises RoutineError whose problems are one-line and located, nothing else. Random valid
routines (with random pace, length and bedtime) go through the planner: it returns a timeline
whose voice track tiles the session exactly, whose chapters partition it, whose sides get
equal time and which stays within the bounds the loader checked, or raises PlanError.
`voiceguide plan` gets random and hostile options: it exits 0, 1 or 2, never with a traceback.

Example counts are explicit: 4,600 in all in a normal run (under a minute), under the
derandomized "ci" profile of conftest.py, so a run is reproducible. ``scripts/fuzz
[EXAMPLES]`` runs a long random search instead: it sets ``VOICEGUIDE_FUZZ_EXAMPLES`` to a
total, which the tests share in the same proportions.
"""

from __future__ import annotations

import itertools
import math
import os
import string
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from voiceguide.cli import app
from voiceguide.errors import PlanError, RoutineError
from voiceguide.plan.planner import Settings, plan
from voiceguide.plan.table import timeline_table
from voiceguide.plan.timeline import Chapter, Timeline
from voiceguide.routine import cost, limits, schema
from voiceguide.routine.limits import BACKGROUND_SOUNDS, CUE_SOUNDS
from voiceguide.routine.loader import load_routine_text
from voiceguide.routine.model import CUE_LEAD_MS, MIN_SCALE, Routine
from voiceguide.routine.source import decode_text
from voiceguide.tts.fake import speech_ms

TEMPLATES = sorted((Path(__file__).parents[1] / "audio_templates").glob("*.yaml"))
FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
TOTAL_VARIABLE = "VOICEGUIDE_FUZZ_EXAMPLES"
CI_EXAMPLES = {
    "text": 1500,
    "bytes": 600,
    "document": 600,
    "template": 1000,
    "plan": 600,
    "command": 300,
}


def examples(name: str) -> int:
    """The test's examples: its CI count, or its share of ``VOICEGUIDE_FUZZ_EXAMPLES``."""
    total = os.environ.get(TOTAL_VARIABLE, "")
    if not total:
        return CI_EXAMPLES[name]
    if not total.isdigit() or int(total) < 1:
        raise ValueError(
            f"{TOTAL_VARIABLE}={total!r}: give a whole number of examples, e.g. 100000"
        )
    return math.ceil(CI_EXAMPLES[name] * int(total) / sum(CI_EXAMPLES.values()))


def test_a_normal_run_is_reproducible_and_remembers_no_failures() -> None:
    ci = settings.get_profile("ci")
    assert ci.derandomize and ci.database is None
    assert FUZZ.database is None  # whichever profile is loaded: nothing kept in .hypothesis/
    if not os.environ.get("VOICEGUIDE_HYPOTHESIS_PROFILE"):
        assert settings.default.derandomize
    assert sum(examples(name) for name in CI_EXAMPLES) >= int(os.environ.get(TOTAL_VARIABLE, 0))


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


@pytest.mark.slow  # thousands of examples; scripts/fuzz runs 100,000
@settings(FUZZ, max_examples=examples("text"))
@given(st.text(alphabet=st.sampled_from(string.printable + YAML_CHARACTERS + "éß→"), max_size=300))
def test_any_text_loads_or_is_refused_with_located_problems(text: str) -> None:
    load_or_refuse(text)


@pytest.mark.slow  # thousands of examples; scripts/fuzz runs 100,000
@settings(FUZZ, max_examples=examples("bytes"))
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
    | {"for_each_side", "say", "slot", "pause", "rounds", "include"}
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


@pytest.mark.slow  # thousands of examples; scripts/fuzz runs 100,000
@settings(FUZZ, max_examples=examples("document"))
@given(
    st.dictionaries(st.sampled_from(ALL_KEYS), VALUES, max_size=8),
    st.booleans(),
)
def test_any_document_of_schema_keys_loads_or_is_refused(
    document: dict[str, Any], flow: bool
) -> None:
    load_or_refuse(yaml.safe_dump(document, default_flow_style=flow, allow_unicode=True))


@pytest.mark.slow  # thousands of examples; scripts/fuzz runs 100,000
@settings(FUZZ, max_examples=examples("template"))
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
    slot |= draw(
        optional(
            name=texts(placeholders),
            countdown=st.integers(0, min(limits.MAX_COUNTDOWN, slot_s - 1)),
            start_cue=st.sampled_from(CUE_SOUNDS),
            end_cue=st.sampled_from(CUE_SOUNDS),
            stretch=st.booleans(),
        )
    )
    if draw(st.booleans()):  # a metronome, no faster than its cue rings
        cue = draw(st.sampled_from(CUE_SOUNDS))
        every_ms = draw(st.integers(CUE_LEAD_MS[cue], 5000))
        slot |= {"tick_cue": cue, "tick_every": f"{every_ms}ms"}
    if draw(st.booleans()) and not slot.get("countdown") and slot_s <= limits.MAX_COUNT_UP_S:
        slot["count_up"] = True
    seconds = draw(st.lists(st.integers(1, slot_s - 1), unique=True, max_size=3))
    if seconds:  # words at distinct times, written from the start, the end or as half
        slot["at"] = {
            draw(st.sampled_from(_written_times(second, slot_s))): draw(texts(placeholders))
            for second in seconds
        }
    return slot


def _written_times(second: int, slot_s: int) -> list[str]:
    return [f"{second}s", f"-{slot_s - second}s"] + ["half"] * (2 * second == slot_s)


def pauses(placeholders: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(
        lambda pause, extra: {"pause": pause, **extra},
        durations(1, 60),
        optional(
            name=texts(placeholders),
            ring_every=durations(limits.MIN_RING_EVERY_MS // 1000, 30),
            ring_cue=st.sampled_from(CUE_SOUNDS),
            tick_every=durations(3, 10),  # at least as long as any cue takes to ring
            tick_cue=st.sampled_from(CUE_SOUNDS),
        ),
    )


def simple_items(placeholders: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(steps(placeholders), slots(placeholders), pauses(placeholders))


_OWN_PLACEHOLDERS = {
    "sides": ("side",),
    "rounds": ("round", "rounds"),
    "words": ("item", "next", "index", "count"),  # a list of names
    "mappings": ("item", "next", "index", "count", "tip"),  # a list of names with a tip
}
_ENTRIES = [("squats", "slowly"), ("plank", "breathe"), ("lunges", "steady")]


@st.composite
def blocks(
    draw: st.DrawFn,
    sides: list[str],
    in_sides: bool,
    placeholders: tuple[str, ...] = (),
    depth: int = 1,
) -> dict[str, Any]:
    """A for_each_side, rounds or for_each block, nesting blocks ``depth`` deeper; never
    sides within sides (the check of equal sides reads each chapter's innermost side)."""
    kind = draw(st.sampled_from(["rounds", "words", "mappings"] + ["sides"] * (not in_sides)))
    entries = _ENTRIES[: draw(st.integers(1, 3))]
    own = _OWN_PLACEHOLDERS[kind]
    if kind in ("words", "mappings"):  # a list's {next} is its own, never an outer list's
        placeholders = tuple(name for name in placeholders if name != "next")
    if len(entries) == 1:  # a list of one has no {next}: the loader refuses text saying it
        own = tuple(name for name in own if name != "next")
    inner_placeholders = placeholders + own
    inner = simple_items(inner_placeholders)
    if depth:
        nested = blocks(sides, in_sides or kind == "sides", inner_placeholders, depth - 1)
        inner = inner | nested
    block: dict[str, Any] = {"steps": draw(st.lists(inner, min_size=1, max_size=3))}
    block |= draw(optional(announce=texts(inner_placeholders), name=texts(inner_placeholders)))
    if "announce" in block and "slot" in block["steps"][0] and draw(st.booleans()):
        block["announce_in_slot"] = True
    if kind == "sides":
        block |= {"for_each_side": sides}
        block |= draw(optional(switch_cue=st.sampled_from(CUE_SOUNDS)))
        return block
    between = simple_items(inner_placeholders)
    if kind == "rounds":
        rounds = draw(st.integers(1, 3))
        block |= {"rounds": rounds}
        block |= draw(
            optional(min_rounds=st.integers(1, rounds), max_rounds=st.integers(rounds, 6))
        )
        block |= draw(st.one_of(optional(rest=durations(1, 20)), optional(between=between)))
    else:
        if kind == "words":
            block |= {"for_each": [name for name, _ in entries]}
        else:
            block |= {"for_each": [{"name": name, "tip": tip} for name, tip in entries]}
        block |= draw(optional(switch_cue=st.sampled_from(CUE_SOUNDS), between=between))
    return block


@st.composite
def routines(draw: st.DrawFn) -> dict[str, Any]:
    # Every for_each_side block of a routine has the same sides, so each side's total time
    # over the whole session must come out equal.
    sides = draw(st.sampled_from([["right", "left"], ["palm", "back", "fingers"], ["one"]]))
    item = st.one_of(simple_items(()), blocks(sides, in_sides=False))
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


ISSUE_11_SIDES = {  # a tick ringing past the last side once gave that side 50 ms more
    "version": 1,
    "title": "Sides",
    "sections": [
        {"say": "a", "repeat": 1, "each": "500ms"},
        {
            "for_each_side": ["right", "left"],
            "announce": "Now {side}.",
            "steps": [{"say": "a", "repeat": 1, "each": "500ms", "repeat_cue": "tick"}],
        },
    ],
}


@pytest.mark.slow  # thousands of examples; scripts/fuzz runs 100,000
@settings(FUZZ, max_examples=examples("plan"))
@example(ISSUE_11_SIDES, 2.0, None, False)
@example(ISSUE_11_SIDES, 2.0, None, True)
@given(
    routines(),
    st.one_of(st.just(1.0), st.floats(0.5, 2.0)),
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
    except RoutineError as error:  # words at a time in a slot over other words: located
        assert all(p.path == "fuzz.yaml" and p.line and ".at." in p.key for p in error.problems)
        return
    check_invariants(timeline)
    check_limits(routine, timeline)
    assert timeline == plan(routine, fake_measure, chosen)  # deterministic
    assert " total (" in timeline_table(timeline)  # the table folds any shape of session


def check_limits(routine: Routine, timeline: Timeline) -> None:
    """The bounds the loader checks before any work hold for what the planner makes."""
    rings = timeline.total_ms // limits.MIN_RING_EVERY_MS  # ring_every cues: at most these
    assert len(timeline.events) <= cost.event_bound(routine) + rings
    texts = {event.text for event in timeline.speech()}
    phrases = cost.phrase_bound(routine)
    assert len(texts) <= phrases.count and sum(map(len, texts)) <= phrases.chars
    if timeline.pace == 1.0:
        guided_ms = timeline.total_ms - timeline.lead_in_ms - timeline.tail_ms
        assert cost.shortest_ms(routine, MIN_SCALE) <= guided_ms


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
    check_equal_sides(timeline)


def check_equal_sides(timeline: Timeline) -> None:
    """Each side gets the same time on the voice track and in its chapters, and what a side
    sounds (a cue ringing out included) ends inside that side's own time."""
    chapters = timeline.chapters
    per_side: dict[str, int] = defaultdict(int)
    for event in timeline.voice_track():
        side = chapters[event.chapter].side
        if side is not None:
            per_side[side] += event.duration_ms
    assert len(set(per_side.values())) <= 1, dict(per_side)
    spans: dict[str, int] = defaultdict(int)
    for chapter in chapters:
        if chapter.side is not None:
            spans[chapter.side] += chapter.end_ms - chapter.start_ms
    assert spans == per_side, (dict(spans), dict(per_side))
    for cue in timeline.cues():
        side = chapters[cue.chapter].side
        if side is not None:
            run_end_ms = _side_run_end_ms(chapters, cue.chapter)
            assert cue.start_ms + CUE_LEAD_MS[cue.cue] <= run_end_ms, (cue, run_end_ms)


def _side_run_end_ms(chapters: tuple[Chapter, ...], index: int) -> int:
    """Where the run of chapters of the same side as chapter ``index`` ends."""
    side = chapters[index].side
    while index + 1 < len(chapters) and chapters[index + 1].side == side:
        index += 1
    return chapters[index].end_ms


# -- the command line -----------------------------------------------------------------------

CLI_ROUTINE = (
    "version: 1\ntitle: Command line\nsections:\n"
    "  - say: Breathe.\n    repeat: 2\n    min_repeat: 1\n    max_repeat: 6\n    each: 4s\n"
    "  - pause: 30s\n    ring_every: 10s\n"
)
HUGE_NUMBER = "9" * 5000
DURATION_TEXTS = st.one_of(
    st.sampled_from(
        ["20m", "1:30", "1m30s", "500ms", "12h", "13h", "0", "none", "0s", "-5s", "30", "1:99"]
    ),
    st.sampled_from(["1:75:00", "1 0 s", "1e400s", "", " ", "ß", "\x1b]0;t\x07", HUGE_NUMBER]),
    st.just(HUGE_NUMBER + "s"),
    st.text(alphabet=st.sampled_from("0123456789:.-+ hmsn"), max_size=10),
)
OPTIONS = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["--length", "--lead-in", "--tail"]), DURATION_TEXTS),
        st.tuples(
            st.just("--pace"),
            st.sampled_from(["0.5", "2", "0.8", "0.49", "nan", "inf", "-1", "1e308", "x", ""])
            | st.floats(0.4, 2.1).map(str),
        ),
        st.tuples(
            st.just("--rate"),
            st.sampled_from(["80", "400", "79", "150", "1e3", "", HUGE_NUMBER])
            | st.integers(-10, 1000).map(str),
        ),
        st.tuples(st.sampled_from(["--bedtime", "--daytime", "--json"])),
    ),
    max_size=4,
)


@pytest.fixture(scope="module")
def cli_routine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "routine.yaml"
    path.write_text(CLI_ROUTINE, encoding="utf-8")
    return path


@pytest.mark.slow  # thousands of examples; scripts/fuzz runs 100,000
@settings(
    FUZZ,
    max_examples=examples("command"),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@example([("--length", HUGE_NUMBER + "s")])  # issue 11: an OverflowError traceback
@given(OPTIONS)
def test_any_plan_command_line_exits_0_1_or_2_without_a_traceback(
    cli_routine: Path, options: list[tuple[str, ...]]
) -> None:
    """Whatever the options, `plan` answers: a timeline, or an error line and exit 1 or 2."""
    arguments = ["plan", str(cli_routine), *itertools.chain.from_iterable(options)]
    result = CliRunner().invoke(app, arguments)
    shown = [argument[:40] for argument in arguments]  # a 5,000-digit one in full is noise
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        shown,
        repr(result.exception)[:200],
    )
    assert result.exit_code in (0, 1, 2), (shown, result.exit_code)
    assert "Traceback" not in result.output
    if result.exit_code:
        assert result.stderr.strip(), shown  # says why
