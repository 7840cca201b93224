"""Voices as data that engines read: Piper voices beyond the shipped one (where they
are installed, ``store``; the catalogue of the voice repository, ``catalogue``),
Kokoro's voices and model (``kokoro``), fetching voices and what engines declare
they download through huggingface_hub (``download``), and casting by voice
(``casting``, with its table of voice characteristics ``characteristics.toml``).

Nothing here imports an engine: engines import this package (one direction).
Only ``download`` and ``catalogue`` touch the network, and only when a user
runs ``runthru-build voices``; a build never downloads anything.
"""
