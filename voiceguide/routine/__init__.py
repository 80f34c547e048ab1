"""The routine format: its keys, model, loader, JSON Schema, templates and `new`."""
