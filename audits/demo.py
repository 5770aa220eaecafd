"""Demo data of audits for ``manage.py seed_demo`` (found by the core as ``<app>/demo.py``): each
subject's own module, run in order; each is idempotent and returns the counts it created."""

from audits import demo_auditors, demo_audits, demo_findings


def seed() -> dict:
    created = {}
    for module in (demo_auditors, demo_audits, demo_findings):
        for key, count in module.seed().items():
            created[key] = created.get(key, 0) + count
    return created
