"""Piper voices beyond the shipped one: where they are installed (``store``), the
catalogue of the voice repository (``catalogue``), fetching voices and engine
weights through huggingface_hub (``download``), and casting by voice
(``casting``, with its table of voice characteristics ``characteristics.toml``).

Only ``download`` and ``catalogue`` touch the network, and only when a user
runs ``runthru-build voices``; a build never downloads anything.
"""
