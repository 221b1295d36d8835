"""gunicorn settings from the environment (bind and workers), so the Procfile stays `gunicorn app:app`."""
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def per_worker_rate_limits(worker_count: int, storage_uri: str | None) -> bool:
    """True when rate limits would be counted by each worker on its own: several workers and no shared
    storage (RATELIMIT_STORAGE_URI unset, empty or memory://), so every limit is worker_count times looser."""
    return worker_count > 1 and (not storage_uri or storage_uri.startswith("memory://"))


def on_starting(server):  # noqa: ANN001, ANN201 - gunicorn's server hook, run once in the master
    if per_worker_rate_limits(server.cfg.workers, os.environ.get("RATELIMIT_STORAGE_URI")):
        server.log.warning(
            "RATE LIMITS ARE PER WORKER: %s workers and RATELIMIT_STORAGE_URI is not set (memory://), so each "
            "worker counts on its own and every limit (logins, receipt-code lookups, resident answers) lets "
            "through up to %s times what is configured. Set RATELIMIT_STORAGE_URI=redis://HOST:6379/0 to share "
            "the counters, or run one worker (WEB_CONCURRENCY=1).",
            server.cfg.workers, server.cfg.workers,
        )
