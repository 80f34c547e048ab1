"""The JSON Schema agrees with the loader: templates and valid files pass, mistakes fail."""

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from voiceguide.errors import RoutineError
from voiceguide.routine.schema import SCHEMA_MODELINE, SECTIONS, json_schema, key_tables

ROOT = Path(__file__).parent.parent
VALID = sorted((ROOT / "tests" / "data" / "valid").glob("*.yaml"))
TEMPLATES = sorted((ROOT / "audio_templates").glob("*.yaml"))


def validator():
    return jsonschema.Draft202012Validator(json_schema())


def test_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(json_schema())


@pytest.mark.parametrize("path", VALID + TEMPLATES, ids=lambda p: p.name)
def test_valid_files_and_templates_pass_the_schema(path):
    # Editors read YAML 1.2, where 1:30 is a string; safe_load (1.1) would make it 90.
    document = yaml.load(path.read_text(), Loader=yaml.BaseLoader)
    document["version"] = int(document["version"])
    errors = list(validator().iter_errors(_typed(document)))
    assert errors == []


def _cookbook_examples() -> list[str]:
    text = (ROOT / "docs" / "cookbook.md").read_text()
    return [block.split("```", 1)[0] for block in text.split("```yaml\n")[1:]]


@pytest.mark.parametrize("example", _cookbook_examples(), ids=lambda text: text.split("\n")[1])
def test_the_cookbook_examples_pass_the_schema(example):
    document = _typed(yaml.load(example, Loader=yaml.BaseLoader))
    assert list(validator().iter_errors(document)) == []


@pytest.mark.parametrize(
    "broken",
    [
        {"version": 1, "title": "t", "sections": [{"say": "s", "repaet": 3}]},
        {"version": 2, "title": "t", "sections": [{"say": "s"}]},
        {"version": 1, "title": "t", "sections": [{"pause": "5 seconds"}]},
        {"version": 1, "title": "t", "sections": [{"say": "s", "start_cue": "gongg"}]},
        {"version": 1, "sections": [{"say": "s"}]},
        {"version": 1, "title": "t", "sections": [{"include": "a.yaml", "say": "s"}]},
        {"version": 1, "title": "t", "sections": [{"include": "a.yaml", "pause": "5s"}]},
        {"version": 1, "title": "t", "sections": [{"include": ""}]},
        {
            "version": 1,
            "title": "t",
            "sections": [{"for_each": [{"tip": "x"}], "steps": [{"say": "s"}]}],
        },
        {
            "version": 1,
            "title": "t",
            "sections": [{"rounds": 2, "between": 5, "steps": [{"say": "s"}]}],
        },
    ],
)
def test_schema_rejects_mistakes(broken):
    assert list(validator().iter_errors(broken))


def test_schema_takes_an_include_as_an_item_anywhere_items_go():
    include = {"include": "warm-up.yaml"}
    sides = {"for_each_side": ["right", "left"], "steps": [include]}
    document = {"version": 1, "title": "t", "sections": [include, sides]}
    assert list(validator().iter_errors(document)) == []


def test_templates_start_with_the_schema_modeline():
    for path in TEMPLATES:
        assert path.read_text().splitlines()[0] == SCHEMA_MODELINE


def test_committed_schema_file_is_current():
    committed = json.loads((ROOT / "docs" / "routine.schema.json").read_text())
    assert committed == json_schema()


def test_docs_key_tables_are_current():
    docs = (ROOT / "docs" / "routine-format.md").read_text()
    section = docs[docs.index("## Keys\n") : docs.index("## Errors\n")]
    assert section.strip() == key_tables().strip(), "regenerate with schema.key_tables()"


def test_docs_describe_every_key():
    docs = (ROOT / "docs" / "routine-format.md").read_text()
    for section, keys in SECTIONS.items():
        for key in keys:
            assert f"| `{key.name}` |" in docs, f"{section}.{key.name} is not documented"


def _typed(node):
    """BaseLoader gives strings; turn numbers and booleans back as an editor would see them."""
    if isinstance(node, dict):
        return {k: _typed(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_typed(v) for v in node]
    if node in ("true", "false", "yes", "no"):
        return node in ("true", "yes")
    for kind in (int, float):
        try:
            return kind(node)
        except ValueError:
            pass
    return node


def test_docs_yaml_examples_load_and_plan(tmp_path):
    import wave

    from voiceguide.plan.planner import plan
    from voiceguide.routine.loader import load_routine_text

    docs = (ROOT / "docs" / "routine-format.md").read_text()
    blocks = [b.split("```", 1)[0] for b in docs.split("```yaml\n")[1:]]
    assert blocks
    for block in blocks:  # a block headed '# NAME.yaml' is a file other blocks may include
        if named := re.match(r"# ([\w-]+\.yaml)\n", block):
            (tmp_path / named.group(1)).write_text(block)
    for block in blocks:
        # The sound files an example names, made beside it (a second of a tone).
        for name in re.findall(r"file: ([\w./-]+)", block):
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            with wave.open(str(tmp_path / name), "wb") as sound:
                sound.setnchannels(1)
                sound.setsampwidth(2)
                sound.setframerate(8000)
                sound.writeframes(b"\x00\x40" * 8000)
        routine = load_routine_text(block, str(tmp_path / "docs.yaml"))
        timeline = plan(routine, lambda text, rate: 100 * len(text))
        assert timeline.total_ms > 0


# Durations both the loader and the schema accept, whatever their case or spacing...
GOOD_DURATIONS = [
    "15M", "15m", "90s", "1m30s", "1m 30s", " 10 s ", "2H", "1.5h", "500ms", "500MS",
    "1h30m15s500ms", "1:30", "01:02:05.300", "0:45",
]  # fmt: skip
# ...and text both refuse.
BAD_DURATIONS = [
    "5 seconds", "15", "1 5s", "1. 5s", "abc", "1:5", ":30", "1:30:", "-5s", "m", "", "5s;",
    "1,5s", "5sec",
]  # fmt: skip
# What the pattern cannot say: value rules only the loader checks (more than 0, at most
# 12 hours, each unit once, a clock's seconds below 60). The schema lets these through.
VALUE_REFUSED = ["0s", "13h", "5s5s", "1:75"]


def _loads_as_pause(duration: str) -> bool:
    from voiceguide.routine.loader import load_routine_text

    text = f"version: 1\ntitle: t\nsections:\n  - pause: {json.dumps(duration)}\n"
    try:
        load_routine_text(text, "durations.yaml")
    except RoutineError:
        return False
    return True


def _schema_accepts_pause(duration: str) -> bool:
    document = {"version": 1, "title": "t", "sections": [{"pause": duration}]}
    return not list(validator().iter_errors(document))


@pytest.mark.parametrize("duration", GOOD_DURATIONS + BAD_DURATIONS)
def test_the_loader_and_the_schema_agree_on_durations(duration):
    assert _loads_as_pause(duration) == _schema_accepts_pause(duration)
    assert _loads_as_pause(duration) == (duration in GOOD_DURATIONS)


@pytest.mark.parametrize("duration", VALUE_REFUSED)
def test_duration_value_rules_are_the_loaders(duration):
    assert _schema_accepts_pause(duration) and not _loads_as_pause(duration)


@pytest.mark.parametrize("code", ["en", "de", "en-gb", "pt_BR", "x", "english", "en-", "e1"])
def test_the_loader_and_the_schema_agree_on_language_codes(code):
    from voiceguide.routine.loader import load_routine_text

    text = f"version: 1\ntitle: t\nlanguage: {json.dumps(code)}\nsections:\n  - pause: 5s\n"
    try:
        load_routine_text(text, "language.yaml")
        loads = True
    except RoutineError:
        loads = False
    document = {"version": 1, "title": "t", "language": code, "sections": [{"pause": "5s"}]}
    assert loads == (not list(validator().iter_errors(document)))


@pytest.mark.parametrize(
    ("key", "written"),
    [
        ("level", "-24dB"), ("level", "-24 DB"), ("level", " -20 "), ("level", "+-3dB"),
        ("level", "-24 decibels"), ("level", "-2e1"),
        ("carrier", "200Hz"), ("carrier", "200 hz"), ("carrier", "200.5"), ("carrier", "-200Hz"),
        ("carrier", "200 kHz"),
    ],
)  # fmt: skip
def test_the_loader_and_the_schema_agree_on_levels_and_frequencies(key, written):
    from voiceguide.routine.loader import load_routine_text

    text = (
        f"version: 1\ntitle: t\nbackground: {{sound: brown, {key}: {json.dumps(written)}}}\n"
        "sections:\n  - pause: 5s\n"
    )
    try:
        load_routine_text(text, "level.yaml")
        loads = True
    except RoutineError as error:  # a value out of range is the loader's rule, not the pattern's
        loads = "out of range" in str(error)
    background = {"sound": "brown", key: written}
    document = {"version": 1, "title": "t", "background": background, "sections": [{"pause": "5s"}]}
    assert loads == (not list(validator().iter_errors(document)))
