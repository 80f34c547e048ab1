"""voiceguide: render routines written in YAML into narrated, timed audio sessions."""

__version__ = "0.1.0"
