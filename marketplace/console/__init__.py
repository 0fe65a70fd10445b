"""The operator console: web pages under ``/console/`` of the marketplace's own server.

- ``auth.py``: operator accounts (created by the CLI), scrypt hashes, sessions.
- ``kpis.py``: the marketplace's numbers per day/week, overall and per shop.
- ``charts.py``: bar charts as inline SVG geometry.
- ``web.py``: the pages (Starlette + Jinja2, autoescaped), CSRF, security headers.

Every action calls the same functions as the CLI (``admin.py``, ``pairing.py``,
``auth.py``) and leaves a row in the audit log (``audit.py``). Importing this
package costs nothing; ``web.console_mount()`` builds the pages.
"""

__all__: list[str] = []
