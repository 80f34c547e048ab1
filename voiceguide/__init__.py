"""voiceguide: render routines written in YAML into narrated, timed audio sessions.

The library API mirrors the command line::

    from voiceguide import RenderRequest, Settings, load_routine, plan, render_routine

    routine = load_routine("my-routine.yaml")
    report = render_routine(RenderRequest("my-routine.yaml", settings=Settings(pace=0.8)))

Names are imported on first use, so ``import voiceguide`` (and ``voiceguide --help``) loads
no speech or audio library.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_API = {
    "load_routine": "voiceguide.routine.loader",
    "Routine": "voiceguide.routine.model",
    "Settings": "voiceguide.plan.planner",
    "Timeline": "voiceguide.plan.timeline",
    "plan_routine": "voiceguide.pipeline",
    "render_routine": "voiceguide.pipeline",
    "validate_files": "voiceguide.pipeline",
    "RenderRequest": "voiceguide.request",
    "RenderReport": "voiceguide.request",
    "VoiceguideError": "voiceguide.errors",
}
__all__ = [  # written out, so that tools see what the API is
    "RenderReport",
    "RenderRequest",
    "Routine",
    "Settings",
    "Timeline",
    "VoiceguideError",
    "__version__",
    "load_routine",
    "plan",
    "plan_routine",
    "render_routine",
    "validate_files",
]

if TYPE_CHECKING:
    from voiceguide.errors import VoiceguideError
    from voiceguide.pipeline import plan_routine, render_routine, validate_files
    from voiceguide.plan import planner as plan
    from voiceguide.plan.planner import Settings
    from voiceguide.plan.timeline import Timeline
    from voiceguide.request import RenderReport, RenderRequest
    from voiceguide.routine.loader import load_routine
    from voiceguide.routine.model import Routine


def __getattr__(name: str) -> Any:
    if name == "plan":  # the package, which called is the planner (see plan/__init__.py)
        return importlib.import_module("voiceguide.plan")
    if name not in _API:
        raise AttributeError(f"module 'voiceguide' has no attribute {name!r}")
    return getattr(importlib.import_module(_API[name]), name)
