"""Where evidence files live: one small interface (`MediaStorage`), a local folder by default and any
S3-compatible store for several app servers (docs/scaling.md).

Domain code asks `get_storage()` for the configured storage and never builds paths itself; operations
(`media copy`, backup, restore) open any storage by URL with `storage_at()`.
"""

from functools import lru_cache
from pathlib import Path

from app.settings import Settings, get_settings
from app.storage.base import MediaStorage, MissingFile, StorageDown
from app.storage.local import LocalStorage

__all__ = ["MediaStorage", "MissingFile", "StorageDown", "get_storage", "storage_at"]


def storage_at(url: str, settings: Settings | None = None) -> MediaStorage:
    """The storage a URL names: s3://bucket/prefix (keys and endpoint from MP_S3_*), file:///folder
    or a plain folder path. Raises ValueError for an s3:// URL without a bucket."""
    settings = settings or get_settings()
    if url.startswith("s3://"):
        from app.storage.s3 import S3Storage  # boto3 is imported only where S3 is used

        return S3Storage.from_url(url, settings)
    folder = Path(url.removeprefix("file://")) if url else settings.media_path
    return LocalStorage(folder)


@lru_cache(maxsize=8)
def _configured(url: str, folder: Path, *s3: str) -> MediaStorage:
    return storage_at(url or str(folder))


def get_storage() -> MediaStorage:
    """The storage MP_MEDIA_URL names (unset: the local media folder), built once per configuration."""
    s = get_settings()
    return _configured(s.media_url, s.media_path, s.s3_endpoint_url, s.s3_region, s.s3_access_key_id,
                       s.s3_secret_access_key, s.s3_public_url)
