"""Help as a plain terminal shows it: options grouped in panels, arguments by their names.

Typer groups options by ``rich_help_panel`` only when it draws help with rich, in boxes as wide
as the terminal; voiceguide prints plain text (readable in a pipe, stable in tests), so these
classes group the panels themselves, in a fixed order. They also show an argument by its
metavar alone (``ROUTINE``, ``FILE...``), where Typer adds a type placeholder (``ROUTINE
<str>``) and braces in the usage line (``{files}...``).
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperCommand

ARGUMENTS = "Arguments"
OPTIONS = "Options"  # options in no panel, --help among them: listed last
TIMING = "Timing"
VOICE = "Voice"
SOUND = "Sound"
BEDTIME = "Bedtime"
OUTPUT = "Output"
_ORDER = (ARGUMENTS, TIMING, VOICE, SOUND, BEDTIME, OUTPUT)  # others follow, then OPTIONS
MIN_PANELLED = 9
"""Fewer options than this read best as one list: panels are for the long helps."""


class PanelledCommand(TyperCommand):
    def format_options(self, ctx: Any, formatter: Any) -> None:
        params = self.get_params(ctx)
        panelled = sum(p.param_type_name == "option" for p in params) >= MIN_PANELLED
        panels: dict[str, list[tuple[str, str]]] = {}
        for param in params:
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                panels.setdefault(ARGUMENTS, []).append((_argument_name(param), record[1]))
            else:
                panel = getattr(param, "rich_help_panel", None) if panelled else None
                panels.setdefault(panel or OPTIONS, []).append(record)
        for title in sorted(panels, key=_rank):
            with formatter.section(title):
                formatter.write_dl(panels[title])

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = _argument_name(param)
                pieces.append(name if param.required else f"[{name}]")
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces


def _rank(panel: str) -> tuple[int, int]:
    """Where a panel goes: those named in _ORDER in that order, then others, OPTIONS last."""
    if panel in _ORDER:
        return (0, _ORDER.index(panel))
    return (2, 0) if panel == OPTIONS else (1, 0)


def _argument_name(param: Any) -> str:
    name = str(param.metavar or param.name.upper())
    return f"{name}..." if param.nargs != 1 else name
