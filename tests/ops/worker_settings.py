"""Settings of a worker that a test starts in another process (tests/ops/test_jobs.py): the
test settings with the database task backend, on the database of DATABASE_URL (the test's
own) and the folders the test gives in the environment (JOB_FILES_ROOT, SNAPSHOTS_ROOT)."""

from kb.settings.test import *  # noqa: F403

TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "background": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": TASK_QUEUES,  # noqa: F405
    },
}
