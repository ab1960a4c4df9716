"""Background tasks of the imports app (django-tasks; run by ``manage.py db_worker``)."""

from __future__ import annotations

from django_tasks import task

from imports.services import run_job


@task()
def run_import(job_id: int) -> dict:
    """Import a confirmed ImportJob's file; the job row records the outcome."""
    return run_job(job_id=job_id)
