"""Rules for a family voice cloned from a family member's own recordings: how much audio it needs, its name, and
the consent text shown before anything is uploaded. Pure Python."""

from __future__ import annotations

MIN_CLONE_SECONDS = 60.0
MAX_VOICE_NAME = 60

# Shown before anything is uploaded (the window shows its own translation of the same points).
CONSENT_TEXT = (
    "Making a family voice uploads these recordings to ElevenLabs (ElevenLabs, Inc., elevenlabs.io), which keeps "
    "them and the voice made from them on its servers under its terms, on the ElevenLabs account whose key is in "
    "Settings. Only clone your own voice, or the voice of a family member who is the person speaking in every "
    "file and has agreed to it. Never clone anyone else's voice. You can delete the voice at any time."
)
