"""The session being laid out: events from time 0, the chapters they open, and the
placeholder values where an item is laid out. Pure bookkeeping: no timing decisions."""

from __future__ import annotations

from dataclasses import dataclass, field

from voiceguide.errors import Problem
from voiceguide.plan.timeline import Chapter, Event, Kind
from voiceguide.routine.placeholders import placeholder_names


@dataclass
class Session:
    """Events being laid out from time 0, with the chapters they open."""

    t: int = 0
    events: list[Event] = field(default_factory=list)
    opened: list[tuple[int, str, str | None]] = field(default_factory=list)  # start, title, side
    overruns: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # located: speech at `at` times
    ring_out_ms: int = 0  # the last cue's lead may run past the voice track
    resume: tuple[str, str | None] | None = None  # the chapter to go back to after a block
    record: bool = True  # False: only time is kept (a layout that measures the length)
    # Since the last speech ended: the least silence there can be at any elastic scale
    # (None: nothing said yet), and whether a slot has just ended (its timing is exact).
    quiet_ms: int | None = None
    after_slot: bool = False

    @property
    def chapter(self) -> int:
        return max(len(self.opened) - 1, 0)

    @property
    def total_ms(self) -> int:
        return max(self.t, self.ring_out_ms)

    def open_chapter(self, title: str, side: str | None) -> None:
        self.resume = None
        if self.opened and self.opened[-1][0] == self.t:
            self.opened.pop()  # an empty chapter gives way to the one opening at its start
        self.opened.append((self.t, title[:1].upper() + title[1:], side))

    def add(
        self,
        kind: Kind,
        duration_ms: int,
        text: str = "",
        *,
        rate_wpm: int = 0,
        elastic: bool = False,
        pace: float = 0.0,
        file: str = "",
        least_ms: int | None = None,
    ) -> None:
        """An event on the voice track from now. ``least_ms``: how short an elastic silence
        can be at any scale (none, unless given); fixed time is always its duration."""
        if self.record:
            self.ensure_chapter()
            self.events.append(
                Event(
                    self.t,
                    duration_ms,
                    kind,
                    self.chapter,
                    text=text,
                    rate_wpm=rate_wpm,
                    elastic=elastic,
                    pace=pace,
                    file=file,
                )
            )
        self.t += duration_ms
        self.after_slot = False
        if kind == "speech":
            self.quiet_ms = 0
        elif self.quiet_ms is not None:
            self.quiet_ms += (least_ms or 0) if elastic else duration_ms

    def follow(self, other: Session) -> None:
        """Start where ``other`` is: what was said last and how long ago (a block's part
        laid out alone follows what comes before it)."""
        self.quiet_ms, self.after_slot = other.quiet_ms, other.after_slot

    def cue(self, name: str, lead_ms: int, at_ms: int | None = None, text: str = "") -> None:
        """A cue at ``at_ms`` (else now), ringing for at least ``lead_ms``."""
        start_ms = self.t if at_ms is None else at_ms
        if self.record:
            self.ensure_chapter()
            self.events.append(Event(start_ms, 0, "cue", self.chapter, text=text, cue=name))
        self.ring_out_ms = max(self.ring_out_ms, start_ms + lead_ms)

    def ensure_chapter(self) -> None:
        """Events after a block go back to the chapter around it, never the block's last."""
        if self.resume:
            self.open_chapter(*self.resume)
        elif not self.opened:
            self.open_chapter("Introduction", None)

    def current_chapter(self) -> tuple[str, str | None]:
        if self.resume:
            return self.resume
        _, title, side = self.opened[-1] if self.opened else (0, "Introduction", None)
        return title, side

    def append(self, other: Session, pad_ms: int) -> None:
        """Lay ``other`` (laid out from 0) at the current time, then pad it with silence."""
        self.resume = None  # other opens its own chapters
        base = len(self.opened)
        for event in other.events:
            self.events.append(
                Event(
                    event.start_ms + self.t,
                    event.duration_ms,
                    event.kind,
                    event.chapter + base,
                    event.text,
                    event.cue,
                    event.rate_wpm,
                    event.elastic,
                    event.pace,
                    event.file,
                )
            )
        self.opened.extend((start + self.t, title, side) for start, title, side in other.opened)
        self.overruns.extend(other.overruns)
        self.problems.extend(other.problems)
        self.ring_out_ms = max(self.ring_out_ms, other.ring_out_ms + self.t)
        self.t += other.t
        self.follow(other)
        if pad_ms:
            self.add("silence", pad_ms, "settle (equal time per side)")

    def chapters(self) -> tuple[Chapter, ...]:
        ends = [start for start, _, _ in self.opened[1:]] + [self.total_ms]
        return tuple(
            Chapter(title, side, start, end)
            for (start, title, side), end in zip(self.opened, ends, strict=True)
        )


class _Blank(dict[str, str]):
    """Placeholder values where one the place has not (a list's last ``{next}``) is empty."""

    def __missing__(self, name: str) -> str:
        return ""


@dataclass(frozen=True)
class Context:
    """The placeholders' values where an item is laid out (blocks nest: the innermost
    block's values win)."""

    values: dict[str, str] = field(default_factory=dict)

    def inside(self, values: dict[str, str]) -> Context:
        return Context({**self.values, **values})

    def fill(self, text: str) -> str:
        return text.format_map(_Blank(self.values))

    def spoken(self, text: str | None) -> str:
        """The text to say here, empty for none: text that names a value this place has
        not (``{next}`` in a list's last entry) is left out."""
        if not text:
            return ""
        known = set(placeholder_names(text)) <= self.values.keys()
        return self.fill(text) if known else ""

    def title(self, name: str) -> str:
        """A chapter's title: the name filled in, with the side, round and list entry it
        is in where the name does not already say them."""
        title = self.fill(name)
        unused = []
        if "item" in self.values and "{item}" not in name:
            unused.append(self.values["item"])
        if "side" in self.values and "{side}" not in name:
            unused.append(self.values["side"])
        if "round" in self.values and "{round}" not in name:
            unused.append(f"round {self.values['round']} of {self.values['rounds']}")
        return f"{title} ({', '.join(unused)})" if unused else title

    def side(self) -> str | None:
        return self.values.get("side")
