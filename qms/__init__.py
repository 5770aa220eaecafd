"""qms: quality-management system (TCVN ISO 9001) for Vietnamese public agencies."""

from .celery import app as celery_app

__all__ = ["celery_app"]
