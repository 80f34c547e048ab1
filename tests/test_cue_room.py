"""Room to breathe before cues, planned with the real speech engine (issue 15): every cue
of the default session starts at least 0.6 s after the words before it, and where a
routine's exact timing puts one closer, `plan` says so on stderr and still succeeds."""

import json

from typer.testing import CliRunner

from voiceguide.cli import app

runner = CliRunner()
CLOSE_MS = 600  # what issue 15 checks; the planner aims for 800


def room_before_cues(timeline: dict) -> list[tuple[int, str, str]]:
    """(gap in ms, cue, the words before it) for each cue with words before it."""
    speech = [e for e in timeline["events"] if e["kind"] == "speech"]
    found = []
    for cue in (e for e in timeline["events"] if e["kind"] == "cue"):
        before = [e for e in speech if e["start_ms"] < cue["start_ms"]]
        if before:
            words = max(before, key=lambda e: e["start_ms"])
            gap_ms = cue["start_ms"] - words["start_ms"] - words["duration_ms"]
            found.append((gap_ms, cue["cue"], words["text"]))
    return found


def test_every_cue_of_the_default_session_has_room_after_the_words_before_it():
    result = runner.invoke(app, ["plan", "hand-massage", "--json"])
    assert (result.exit_code, result.stderr) == (0, "")
    room = room_before_cues(json.loads(result.stdout))
    assert len(room) == 14  # 12 strokes' bells, the closing bell and the switch chime
    assert min(room)[0] >= CLOSE_MS, min(room)
    # The bells after "...Let it rest on the table." rang the instant it ended (0 ms).
    after_announce = [gap for gap, _, words in room if words.endswith("rest on the table.")]
    assert after_announce == [800, 800]


def test_plan_notes_words_a_slot_s_exact_end_leaves_close_to_its_cue(tmp_path):
    routine = tmp_path / "plank.yaml"
    routine.write_text(
        "version: 1\ntitle: Plank\nsections:\n"
        "  - name: Plank\n    slot: 20s\n    say: Plank.\n"
        "    at: {-1s: Hold on.}\n    end_cue: bell\n"
        "  - say: Rest now.\n"
    )
    result = runner.invoke(app, ["plan", str(routine)])
    assert result.exit_code == 0, result.stderr
    note = result.stderr.strip()
    assert note.startswith("note: a cue rings less than 0.6 s after the words before it, ")
    assert "the bell at 0:20.0" in note and "'Hold on.'" in note
    assert "say those words earlier or make them shorter" in note
