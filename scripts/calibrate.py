"""Write voiceguide/tts/calibrations.json: the bundled Piper voice's calibration, measured
now from fresh clips (no cache is read), with everything its key is made of."""

from __future__ import annotations

import json
import sys

from voiceguide.tts.calibration import CALIBRATION_VERSION, SHIPPED, calibrate
from voiceguide.tts.natural import BUNDLED_VOICE_ID, bundled_model_path, model_digest
from voiceguide.tts.registry import get_engine
from voiceguide.tts.speech import trim_silence

VOLUME = 1.0  # the routine format's default: a routine that sets another measures its own


def main() -> int:
    model = bundled_model_path()
    if model is None:
        print("the natural voice is not installed: scripts/setup installs it", file=sys.stderr)
        return 1
    engine = get_engine("piper")
    measured = calibrate(
        lambda text, setting: trim_silence(
            engine.synthesize(text, BUNDLED_VOICE_ID, setting, VOLUME), text
        )
    )
    entry = {
        "version": CALIBRATION_VERSION,
        "engine": engine.name,
        "engine_version": engine.version(),
        "voice": BUNDLED_VOICE_ID,
        "volume": VOLUME,
        "voice_digest": model_digest(model),
        "points": [list(point) for point in measured.points],
    }
    data = {"calibrations": [entry]}
    SHIPPED.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"{SHIPPED}: {entry['voice']} on {entry['engine_version']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
