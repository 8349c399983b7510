"""Sync in the window: the status indicator and its wiring."""
