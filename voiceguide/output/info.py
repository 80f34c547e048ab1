"""`voiceguide info`: what a rendered file says about itself, read back from its tags."""

from __future__ import annotations

from pathlib import Path

from voiceguide.errors import printable
from voiceguide.output.tags import read_info
from voiceguide.routine.durations import format_ms


def file_info(path: Path) -> list[str]:
    """What a rendered file says about itself, as lines: duration, tags, chapters, settings.

    Text from the file is shown with control characters escaped: a tag must not be able
    to move the cursor or retitle the terminal.
    """
    info = read_info(path)
    lines = [f"{path}: {format_ms(info.duration_ms)}"]  # mutagen: within ~50 ms
    lines += [f"  {name}: {value}" for name, value in info.tags.items()]
    if info.has_cover:
        lines.append("  cover: yes")
    if info.record:
        made = ", ".join(f"{k}={v}" for k, v in sorted(info.record.items()) if v is not None)
        lines.append(f"  made with: {made}")
    lines.append(f"  chapters: {len(info.chapters)}")
    lines += [f"  {format_ms(c.start_ms, precise=True):>9}  {c.title}" for c in info.chapters]
    lines += [f"  cannot read: {problem}" for problem in info.problems]
    return [printable(line) for line in lines]
