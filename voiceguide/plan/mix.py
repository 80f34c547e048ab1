"""When levels move: the bed's fades, the tail's fade, the fade that ends the output, the
bedtime voice's fall and the ducking's timing. Decided here, from the laid-out session;
the mixer only executes them (``Timeline.mix``).
"""

from __future__ import annotations

from voiceguide.plan.timeline import Fade, GainRamp, Mix, Timeline
from voiceguide.routine.limits import MIN_TAIL_MS

BED_FADE_MIN_MS = 5_000
BED_FADE_MAX_MS = 30_000
BED_FADE_FRACTION = 1 / 30  # 15 minutes fade over 30 s
OUTPUT_FADE_MS = 20  # a sound cut by the end of the session must not click
DUCK_ATTACK_MS = 300  # the duck is complete when speech starts: the timeline knows ahead
DUCK_RELEASE_MS = 900


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


def plan_mix(timeline: Timeline) -> Mix:
    """The mix of a laid-out session (its events, lead-in, tail and total)."""
    total_ms = timeline.total_ms
    fades = (
        Fade("bed", "in", 0, bed_fade_in_ms(timeline)),
        Fade("bed", "out", total_ms - bed_fade_out_ms(timeline), total_ms),
        Fade("output", "out", total_ms - OUTPUT_FADE_MS, total_ms),
    )
    return Mix(fades, voice_gain(timeline), DUCK_ATTACK_MS, DUCK_RELEASE_MS)
