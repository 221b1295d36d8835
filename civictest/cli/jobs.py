"""`flask --app app worker [--drain]`: the background-job worker (Huey's consumer) and its one-shot drain."""
from __future__ import annotations

import logging

import click
from flask import current_app


@click.command("worker")
@click.option("--drain", is_flag=True, help="Run every job that is due, then exit (tests, cron, one-off runs).")
@click.option("--wait-retries", is_flag=True, help="With --drain: also wait for jobs scheduled for later "
              "(retries after a failure).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 32),
              help="Worker threads. One keeps at most one message in flight (the only one a kill can repeat).")
def worker_command(drain: bool, wait_retries: bool, workers: int) -> None:
    """Run the background-job worker (sends mail); stop it with Ctrl-C or SIGTERM."""
    from civictest import jobs

    app = current_app._get_current_object()
    jobs.bind(app)
    jobs.import_task_modules()
    if drain:
        count = jobs.drain(app, wait_scheduled=wait_retries)
        click.echo(f"ran {count} job(s); queue empty")
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    consumer = jobs.huey.create_consumer(workers=workers, worker_type="thread", periodic=True,
                                         initial_delay=0.05, max_delay=1.0)
    consumer.run()
