"""What a sysadmin watches (docs/scaling.md): /healthz and /readyz, JSON logs with a request id, and
Prometheus metrics behind a token."""
