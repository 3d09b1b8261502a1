"""Gunicorn for Readlist: threaded workers behind the buffering proxy (deploy/nginx/nginx.conf).

gthread, not sync: a sync worker is held for the whole of a request, slow client included, so
a handful of slow clients froze the site. With threads a slow client holds one thread of many,
and in production nginx buffers whole requests and responses first, so threads only ever see
complete requests. Every value can be changed from the environment (GUNICORN_*).
"""

import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


wsgi_app = "readlist.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = _int("GUNICORN_WORKERS", 2)
threads = _int("GUNICORN_THREADS", 8)
# Connections waiting beyond the busy threads (the proxy keeps its own queue in front).
backlog = _int("GUNICORN_BACKLOG", 256)

# A worker silent this long is killed and replaced (the database and statement timeouts in
# readlist/settings.py end a request well before this); graceful restarts get as long.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Idle keep-alive connections from the proxy are closed after this many seconds.
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then, so a slow leak never becomes an outage.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = 200

# Request line and header limits (gunicorn's defaults, stated): larger ones get a 400.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# Only the proxy reaches gunicorn (compose publishes nginx's port, not this one), so its
# X-Forwarded-Proto is believed; the client address is read in readlist/clientip.py.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "*")
# No runtime control socket: nothing uses it, and it would be written under $HOME.
control_socket_disable = True
accesslog = "-"
errorlog = "-"
# Workers' heartbeat files: compose puts them on /dev/shm, so a slow disk never gets healthy
# workers killed.
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR") or None
