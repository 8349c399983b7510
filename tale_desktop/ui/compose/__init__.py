"""Writing a new story: the form and the live preview."""
