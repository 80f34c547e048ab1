"""How well a recognizer we did not write (pocketsphinx, US English model) understands a
render: narration rendered through the whole pipeline, decoded by ffmpeg to 16 kHz mono,
recognized, and scored by word error rate. Shared by the test and scripts/bench."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

RECOGNIZER_RATE_HZ = 16_000
NARRATION = (
    "Find a quiet place to sit and rest both arms on a soft cushion.",
    "Close your eyes and take three slow breaths through your nose.",
    "Wrap your left hand around your right wrist and squeeze softly.",
    "Roll your thumb in small circles over the back of your hand.",
    "Pull gently on each finger, starting with the little one.",
    "Open your palm and press the center with your other thumb.",
    "Stroke from the tip of each finger down toward the wrist.",
    "If anything hurts, stop and use a lighter touch.",
    "Shake your hands loosely for a few seconds.",
    "Thank you for taking this time to care for yourself.",
)
"""Written for this check alone: the rate calibration and its test use other sentences."""


def narration_routine(sentences: tuple[str, ...] = NARRATION) -> str:
    """A routine saying each sentence, a pause after each, over a brown-noise bed."""
    steps = "".join(f"  - say: {sentence}\n  - pause: 1s\n" for sentence in sentences)
    return (
        "version: 1\ntitle: Intelligibility\nvoice: {rate: 150}\n"
        "background: {sound: brown}\nsections:\n" + steps
    )


def words(text: str) -> list[str]:
    """Lower-case words, punctuation dropped (apostrophes kept: "don't")."""
    return re.findall(r"[a-z0-9']+", text.lower())


def word_error_rate(reference: list[str], hypothesis: list[str]) -> float:
    """Substitutions, deletions and insertions over the reference's word count."""
    previous = list(range(len(hypothesis) + 1))
    for i, said in enumerate(reference, start=1):
        current = [i]
        for j, heard in enumerate(hypothesis, start=1):
            substitution = previous[j - 1] + (said != heard)
            current.append(min(previous[j] + 1, current[j - 1] + 1, substitution))
        previous = current
    return previous[-1] / max(1, len(reference))


def decode_16k_mono(path: Path, ffmpeg: str) -> bytes:
    """The file as 16 kHz mono signed 16-bit PCM, as the recognizer's model expects."""
    command = [ffmpeg, "-v", "error", "-nostdin", "-i", str(path)]
    command += ["-ac", "1", "-ar", str(RECOGNIZER_RATE_HZ), "-f", "s16le", "-"]
    return subprocess.run(command, capture_output=True, check=True).stdout


def recognize(pcm: bytes) -> str:
    """pocketsphinx's transcript of the audio (its default US English model)."""
    from pocketsphinx import Decoder

    decoder = Decoder(logfn="/dev/null", samprate=RECOGNIZER_RATE_HZ)
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    hypothesis = decoder.hyp()
    return hypothesis.hypstr if hypothesis is not None else ""
