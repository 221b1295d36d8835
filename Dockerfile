# civictest: one image for the web app, the job worker and one-shot commands (migrate, retention, backup).
# The commands below are the ones CI runs natively (tests/deploy/test_deploy_files.py compares them):
# the same hash-checked lock, the same gunicorn.conf.py, the same `flask --app app ...` commands.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8000

RUN groupadd --system --gid 10001 civictest \
    && useradd --system --uid 10001 --gid civictest --home-dir /app --shell /usr/sbin/nologin civictest

WORKDIR /app

# Dependencies first (a layer that changes only with the lock): exact versions, every file's hash checked.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY . .
# Compiled translations (the .mo is committed too; compiling again makes the image independent of that).
RUN pybabel compile -d civictest/translations \
    && mkdir -p instance \
    && chown -R civictest:civictest instance

USER civictest
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]

# gunicorn.conf.py reads PORT / GUNICORN_BIND, WEB_CONCURRENCY, GUNICORN_THREADS, GUNICORN_TIMEOUT.
CMD ["gunicorn", "--config", "gunicorn.conf.py", "app:app"]
