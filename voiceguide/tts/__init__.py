"""Speech: engines behind one protocol, a registry, and a content-addressed clip cache."""
