"""Listening: the audio player, the player bar and narration playback."""
