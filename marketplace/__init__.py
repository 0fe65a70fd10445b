"""Comptoir's reference marketplace: the server end of the sync protocol (docs/PROTOCOL.md).

Starlette + uvicorn + SQLite. ``create_app`` builds the ASGI app,
``EmbeddedMarketplace`` runs it in a background thread (demo mode, tests),
``python -m marketplace`` is the command line.
"""

__all__: list[str] = []
