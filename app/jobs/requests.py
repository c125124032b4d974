"""A request for rendering templates in a worker: the pages' templates need one (url_for, the
reader), but a worker has no HTTP request. Built on the real app, so every url_for resolves."""

from fastapi import Request

from app.accounts.models import User


def worker_request(user: User) -> Request:
    from app.main import app  # late: the whole app

    scope = {"type": "http", "app": app, "router": app.router, "method": "GET", "path": "/", "root_path": "",
             "scheme": "http", "server": ("localhost", 80), "headers": [], "query_string": b"", "state": {}}
    request = Request(scope)
    request.state.user = user
    return request
