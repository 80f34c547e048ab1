"""The natural speech engine: Piper (piper-tts on onnxruntime) speaking a neural voice offline.

This is the only module that imports piper and onnxruntime, and it runs in the speech worker
(``tts/worker.py``), never in the render process: the model and the runtime take a few hundred
MB there. A voice is loaded on its first phrase and kept for the worker's life.

Piper keeps no state from one phrase to the next (each call phonemizes and runs the model
afresh), so, unlike espeak-ng, it needs no fork per phrase. Its randomness is turned off
(``noise_scale`` and ``noise_w_scale`` at 0) and onnxruntime runs on one thread, so a phrase's
samples are the same whatever was said before and on any machine's core count; the
tests check that clips are byte-identical in either order.

Rate: Piper's speed is ``length_scale``, a factor on every phoneme's length. The bundled voice
speaks ``NATURAL_WPM`` at its own scale (measured from first to last sound over seven
narration sentences), and slower less than in proportion: at scales 1.63 and 2.04 it measured
168 and 141 wpm, both ``NATURAL_WPM * scale ** -0.77``. So a rate is asked for with
``(NATURAL_WPM / rate_wpm) ** (1 / RATE_EXPONENT)`` times the voice's own scale: a first
estimate, the same for every Piper voice.

Piper returns one chunk per sentence, each with its own quiet edges: joined as they are, the
sentences of a phrase stand about 0.3 s apart (measured below -50 dBFS), a little more than
espeak-ng's 0.2 s; longer pauses are the planner's to place. Piper's peak normalization is
off: it would set each sentence of a phrase to a different gain, and loudness is measured and
set later anyway.
"""

from __future__ import annotations

import threading
from importlib import metadata
from pathlib import Path
from typing import Any

from voiceguide.errors import SpeechError
from voiceguide.routine.limits import MAX_RATE_WPM, MIN_RATE_WPM, piper_config_path
from voiceguide.tts.base import Clip, VoiceInfo, check_request
from voiceguide.tts.natural import PiperModel, natural_voices, read_model, resolve_model

NATURAL_WPM = 245.0
"""en_US-joe-medium at length_scale 1: 216 to 267 wpm over seven sentences, 245 overall."""
RATE_EXPONENT = 0.77
"""How the rate follows the scale: wpm = NATURAL_WPM * length_scale ** -RATE_EXPONENT."""
NOISE_SCALE = 0.0
NOISE_W_SCALE = 0.0
THREADS = 1
AUDIBLE_PEAK = 104  # -50 dBFS: a quieter clip is a failure, not speech


class PiperEngine:
    """SpeechEngine backed by Piper. A voice is a Piper .onnx path, or the bundled voice's id
    (or None for it)."""

    name = "piper"
    isolate_phrases = False

    def __init__(self) -> None:
        self._voices: dict[Path, tuple[PiperModel, Any]] = {}
        self._lock = threading.Lock()

    def version(self) -> str:
        """Piper's and onnxruntime's versions and every setting that changes the sound."""
        return (
            f"piper-tts {_version('piper-tts')}; onnxruntime {_version('onnxruntime')}; "
            f"noise {NOISE_SCALE:g}/{NOISE_W_SCALE:g}; {NATURAL_WPM:g} wpm at scale 1, "
            f"exponent {RATE_EXPONENT:g}; "
            f"threads {THREADS}; int16 unnormalized"
        )

    def voices(self) -> list[VoiceInfo]:
        return natural_voices()

    def synthesize(self, text: str, voice: str | None, rate_wpm: int, volume: float) -> Clip:
        check_request(text, rate_wpm, volume, (MIN_RATE_WPM, MAX_RATE_WPM))
        with self._lock:
            model, piper_voice = self._voice(resolve_model(voice))
            chunks = piper_voice.synthesize(text, _settings(model, rate_wpm, volume))
            sentences = [chunk.audio_int16_bytes for chunk in chunks]
        pcm = b"".join(sentences)
        if not pcm or _peak(pcm) < AUDIBLE_PEAK:
            raise SpeechError(
                f'Piper said nothing for "{text}": is there anything pronounceable in it?'
            )
        return Clip(pcm=pcm, sample_rate_hz=model.sample_rate_hz)

    def _voice(self, path: Path) -> tuple[PiperModel, Any]:
        loaded = self._voices.get(path)
        if loaded is None:
            model = read_model(path)
            loaded = self._voices[path] = (model, _load(model))
        return loaded


def length_scale(model: PiperModel, rate_wpm: int) -> float:
    """Piper's length scale for ``rate_wpm``: above 1 is slower."""
    return float(model.length_scale * (NATURAL_WPM / rate_wpm) ** (1 / RATE_EXPONENT))


def _settings(model: PiperModel, rate_wpm: int, volume: float) -> Any:
    from piper import SynthesisConfig

    return SynthesisConfig(
        length_scale=length_scale(model, rate_wpm),
        noise_scale=NOISE_SCALE,
        noise_w_scale=NOISE_W_SCALE,
        normalize_audio=False,
        volume=volume,
    )


def _load(model: PiperModel) -> Any:
    """The voice with onnxruntime on one thread (PiperVoice.load would take every core)."""
    try:
        import onnxruntime
        from piper import PiperVoice
        from piper.config import PiperConfig
    except ImportError as error:
        raise SpeechError(
            f"the piper engine cannot be imported ({error}): pip install 'voiceguide[natural]'"
        ) from None
    import json

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = THREADS
    options.inter_op_num_threads = THREADS
    options.log_severity_level = 3  # errors only: its warnings would go to our stderr
    # Planned memory patterns keep buffers sized for the longest sentence yet: without them
    # the worker's peak over the hand massage fell from 614 to 389 MB, at the same speed and
    # with the same clips.
    options.enable_mem_pattern = False
    config_path = piper_config_path(model.path)
    try:
        session = onnxruntime.InferenceSession(
            str(model.path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        config = PiperConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8")))
    except Exception as error:  # onnxruntime raises its own classes for a bad file
        raise SpeechError(f"cannot load the Piper voice {model.path}: {error}") from None
    return PiperVoice(session=session, config=config)


def _peak(pcm: bytes) -> int:
    import numpy as np

    return int(np.abs(np.frombuffer(pcm, dtype="<i2").astype(np.int32)).max())


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"
