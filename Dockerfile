# Readlist: one image for the web (gunicorn), the Celery worker and beat.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=readlist.settings \
    STATIC_ROOT=/app/staticfiles \
    READLIST_VAR_DIR=/app/var

RUN pip install --no-cache-dir uv

WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .
# collectstatic needs settings to load; these values live only for this build step.
RUN SECRET_KEY=collectstatic-only DEBUG=0 python manage.py collectstatic --noinput \
    && useradd --system --uid 1000 --home /app readlist \
    && mkdir -p /app/var && chown readlist /app/var

USER readlist
EXPOSE 8000
# Threaded workers, timeouts and limits live in deploy/gunicorn.conf.py; in compose, nginx is
# in front (deploy/nginx/nginx.conf) and only it faces the network.
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py"]
