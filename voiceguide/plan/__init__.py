"""Routine and settings to Timeline: every timing decision, as plain data.

``voiceguide.plan`` is this package and, called, the planner itself (``plan.planner.plan``),
so that ``from voiceguide import plan`` gives the library function the command line's
``voiceguide plan`` mirrors, whether or not the package was imported first.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from voiceguide.plan.timeline import Timeline


class _CallablePackage(types.ModuleType):
    def __call__(self, *args: Any, **kwargs: Any) -> Timeline:
        from voiceguide.plan.planner import plan

        return plan(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
