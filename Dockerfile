# syntax=docker/dockerfile:1
# The LMS API image: one image for every process (web, worker, beat, migrate); the command picks one.
#
#   docker build -t lms .
#   docker run --env-file .env -p 8000:8000 lms                                   # gunicorn (default)
#   docker run --env-file .env lms celery -A lms worker                           # every queue
#   docker run --env-file .env lms celery -A lms beat --schedule /tmp/celerybeat-schedule
#   docker run --env-file .env lms python manage.py migrate --noinput
#
# compose.yaml runs all of them with PostgreSQL and Redis; render.yaml does the same on Render.

ARG PYTHON_IMAGE=python:3.11-slim

# --- builder: wheels for every requirement (compilers stay in this stage) ----------------------
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY requirements.txt .
RUN pip wheel --wheel-dir /wheels -r requirements.txt

# --- final: the runtime -------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS final
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=lms.settings.production \
    PORT=8000 \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/var/media

# WeasyPrint (certificate PDFs) needs Pango and HarfBuzz's subsetter at run time, and fonts for every
# script a name may be written in (Latin, Arabic, CJK); uploaded videos are read by ffprobe and given a
# poster frame by ffmpeg; gettext's msgfmt compiles the translations at build time.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-noto-core \
        fonts-droid-fallback ffmpeg gettext \
    && rm -rf /var/lib/apt/lists/*

# Installed from the builder's wheels, which never become a layer of this image.
COPY requirements.txt /tmp/requirements.txt
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-index --find-links /wheels -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# An unprivileged user that owns only what it must write: media (certificate PDFs) and its home
# (gunicorn's control socket lives in ~/.gunicorn). The code and static files belong to root.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app --shell /usr/sbin/nologin app
WORKDIR /app
COPY . .
# Static files are collected (hashed, compressed) into the image. The production settings insist on
# a SECRET_KEY, so the build passes a throwaway one; nothing at build time signs anything with it.
RUN SECRET_KEY=collectstatic-at-build-time-only-not-a-secret-0123456789abcdef \
        DATABASE_URL=sqlite:////tmp/build.sqlite3 \
        sh -c "python manage.py collectstatic --noinput --verbosity 0 \
            && python manage.py compilemessages --ignore=clients --verbosity 0" \
    && rm -f /tmp/build.sqlite3 \
    && mkdir -p /app/var/media \
    && chown app:app /app/var/media

USER app
EXPOSE 8000
VOLUME ["/app/var/media"]

# Liveness: /health/ does no I/O. It is exempt from the HTTPS redirect; the Host header is the first
# of ALLOWED_HOSTS so that Django's host check accepts it (a bare 127.0.0.1 may not be allowed).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; h = [x.strip().lstrip('.') for x in os.environ.get('ALLOWED_HOSTS', 'localhost').split(',') if x.strip() not in ('', '*')] or ['localhost']; u.urlopen(u.Request('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/health/', headers={'Host': h[0]}), timeout=4)"]

# gunicorn.conf.py has the tuning (GUNICORN_WORKERS, GUNICORN_THREADS, ...); the port comes from PORT,
# as platforms such as Render set it. exec: gunicorn is PID 1 and gets the stop signal itself.
CMD ["sh", "-c", "exec gunicorn lms.wsgi:application -c gunicorn.conf.py --bind 0.0.0.0:${PORT:-8000}"]
