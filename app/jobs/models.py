"""A job a person asked for (docs/jobs.md): a PDF or an export prepared by a worker, its progress,
its error, and the file it produced, kept until `expires_at`."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from app.db_types import UTCDateTime, utcnow


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class Job(SQLModel, table=True):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_heartbeat", "status", "heartbeat_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=40)  # a builder registered in app.jobs.builders
    params: dict[str, str | None] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    language: str = Field(default="en", max_length=8)  # the asker's, for the file's text
    status: str = Field(default=JobStatus.queued, max_length=20)
    progress: int = 0  # percent
    error: str | None = Field(default=None, max_length=500)
    attempts: int = 0
    file_name: str | None = Field(default=None, max_length=200)  # under var/downloads
    download_name: str | None = Field(default=None, max_length=200)
    media_type: str | None = Field(default=None, max_length=100)
    size: int | None = None
    clinic_ids: list[int] | None = Field(default=None, sa_column=Column(JSON))  # what the file shows
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    heartbeat_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
