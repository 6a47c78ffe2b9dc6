# The portal's image: web (gunicorn), worker and beat all run from it (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint needs pango; libharfbuzz-subset0 keeps font subsetting fast; fonts-noto-cjk prints
# Chinese (without a CJK font Chinese comes out as boxes). gettext compiles translations.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fontconfig gettext curl \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 portal
WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=portal:portal . .
# Collected as production serves them (DEBUG off: hashed names and staticfiles.json, compressed
# copies); the key exists for this step only and signs nothing.
RUN DEBUG=0 SECRET_KEY=collectstatic-at-build-time-only-never-used-to-sign-anything-0123456789 \
        ALLOWED_HOSTS=localhost DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
        STATIC_ROOT=/app/var/static python manage.py collectstatic --no-input \
    && mkdir -p /app/var/media && chown -R portal:portal /app/var

USER portal
ENV STATIC_ROOT=/app/var/static MEDIA_ROOT=/app/var/media
EXPOSE 8000
# gunicorn.conf.py: one sync worker per core (WEB_CONCURRENCY to change), access log on stdout.
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
