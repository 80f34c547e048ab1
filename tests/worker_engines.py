"""Engines that misbehave on purpose, served by the speech worker in tests (test_tts_worker.py).

The worker builds them from ``worker_engines:NAME``, so this folder must be on PYTHONPATH.
"""

from __future__ import annotations

import os
import signal
import struct
import time
from pathlib import Path

from voiceguide.errors import SpeechError
from voiceguide.tts.base import AttemptFailed, Clip, VoiceInfo

LIMIT_S = 0.5  # an attempt's limit: well above the slow phrases' 0.25 s
HANG_LIMIT_S = 0.1  # the hung phrase's own, short: it costs three attempts


class Faulty:
    """Says each phrase as a clip holding (pid, phrases said before in this process).

    ``crash`` dies by SIGSEGV, ``hang`` never answers, ``flaky`` fails in a retryable way,
    ``refuse`` raises a SpeechError, ``once:PATH`` crashes unless PATH exists (and makes it).
    """

    name = "faulty"
    isolate_phrases = True

    def __init__(self) -> None:
        self.said = -1

    def preload(self) -> None:
        return None

    def start(self) -> None:
        self.said = 0

    def timeout_s(self, text: str) -> float:
        return HANG_LIMIT_S if text == "hang" else LIMIT_S

    def version(self) -> str:
        return "faulty 1"

    def voices(self) -> list[VoiceInfo]:
        return [VoiceInfo(id="faulty/en", name="Faulty", languages=("en",))]

    def synthesize(self, text: str, voice: str | None, rate_wpm: int, volume: float) -> Clip:
        return self.synthesize_once(text, voice, rate_wpm, volume)

    def synthesize_once(self, text: str, voice: str | None, rate_wpm: int, volume: float) -> Clip:
        if text == "crash":
            os.kill(os.getpid(), signal.SIGSEGV)
        if text == "hang":
            time.sleep(60)
        if text.startswith("slow"):
            time.sleep(0.25)  # long enough for a second worker to start and share a batch
        if text == "flaky":
            raise AttemptFailed("the engine wrote an empty file")
        if text == "refuse":
            raise SpeechError("speech engine got text it will not say")
        if text.startswith("once:"):
            marker = Path(text.removeprefix("once:"))
            if not marker.exists():
                marker.touch()
                os.kill(os.getpid(), signal.SIGSEGV)
        self.said += 1
        return Clip(pcm=struct.pack("<ii", os.getpid(), self.said - 1), sample_rate_hz=22_050)


class Stateless(Faulty):
    """The same, synthesizing in the worker itself (an engine without state between phrases)."""

    isolate_phrases = False

    def __init__(self) -> None:
        super().__init__()
        self.said = 0
