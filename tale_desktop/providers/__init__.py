"""One module per outside service. Each raises the typed errors of :mod:`tale_desktop.providers.errors`."""
