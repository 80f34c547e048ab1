"""The routines shipped with voiceguide (installed as ``voiceguide.audio_templates``)."""
