"""Children and heroes."""
