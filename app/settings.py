"""Settings from `MP_*` environment variables (and an optional `.env`)."""

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SUPPORTED_SCHEMES = ("sqlite", "postgresql", "postgresql+psycopg")
QUEUE_SCHEMES = ("sqlite", "redis", "rediss", "postgresql", "postgresql+psycopg")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MP_", env_file=".env", extra="ignore")

    var_dir: Path = Path("var")
    database_url: str = ""
    media_dir: Path = Path("")
    secret_key: str = ""
    max_upload_mb: int = Field(default=20, gt=0, le=500)
    cookie_secure: bool = False
    host: str = "127.0.0.1"
    port: int = Field(default=8000, gt=0, lt=65536)
    session_idle_minutes: int = Field(default=120, gt=0)
    session_absolute_hours: int = Field(default=12, gt=0)
    default_language: str = "ru"
    default_time_zone: str = "Europe/Moscow"  # the network's; a clinic may have its own
    # E-mail (docs/notifications.md): sent over SMTP when smtp_host is set, else written to mail_dir.
    smtp_host: str = ""
    smtp_port: int = Field(default=587, gt=0, lt=65536)
    smtp_security: Literal["none", "starttls", "tls"] = "starttls"
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_timeout_seconds: float = Field(default=20, gt=0)
    mail_from: str = "Mystery Patient <no-reply@localhost>"
    base_url: str = "http://127.0.0.1:8000"  # links in e-mails
    invitation_hours: int = Field(default=72, gt=0)
    password_reset_minutes: int = Field(default=60, gt=0)
    reminder_window_days: int = Field(default=2, ge=0)  # "your visit window closes in N days"
    reminder_action_days: int = Field(default=3, ge=0)  # "your action is due in N days"
    alert_below_target_points: float = Field(default=10, ge=0)  # score this far under target alerts
    # The job queue (docs/jobs.md): unset = a SQLite file of its own under var/, else redis://… or
    # postgresql+psycopg://…
    queue_url: str = ""
    queue_name: str = "mystery-patient"  # several apps (or test runs) can share one Redis or PostgreSQL
    download_hours: int = Field(default=24, gt=0)  # how long a prepared download is kept
    job_stale_seconds: int = Field(default=120, gt=0)  # a running job silent this long is started again
    # Media storage (docs/scaling.md): unset = the local folder (MP_MEDIA_DIR); s3://bucket/prefix = any
    # S3-compatible store, reached at MP_S3_ENDPOINT_URL (unset: AWS) with these keys.
    media_url: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = "us-east-1"
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    # Set: downloads are redirected (after the app's permission check) to a presigned URL on this
    # endpoint, valid for s3_link_seconds. Unset: the app streams the file itself.
    s3_public_url: str = ""
    s3_link_seconds: int = Field(default=60, gt=0, le=3600)
    # Observability (docs/scaling.md): JSON log lines by default; /metrics answers only with this token.
    log_format: str = Field(default="json", pattern="^(json|text)$")
    metrics_token: str = ""
    # One currency per network (ISO 4217), shown next to every amount (docs/money.md).
    currency: str = Field(default="RUB", pattern=r"^[A-Z]{3}$")
    # Proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated): none by
    # default, so a client cannot pick its own address for the login throttle.
    trusted_proxies: str = ""

    @field_validator("trusted_proxies")
    @classmethod
    def known_networks(cls, value: str) -> str:
        import ipaddress

        for part in value.split(","):
            if part.strip():
                try:
                    ipaddress.ip_network(part.strip(), strict=False)
                except ValueError as bad:
                    raise ValueError(f"MP_TRUSTED_PROXIES: {part.strip()!r} is not an address or network") from bad
        return value

    @field_validator("default_time_zone")
    @classmethod
    def known_time_zone(cls, name: str) -> str:
        from zoneinfo import available_timezones

        if name not in available_timezones():
            raise ValueError(f"MP_DEFAULT_TIME_ZONE {name!r} is not an IANA time zone, e.g. Europe/Moscow")
        return name

    @field_validator("database_url")
    @classmethod
    def known_scheme(cls, url: str) -> str:
        scheme = url.split("://", 1)[0] if "://" in url else ""
        if url and scheme not in SUPPORTED_SCHEMES:
            raise ValueError(
                f"MP_DATABASE_URL has the unsupported scheme {scheme or url!r}; "
                "use sqlite:///path/to/file.db or postgresql+psycopg://user@host/db"
            )
        return url

    @field_validator("queue_url")
    @classmethod
    def known_queue_scheme(cls, url: str) -> str:
        scheme = url.split("://", 1)[0] if "://" in url else ""
        if url and scheme not in QUEUE_SCHEMES:
            raise ValueError(
                f"MP_QUEUE_URL has the unsupported scheme {scheme or url!r}; "
                "use redis://host:6379/0, postgresql+psycopg://user@host/db or sqlite:///path/to/queue.db"
            )
        return url

    @property
    def db_url(self) -> str:
        if not self.database_url:
            return f"sqlite:///{self.var_dir / 'mystery-patient.db'}"
        if self.database_url.startswith("postgresql://"):
            return "postgresql+psycopg://" + self.database_url.removeprefix("postgresql://")
        return self.database_url

    @field_validator("media_url")
    @classmethod
    def known_media_scheme(cls, url: str) -> str:
        if url and not url.startswith(("s3://", "file://", "/")):
            raise ValueError(f"MP_MEDIA_URL {url!r} is neither s3://bucket/prefix nor a folder (file:///path)")
        return url

    @property
    def media_path(self) -> Path:
        return self.media_dir if str(self.media_dir) not in ("", ".") else self.var_dir / "media"

    @property
    def mail_path(self) -> Path:
        """Where messages go when no SMTP server is set: the admin's Outbox reads them."""
        return self.var_dir / "mail"

    @property
    def public_url(self) -> str:
        return self.base_url.rstrip("/")

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    def signing_key(self) -> str:
        """The configured key, else one generated once and kept under `var/`."""
        if self.secret_key:
            return self.secret_key
        key_file = self.var_dir / "secret_key"
        if not key_file.exists():
            self.var_dir.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        return key_file.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
