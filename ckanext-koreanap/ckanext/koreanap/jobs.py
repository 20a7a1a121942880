"""Where validation jobs queued before the publishing pipeline moved to
:mod:`ckanext.koreanap.pipeline` name their function: RQ stores a job's function
by its dotted path (``ckanext.koreanap.jobs.run_job``) and imports it when the
job runs, so a job waiting in Redis from before the upgrade still runs. New jobs
name :func:`ckanext.koreanap.pipeline.queue.run_job`; nothing else belongs here.
"""
from .pipeline.queue import run_job

__all__ = ["run_job"]
