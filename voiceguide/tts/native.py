"""Make libespeak-ng loadable before pyttsx3 looks for it.

pyttsx3's espeak driver opens ``libespeak-ng.so.1`` by soname when its driver module is first
imported. A machine without root has no such library, so we fall back to the copy that the
``espeakng-loader`` wheel ships: loading it with ``RTLD_GLOBAL`` first makes the dynamic
linker hand the same library to pyttsx3's later ``dlopen`` (the wheel's library carries the
soname ``libespeak-ng.so.1``), and ``ESPEAK_DATA_PATH`` points it at the wheel's voice data.
``espeakng_loader.make_library_available()`` only edits ``LD_LIBRARY_PATH``, which a running
process never rereads, so it does not help.

The choice is made once per process: a library cannot be unloaded once pyttsx3 holds it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
import threading
from pathlib import Path
from typing import Literal

from voiceguide.errors import SpeechError

EspeakSource = Literal["system", "bundled"]

SOURCE_ENV = "VOICEGUIDE_ESPEAK"
"""``system`` or ``bundled`` forces one library (tests use it); unset or ``auto`` prefers system."""

DATA_PATH_ENV = "ESPEAK_DATA_PATH"
SONAME = "libespeak-ng.so.1"

_INSTALL_HINTS = {
    "linux": "install it with 'apt-get install libespeak-ng1'"
    " or reinstall voiceguide to get espeakng-loader",
    "darwin": "install it with 'brew install espeak-ng'",
    "win32": "install eSpeak NG from https://github.com/espeak-ng/espeak-ng/releases",
}

_lock = threading.Lock()
_loaded: EspeakSource | None = None


def load_espeak() -> EspeakSource:
    """Load libespeak-ng for this process (once) and say which copy it is.

    Call it before importing pyttsx3. Raises SpeechError saying what to install when no
    library loads.
    """
    global _loaded
    with _lock:
        if _loaded is None:
            _loaded = _load(requested_source())
        return _loaded


def install_hint() -> str:
    platform_key = "linux" if sys.platform.startswith("linux") else sys.platform
    return _INSTALL_HINTS.get(platform_key, _INSTALL_HINTS["linux"])


def requested_source() -> EspeakSource | None:
    """What VOICEGUIDE_ESPEAK asks for; None means automatic (system first)."""
    value = os.environ.get(SOURCE_ENV, "").strip().lower()
    if value in ("", "auto"):
        return None
    if value == "system":
        return "system"
    if value == "bundled":
        return "bundled"
    raise SpeechError(f"{SOURCE_ENV} must be 'system', 'bundled' or 'auto', got {value!r}")


def _load(requested: EspeakSource | None) -> EspeakSource:
    if requested != "bundled" and _load_system():
        return "system"
    if requested == "system":
        raise SpeechError(f"espeak-ng not found ({SOURCE_ENV}=system): {install_hint()}")
    if _load_bundled():
        return "bundled"
    raise SpeechError(f"espeak-ng not found: {install_hint()}")


def _load_system() -> bool:
    """Open the system library the way pyttsx3 will (by soname on Linux)."""
    if sys.platform.startswith("linux"):
        name: str | None = SONAME
    else:
        name = ctypes.util.find_library("espeak-ng")
    if name is None:
        return False
    try:
        ctypes.CDLL(name, mode=ctypes.RTLD_GLOBAL)
    except OSError:
        return False
    _forget_bundled_data_path()
    return True


def _forget_bundled_data_path() -> None:
    """Drop an ESPEAK_DATA_PATH inherited from a parent that used the bundled copy.

    The system library must read its own data: a 1.51 library refuses 1.52 voice data.
    """
    bundled = _bundled_paths()
    if bundled is not None and os.environ.get(DATA_PATH_ENV) == bundled[1]:
        del os.environ[DATA_PATH_ENV]


def _bundled_paths() -> tuple[str, str] | None:
    """The wheel's (library, data directory), or None when espeakng-loader is unusable."""
    if not sys.platform.startswith("linux"):
        return None  # the wheel ships Linux libraries only for us
    try:
        import espeakng_loader
    except ImportError:
        return None
    try:
        library_path = str(espeakng_loader.get_library_path())
        data_path = str(espeakng_loader.get_data_path())
    except RuntimeError:  # its data directory is missing
        return None
    if not Path(library_path).is_file():
        return None
    return library_path, data_path


def _load_bundled() -> bool:
    paths = _bundled_paths()
    if paths is None:
        return False
    library_path, data_path = paths
    # Overwrite any value: the bundled library must read the data of its own version.
    os.environ[DATA_PATH_ENV] = data_path
    try:
        bundled = ctypes.CDLL(library_path, mode=ctypes.RTLD_GLOBAL)
        by_soname = ctypes.CDLL(SONAME)
    except OSError:
        return False
    if not _same_library(bundled, by_soname):
        raise SpeechError(
            f"the bundled espeak-ng at {library_path} cannot stand in for {SONAME}: "
            "install the system library with 'apt-get install libespeak-ng1'"
        )
    return True


def _same_library(first: ctypes.CDLL, second: ctypes.CDLL) -> bool:
    """True when both handles resolve espeak's entry point to the same address."""
    first_address = ctypes.cast(first.espeak_Info, ctypes.c_void_p).value
    second_address = ctypes.cast(second.espeak_Info, ctypes.c_void_p).value
    return first_address is not None and first_address == second_address
