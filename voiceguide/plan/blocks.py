"""Laying out the blocks: sides (each the same time), and rounds and lists (their steps once
per round or entry, with what comes between). Functions of the ``Layout`` doing the work."""

from __future__ import annotations

from typing import TYPE_CHECKING

from voiceguide.plan.session import Context, Session
from voiceguide.routine.model import Block, ForEach, Rounds, Sides, Slot

if TYPE_CHECKING:
    from voiceguide.plan.layout import Layout, Repeats


def sides(
    layout: Layout,
    session: Session,
    block: Sides,
    context: Context,
    repeats: Repeats,
    scale: float,
) -> None:
    """Each side laid out alone, then padded with silence to the longest side.

    A side lasts until its last sound ends, a cue still ringing included (``total_ms``,
    not ``t``): so a tick at its last repetition rings out inside its own time, never in
    the next side's or in a ring-out after the session, and the sides last the same
    whatever comes before or after the block. A side followed by the switch cue ends with
    room to breathe when its last words end late: the breath is its own time, so the sides
    stay equal, and mostly it takes the place of padding the side had anyway (the next
    side is longer by the cue's lead).
    """
    laid_out: list[Session] = []
    for index, side in enumerate(block.sides):
        inner = context.inside({"side": side})
        alone = layout.new_session()
        # Each side follows the one before (or what precedes the block), its words and
        # silence since: what a cue early in it counts its room from (padding uncounted).
        alone.follow(laid_out[-1] if laid_out else session)
        alone.open_chapter(inner.fill(block.name) if block.name else f"{side} side", side)
        if index and block.switch_cue:
            layout.cue_then_wait(alone, block.switch_cue)
        announced(layout, alone, block, inner, repeats, scale)
        if index + 1 < len(block.sides) and block.switch_cue:
            layout.breathe(alone)  # room before the next side's cue, in this side's time
        laid_out.append(alone)
    longest_ms = max(alone.total_ms for alone in laid_out)
    around = session.current_chapter()
    for alone in laid_out:
        session.append(alone, longest_ms - alone.t)
    session.resume = around


def runs(
    layout: Layout,
    session: Session,
    block: Rounds | ForEach,
    context: Context,
    repeats: Repeats,
    scale: float,
) -> None:
    """The block's steps once a round or entry, and what comes between one and the next
    (never after the last). Each entry of a list opens a chapter; a round opens one when
    the block is named."""
    around = session.current_chapter()
    if isinstance(block, ForEach):  # a list's {next} is its own, even where it has none
        context = Context({k: v for k, v in context.values.items() if k != "next"})
    contexts = [context.inside(values) for values in _run_values(block, repeats)]
    for index, inner in enumerate(contexts):
        if isinstance(block, ForEach):
            if index and block.switch_cue:  # its breath ends the entry before
                layout.breathe(session)
            title = inner.fill(block.name) if block.name else inner.values["item"]
            session.open_chapter(title, inner.side())
            if index and block.switch_cue:
                layout.cue_then_wait(session, block.switch_cue)
        elif block.name:
            session.open_chapter(inner.fill(block.name), inner.side())
        announced(layout, session, block, inner, repeats, scale)
        if index + 1 < len(contexts):
            if isinstance(block, Rounds) and block.rest_ms:
                layout.wait(session, block.rest_ms, scale, "rest between rounds")
            layout.items(session, block.between, inner, repeats, scale)
    session.resume = around


def _run_values(block: Rounds | ForEach, repeats: Repeats) -> list[dict[str, str]]:
    """The placeholders' values of each round (as many as fitting chose) or entry."""
    if isinstance(block, Rounds):
        count = repeats.get(id(block), block.rounds)
        return [{"round": str(number), "rounds": str(count)} for number in range(1, count + 1)]
    entries = block.entries
    found = []
    for index, entry in enumerate(entries):
        values = {**entry, "index": str(index + 1), "count": str(len(entries))}
        if index + 1 < len(entries):  # the last has no next: text saying {next} is left out
            values["next"] = entries[index + 1]["item"]
        found.append(values)
    return found


def announced(
    layout: Layout,
    session: Session,
    block: Block,
    context: Context,
    repeats: Repeats,
    scale: float,
) -> None:
    """The block's announce, then its steps; the announce goes inside the first slot when
    the block asks for it (the loader checked that the first item is a slot)."""
    announce = context.spoken(block.announce)
    items = block.items
    if announce and block.announce_in_slot and isinstance(items[0], Slot):
        layout.slot(session, items[0], context, scale, before=(announce,))
        items = items[1:]
    elif announce:
        layout.say(session, announce)
    layout.items(session, items, context, repeats, scale)
