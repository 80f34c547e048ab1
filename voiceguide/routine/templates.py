"""The routines shipped with voiceguide, and turning a ROUTINE argument into a file."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from voiceguide.errors import TemplateNotFound

_PACKAGE = "voiceguide.audio_templates"


def template_names() -> list[str]:
    return sorted(path.stem for path in _files() if path.suffix == ".yaml")


def template_path(name: str, hint: str = "") -> Path:
    path = Path(str(resources.files(_PACKAGE).joinpath(f"{name}.yaml")))
    if not _is_file(path):
        raise TemplateNotFound(
            f"no routine file or built-in template named '{name}': "
            f"templates are {', '.join(template_names())}{hint}"
        )
    return path


def resolve(routine: str) -> Path:
    """The routine file a ROUTINE argument names.

    A path with a folder in it, or ending in .yaml or .yml, is used as given. A plain name is,
    in order: the file of that name, NAME.yaml, NAME.yml (in the current folder), then the
    built-in template. A folder is never a routine: after ``render hand-massage --split``
    has made ./hand-massage/, ``plan hand-massage`` still finds the template.
    """
    path = Path(routine)
    if path.suffix in (".yaml", ".yml") or "/" in routine or path.is_absolute():
        return path
    for candidate in (path, Path(f"{routine}.yaml"), Path(f"{routine}.yml")):
        if _is_file(candidate):
            return candidate
    hint = ""
    if _is_folder(path):
        hint = f" (./{routine} is a folder, not a routine: give the routine file in it)"
    return template_path(routine, hint)


def _is_file(path: Path) -> bool:
    """Path.is_file, and False for a name too long to be any file."""
    try:
        return path.is_file()
    except OSError:
        return False


def _is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _files() -> list[Path]:
    return [Path(str(entry)) for entry in resources.files(_PACKAGE).iterdir()]
