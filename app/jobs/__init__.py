"""Background work on a job queue (huey): docs/jobs.md."""
