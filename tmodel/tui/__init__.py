"""The terminal app. ``service``, ``fields`` and ``layout`` are headless; the rest is Textual."""
