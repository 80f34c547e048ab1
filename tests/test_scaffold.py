"""`voiceguide new`: an editable routine that validates, explains its keys, never overwrites."""

import json

import pytest
from typer.testing import CliRunner

from voiceguide.cli import app
from voiceguide.plan.planner import plan
from voiceguide.routine.loader import load_routine, load_routine_text
from voiceguide.routine.scaffold import SCHEMA_FILE, ScaffoldError, annotate, new_routine
from voiceguide.routine.schema import SCHEMA_MODELINE, SECTIONS, json_schema
from voiceguide.routine.templates import template_names, template_path
from voiceguide.tts.fake import speech_ms

runner = CliRunner()


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_new_from_a_template_then_validate_passes():
    made = runner.invoke(app, ["new", "my-routine", "--from", "hand-massage-arthritis"])
    assert (made.exit_code, made.stderr) == (0, "")
    assert made.stdout == (
        "wrote my-routine.yaml: edit it, then check it with 'voiceguide validate my-routine.yaml'\n"
        f"wrote {SCHEMA_FILE} (for editor completion)\n"
    )
    checked = runner.invoke(app, ["validate", "my-routine.yaml"])
    assert (checked.exit_code, checked.stdout) == (0, "my-routine.yaml: ok\n")


@pytest.mark.parametrize("name", template_names())
def test_new_from_each_template_is_that_routine(name):
    """The comments change nothing: the copy plans to the very same timeline."""
    made = new_routine("copy", name)
    copied = plan(load_routine(made.path), speech_ms)
    assert copied == plan(load_routine(template_path(name)), speech_ms)


def test_new_without_a_template_writes_a_starter_titled_by_its_name(in_tmp):
    made = new_routine("evening-stretch")
    assert made.path == in_tmp.joinpath("evening-stretch.yaml").relative_to(in_tmp)
    routine = load_routine(made.path)
    assert routine.title == "Evening stretch"
    assert plan(routine, speech_ms).total_ms > 0


def test_new_explains_every_key_it_uses_from_the_schema():
    text = new_routine("starter").path.read_text()
    docs = {key.name: key.doc for keys in SECTIONS.values() for key in keys}
    lines = text.splitlines()
    used = {line.strip().removeprefix("- ").split(":")[0] for line in lines if ":" in line}
    for name in used & set(docs):
        assert f"# {name}: " in text, name
    above_repeat = lines[lines.index("        repeat: 4") - 1]
    assert above_repeat == "        # repeat: How many repetitions at natural length. Default: 1."
    # Top-level keys the starter leaves out are there to uncomment.
    assert "# lead_in: 30s" in lines and "# end_cue: gong" in lines


def test_new_points_editors_at_a_schema_written_beside_it(in_tmp):
    made = new_routine("a", "hand-massage-quick")
    first = made.path.read_text().splitlines()[0]
    assert first == f"# yaml-language-server: $schema={SCHEMA_FILE}"
    assert json.loads((in_tmp / SCHEMA_FILE).read_text()) == json_schema()
    assert made.schema_written
    assert not new_routine("b").schema_written  # current already: left alone


def test_new_in_a_repository_folder_points_at_the_committed_schema(in_tmp):
    (in_tmp / "docs").mkdir()
    (in_tmp / "docs" / SCHEMA_FILE).write_text("{}")
    (in_tmp / "audio_templates").mkdir()
    made = new_routine("audio_templates/mine", "hand-massage-quick")
    assert made.path.read_text().startswith(
        f"# yaml-language-server: $schema=../docs/{SCHEMA_FILE}\n"
    )
    assert not made.schema_written
    assert (in_tmp / "docs" / SCHEMA_FILE).read_text() == "{}"
    assert not (in_tmp / "audio_templates" / SCHEMA_FILE).exists()


def test_new_refuses_to_overwrite_and_exits_1(in_tmp):
    (in_tmp / "mine.yaml").write_text("keep me")
    result = runner.invoke(app, ["new", "mine"])
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "mine.yaml already exists: choose another name, or delete it first\n"
    assert (in_tmp / "mine.yaml").read_text() == "keep me"


def test_new_leaves_a_foreign_schema_file_alone_and_writes_nothing(in_tmp):
    (in_tmp / SCHEMA_FILE).write_text('{"title": "something else"}')
    with pytest.raises(ScaffoldError, match="is not voiceguide's schema"):
        new_routine("mine")
    assert not (in_tmp / "mine.yaml").exists()


def test_new_from_an_unknown_template_names_the_templates():
    result = runner.invoke(app, ["new", "mine", "--from", "hand-masage"])
    assert result.exit_code == 1
    assert result.stderr.startswith("no routine file or built-in template named 'hand-masage'")


def test_new_into_a_missing_folder_says_so():
    with pytest.raises(ScaffoldError, match="no folder nowhere"):
        new_routine("nowhere/mine")


def test_new_keeps_a_yaml_suffix():
    assert new_routine("mine.yml").path.name == "mine.yml"


def test_new_has_help_with_an_example():
    result = runner.invoke(app, ["new", "--help"])
    assert result.exit_code == 0
    assert "Example: voiceguide new my-routine --from hand-massage-arthritis" in result.stdout


def test_new_tells_of_include_and_explains_it_where_a_routine_uses_it():
    text = new_routine("starter").path.read_text()
    assert "#  - include: warm-up.yaml" in text.splitlines()
    source = "version: 1\ntitle: T\nsections:\n  - include: warm-up.yaml\n"
    lines = annotate(source, SCHEMA_MODELINE).splitlines()
    at = lines.index("  - include: warm-up.yaml")
    comment = [line for line in lines[at - 4 : at] if line.startswith("  #")]
    assert comment[0].startswith("  # include: Another routine file whose `sections` items")


def test_new_names_every_key_of_the_format_with_its_meaning():
    text = new_routine("starter").path.read_text()
    for section, keys in SECTIONS.items():
        for key in keys:
            assert f"# {key.name}: " in text or f"#   {key.name}: " in text, f"{section}.{key.name}"


def test_the_kinds_of_item_new_offers_load_once_uncommented():
    text = new_routine("starter").path.read_text()
    offered = text[text.index("# A list block") : text.index("# Another file's")]
    items = [line[1:] for line in offered.splitlines() if line.startswith("#  ")]
    routine = load_routine_text("version: 1\ntitle: T\nsections:\n" + "\n".join(items) + "\n")
    assert [type(item).__name__ for item in routine.items] == ["ForEach", "Rounds"]
