"""Routine and settings to Timeline: every timing decision, as plain data."""
