"""When levels move: the bed's fades, the tail's fade, the fade that ends the output, the
bedtime voice's fall and the ducking's timing. Decided here, from the laid-out session;
the mixer only executes them (``Timeline.mix``).
"""

from __future__ import annotations

from voiceguide.plan.timeline import Duck, Event, Fade, GainRamp, Mix, Timeline
from voiceguide.routine.limits import MIN_TAIL_MS

BED_FADE_MIN_MS = 5_000
BED_FADE_MAX_MS = 30_000
BED_FADE_FRACTION = 1 / 30  # 15 minutes fade over 30 s
OUTPUT_FADE_MS = 20  # a sound cut by the end of the session must not click
DUCK_ATTACK_MS = 300  # the duck is complete when speech starts: the timeline knows ahead
DUCK_RELEASE_MS = 900
# How far the bed steps back follows how much is said: a word or two (a count, "Good.") is
# clear over the bed and a dip for it is only heard as pumping; a sentence or more gets
# room. Between the two the depth grows in a straight line, so no length is a cliff.
NARRATION_DUCK_DB = 8.0
BRIEF_SPEECH_MS = 1_000  # a phrase this short never dips the bed on its own
FULL_DUCK_SPEECH_MS = 2_500  # this much speech in a run gets the full dip
# Runs of speech closer than the duck's attack and release dip as one, so the bed does
# not come up between them.
DUCK_MERGE_GAP_MS = DUCK_ATTACK_MS + DUCK_RELEASE_MS
# The tail's fade stays audible: the bed falls evenly by TAIL_FALL_DB until the fade's last
# TAIL_LAST_MS, then to silence. (Eased and squared, as the other bed fades are, it fell under
# -60 dBFS minutes before the end of a long tail and was digitally silent for its last 30 s.)
# 6 dB: the bedtime bed (about -49 dBFS a channel) is still over -60 dBFS folded down to
# mono, where uncorrelated channels read 3 dB lower, when the last half-minute begins.
TAIL_FALL_DB = 6.0
TAIL_LAST_MS = 30_000


def bed_fade_ms(total_ms: int) -> int:
    """At least 5 s, longer for long sessions, never more than half the session."""
    fade_ms = min(BED_FADE_MAX_MS, max(BED_FADE_MIN_MS, round(total_ms * BED_FADE_FRACTION)))
    return min(fade_ms, total_ms // 2)


def tail_fade_ms(tail_ms: int) -> int:
    """A tail fades out over its second half, and never faster than over a minute."""
    return max(MIN_TAIL_MS, tail_ms // 2)


def bed_fade_in_ms(timeline: Timeline) -> int:
    """With a lead-in the bed is up within its first half: the lead-in is for hearing it."""
    fade_ms = bed_fade_ms(timeline.total_ms)
    if timeline.lead_in_ms:
        fade_ms = max(1, min(fade_ms, timeline.lead_in_ms // 2))
    return fade_ms


def bed_fade_out_ms(timeline: Timeline) -> int:
    """The tail's slow fade, else the same fade as the start's."""
    return tail_fade_ms(timeline.tail_ms) if timeline.tail_ms else bed_fade_ms(timeline.total_ms)


def voice_gain(timeline: Timeline) -> GainRamp | None:
    """At bedtime the voice falls in a straight line (in dB) from its first word to
    ``voice_fall_db`` under it at its last. None when the voice keeps its level."""
    speech = timeline.speech()
    if not timeline.bedtime or not timeline.bedtime.voice_fall_db or len(speech) < 2:
        return None
    fall_db = timeline.bedtime.voice_fall_db
    return GainRamp(speech[0].start_ms, speech[-1].start_ms, 0.0, -fall_db)


def bed_fade_out(timeline: Timeline) -> Fade:
    """A tail's fade falls evenly in dB and ends over its last half-minute; a session without
    a tail ends its bed with the same eased fade as it began."""
    total_ms, fade_ms = timeline.total_ms, bed_fade_out_ms(timeline)
    if not timeline.tail_ms:
        return Fade("bed", "out", total_ms - fade_ms, total_ms)
    last_ms = min(TAIL_LAST_MS, fade_ms // 2)
    return Fade("bed", "out", total_ms - fade_ms, total_ms, TAIL_FALL_DB, last_ms)


def duck_depth_db(spoken_ms: int) -> float:
    """How far the bed steps back under a run with this much speech."""
    if spoken_ms <= BRIEF_SPEECH_MS:
        return 0.0
    share = min(1.0, (spoken_ms - BRIEF_SPEECH_MS) / (FULL_DUCK_SPEECH_MS - BRIEF_SPEECH_MS))
    return round(NARRATION_DUCK_DB * share, 2)


def speech_runs(speech: list[Event]) -> list[list[Event]]:
    """Phrases grouped into runs, each phrase less than the merge gap after the last."""
    runs: list[list[Event]] = []
    for event in speech:
        if runs and event.start_ms - runs[-1][-1].end_ms < DUCK_MERGE_GAP_MS:
            runs[-1].append(event)
        else:
            runs.append([event])
    return runs


def run_duck(run: list[Event]) -> Duck | None:
    """The dip under a run of phrases: from its first to its last phrase that is more than a
    word or two (a count said just after a sentence stays out of the sentence's dip), as
    deep as the speech between them is long; None when nothing in it is worth a dip."""
    long = [i for i, event in enumerate(run) if event.duration_ms > BRIEF_SPEECH_MS]
    if not long:
        return None
    covered = run[long[0] : long[-1] + 1]
    depth_db = duck_depth_db(sum(event.duration_ms for event in covered))
    if depth_db <= 0.0:
        return None
    return Duck(covered[0].start_ms, covered[-1].end_ms, depth_db)


def plan_ducks(timeline: Timeline) -> tuple[Duck, ...]:
    """Where the bed steps back under speech, and how far."""
    ducks = (run_duck(run) for run in speech_runs(timeline.speech()))
    return tuple(duck for duck in ducks if duck is not None)


def plan_mix(timeline: Timeline) -> Mix:
    """The mix of a laid-out session (its events, lead-in, tail and total)."""
    total_ms = timeline.total_ms
    fades = (
        Fade("bed", "in", 0, bed_fade_in_ms(timeline)),
        bed_fade_out(timeline),
        Fade("output", "out", total_ms - OUTPUT_FADE_MS, total_ms),
    )
    ducks = plan_ducks(timeline)
    return Mix(fades, voice_gain(timeline), DUCK_ATTACK_MS, DUCK_RELEASE_MS, ducks)
