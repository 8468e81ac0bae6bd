"""Server-rendered pages (jinja2), usable without JavaScript; every asset is served locally.
Their routers are registered with the API's in ``api/routers.py``."""
