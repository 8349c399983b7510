"""Pieces every part of the window shares: themes and icons, words for stored values, layouts."""
