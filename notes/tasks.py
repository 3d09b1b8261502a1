"""Celery tasks of the reading app."""

from __future__ import annotations

from celery import shared_task

from notes import tallies


@shared_task(soft_time_limit=600, time_limit=660)
def repair_tallies() -> dict:
    """Beat, nightly: recount the managers' tallies if anything made them drift (a write that
    bypassed the signals); logs a warning when it had to, so the gap can be found."""
    return tallies.repair()
