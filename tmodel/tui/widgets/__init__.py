"""Widgets of the terminal app: each owns its behaviour; screens own layout and handlers."""
