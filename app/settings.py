"""Settings from `MP_*` environment variables (and an optional `.env`)."""

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SUPPORTED_SCHEMES = ("sqlite", "postgresql", "postgresql+psycopg")


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

    @property
    def db_url(self) -> str:
        if not self.database_url:
            return f"sqlite:///{self.var_dir / 'mystery-patient.db'}"
        if self.database_url.startswith("postgresql://"):
            return "postgresql+psycopg://" + self.database_url.removeprefix("postgresql://")
        return self.database_url

    @property
    def media_path(self) -> Path:
        return self.media_dir if str(self.media_dir) not in ("", ".") else self.var_dir / "media"

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
