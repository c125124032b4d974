"""Structured logs: one JSON object per line (MP_LOG_FORMAT=json, the default) or plain text, each
carrying the id of the request it belongs to, so the lines of one request can be found across app
servers and the proxy (nginx passes X-Request-ID; the app makes one when it is missing)."""

import json
import logging
import re
import secrets
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="")
# An id from outside is kept only when it looks like one: it goes into every log line.
SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def request_id_from(header: str | None) -> str:
    return header if header and SAFE_ID.match(header) else secrets.token_hex(12)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        if request_id := REQUEST_ID.get():
            line["request_id"] = request_id
        line.update({key: value for key, value in vars(record).items()
                     if key not in STANDARD and not key.startswith("_") and key != "color_message"})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        request_id = REQUEST_ID.get()
        return f"{super().format(record)}" + (f" [request {request_id}]" if request_id else "")


def log_config(kind: str, level: str = "INFO") -> dict[str, Any]:
    """A logging.config dictionary for the app and uvicorn (also passed to uvicorn.run)."""
    formatter = {"()": f"{__name__}.{'JsonFormatter' if kind == 'json' else 'TextFormatter'}"}
    if kind != "json":
        formatter["fmt"] = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    handler = {"class": "logging.StreamHandler", "formatter": "main", "stream": "ext://sys.stderr"}
    loggers = {name: {"handlers": ["main"], "level": level, "propagate": False}
               for name in ("mystery_patient", "uvicorn", "uvicorn.error", "huey")}
    # Our own access line (app.monitoring.metrics) carries route, status, duration and request id.
    loggers["uvicorn.access"] = {"handlers": [], "level": "WARNING", "propagate": False}
    return {"version": 1, "disable_existing_loggers": False, "formatters": {"main": formatter},
            "handlers": {"main": handler}, "loggers": loggers}
