"""gunicorn.conf.py (issue 17): a warning at start-up when several workers would count rate limits apart."""
from __future__ import annotations

import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parent.parent


class Log:
    def __init__(self) -> None:
        self.warnings: list[str] = []

    def warning(self, message: str, *args: object) -> None:
        self.warnings.append(message % args)


def _on_starting(monkeypatch, workers: int, storage: str | None) -> list[str]:  # noqa: ANN001
    if storage is None:
        monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    else:
        monkeypatch.setenv("RATELIMIT_STORAGE_URI", storage)
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    log = Log()
    settings["on_starting"](SimpleNamespace(cfg=SimpleNamespace(workers=workers), log=log))
    return log.warnings


@pytest.mark.parametrize("storage", [None, "", "memory://"])
def test_several_workers_without_shared_storage_are_warned_about(monkeypatch, storage):
    warnings = _on_starting(monkeypatch, 4, storage)
    assert len(warnings) == 1
    assert "RATE LIMITS ARE PER WORKER" in warnings[0] and "RATELIMIT_STORAGE_URI" in warnings[0]
    assert "up to 4 times" in warnings[0]


@pytest.mark.parametrize(("workers", "storage"), [(1, None), (1, "memory://"), (2, "redis://127.0.0.1:6379/0")])
def test_one_worker_or_shared_storage_needs_no_warning(monkeypatch, workers, storage):
    assert _on_starting(monkeypatch, workers, storage) == []
