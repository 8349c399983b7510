"""The library pane: the paged story list, search and filters, row painting, actions, undo."""
