"""A render request (everything `voiceguide render` can set) and what the render reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from voiceguide.output.formats import DEFAULT_BITRATE, LOSSLESS, output_format
from voiceguide.plan.planner import Settings


@dataclass(frozen=True)
class RenderRequest:
    """Everything `voiceguide render` can set, with the routine's own values as defaults."""

    routine: str = "hand-massage"
    out_path: Path | None = None  # None: ./<routine name>.<format> (a folder with split)
    settings: Settings = field(default_factory=Settings)  # --voice and --background too
    format: str | None = None  # None: as out_path's extension says, else mp3
    bitrate: str | None = None  # None: 128k for mp3 and ogg; wav and flac take none
    seed: int = 0
    sample_rate_hz: int = 44_100
    channels: int = 2
    engine: str | None = None  # None: as the routine says (voice.engine, auto by default)
    sidecars: tuple[str, ...] = ()  # of SIDECAR_FORMATS, written next to the audio
    split: bool = False  # one file per chapter and a playlist, in a folder
    cover: Path | None = None  # a .png or .jpg embedded as the front cover

    @property
    def audio_format(self) -> str:
        """The format written: as asked, or as the output's name says; UsageError if they
        disagree."""
        return output_format(self.out_path, self.format, self.split)

    @property
    def encoder_bitrate(self) -> str | None:
        """The bitrate the encoder uses; None for a lossless format."""
        return None if self.audio_format in LOSSLESS else self.bitrate or DEFAULT_BITRATE

    def settings_record(self) -> dict[str, object]:
        """What made the file, for the JSON sidecar."""
        return {
            "routine": self.routine,
            "pace": self.settings.pace,
            "length_ms": self.settings.length_ms,
            "rate_wpm": self.settings.rate_wpm,
            "voice": self.settings.voice,
            "background": self.settings.background,
            "background_file": self.settings.background_file,
            "bedtime": self.settings.bedtime,
            "lead_in_ms": self.settings.lead_in_ms,
            "tail_ms": self.settings.tail_ms,
            "format": self.audio_format,
            "bitrate": self.encoder_bitrate,
            "seed": self.seed,
            "sample_rate_hz": self.sample_rate_hz,
            "channels": self.channels,
        }


@dataclass(frozen=True)
class RenderReport:
    path: Path
    duration_ms: int
    chapters: int
    size_bytes: int
    speech_lufs: float  # the level speech was set to, from its measured loudness
    sidecars: tuple[Path, ...] = ()
    notes: tuple[str, ...] = ()  # for the listener, e.g. that binaural beats need headphones
    voice: str = ""  # the engine and voice that spoke, and why that engine


Progress = Callable[[str, int, int], None]  # (phase, done, total)
