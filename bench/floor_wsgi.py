"""gunicorn's entry point for bench/load.py: the site plus the floor view (bench/floor_urls.py),
so the served page can be compared with the least a signed-in page costs, as well as with
/healthz (which touches no database)."""

from harness import setup_django, use_floor_urls

setup_django()
use_floor_urls()

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
