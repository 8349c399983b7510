"""Qt widgets: they render state and emit intents; business actions go through services via ``ctx.tasks``."""
