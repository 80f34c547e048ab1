"""The timeline to samples: cue sounds, beds, recordings, loudness, the mixer."""
