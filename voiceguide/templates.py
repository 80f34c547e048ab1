"""The routines shipped with voiceguide, and turning a ROUTINE argument into a file."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from voiceguide.errors import TemplateNotFound

_PACKAGE = "voiceguide.audio_templates"


def template_names() -> list[str]:
    return sorted(path.stem for path in _files() if path.suffix == ".yaml")


def template_path(name: str) -> Path:
    path = Path(str(resources.files(_PACKAGE).joinpath(f"{name}.yaml")))
    if not path.is_file():
        raise TemplateNotFound(
            f"no routine file or built-in template named '{name}': "
            f"templates are {', '.join(template_names())}"
        )
    return path


def resolve(routine: str) -> Path:
    """A path as given if it looks like one, else the built-in template of that name."""
    path = Path(routine)
    if path.exists() or path.suffix in (".yaml", ".yml") or "/" in routine:
        return path
    return template_path(routine)


def _files() -> list[Path]:
    return [Path(str(entry)) for entry in resources.files(_PACKAGE).iterdir()]
