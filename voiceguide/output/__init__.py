"""Samples to files: encoding, tags and chapters, sidecars, split files."""
