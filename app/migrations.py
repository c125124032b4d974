"""Apply Alembic migrations from code (the CLI's `migrate`, `serve`, and the tests)."""

from pathlib import Path

from alembic import command
from alembic.config import Config

from app.settings import get_settings

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def alembic_config(url: str | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url or get_settings().db_url)
    config.attributes["configure_logging"] = False
    return config


def upgrade_to_head(url: str | None = None) -> None:
    settings = get_settings()
    if (url or settings.db_url).startswith("sqlite:///") and not url:
        settings.var_dir.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), "head")
