"""The main window, its action registry and the tasks panel."""
