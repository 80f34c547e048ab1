"""The render's progress bar: drawn on a terminal, nothing at all in a pipe or a log."""

from voiceguide.progress import PHASES, progress_bar


def run_phases() -> None:
    with progress_bar() as progress:
        for done in range(0, 11):
            progress("render", done, 10)
        progress("encode", 1, 0)  # an unknown total and an unnamed phase are fine too


def test_nothing_is_written_when_stderr_is_not_a_terminal(capfd, monkeypatch):
    for variable in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(variable, raising=False)
    run_phases()
    assert capfd.readouterr() == ("", "")


def test_on_a_terminal_each_phase_gets_a_named_bar_on_stderr(capfd, monkeypatch):
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # rich draws as on a terminal
    monkeypatch.setenv("TTY_INTERACTIVE", "1")
    monkeypatch.setenv("COLUMNS", "100")
    run_phases()
    out, err = capfd.readouterr()
    assert out == ""
    assert PHASES["render"] in err and "100%" in err
    assert "encode" in err
