"""The media storage interface and its two failures: a file that is not there, a store that is down."""

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from app.errors import Unavailable
from app.i18n import N_

CHUNK = 256 * 1024


class StorageDown(Unavailable):
    message = N_("The evidence store cannot be reached just now and the file was not saved; "
                 "it will be sent again.")


class MissingFile(Exception):
    """No file under this name (a stale row, a file lost outside the app)."""


class MediaStorage(Protocol):
    """Files by name (a random hex name and extension). Every method raises StorageDown when the store
    cannot be reached, so a request can answer 503 + Retry-After instead of losing anything."""

    description: str  # for messages and /readyz: the folder or s3://bucket/prefix
    scratch: Path  # a local folder for uploads being received and re-encoded

    def put(self, name: str, source: Path, *, content_type: str) -> None:
        """Store the file at `source` under `name`; `source` may be moved away (the caller removes
        what is left). Returns only once the file is durably stored."""
        ...

    def open(self, name: str) -> Iterator[bytes]:
        """The file's bytes in chunks. Raises MissingFile before the first chunk."""
        ...

    def delete(self, name: str) -> None:
        """Remove the file; a name that is not there is no error."""
        ...

    def names(self) -> Iterator[str]:
        """Every stored name, uploads in progress left out."""
        ...

    def check(self) -> None:
        """Raises StorageDown unless the store answers and the app may write to it."""
        ...

    def local_path(self, name: str) -> Path | None:
        """A file on this machine the web server may send as it is (local folder only)."""
        ...

    def link(self, name: str, *, content_type: str, filename: str) -> str | None:
        """A short-lived URL a browser may fetch the file from directly, or None (stream it)."""
        ...


def checked_name(name: str) -> str:
    """A stored name is one plain file name (ours are random hex); anything else, such as a row edited
    by hand, names no file rather than a place outside the storage. Raises MissingFile."""
    if not name or Path(name).name != name or name.startswith(".") or "\\" in name:
        raise MissingFile(name)
    return name


def read_all(storage: MediaStorage, name: str) -> bytes:
    """The whole file (thumbnails for a PDF, checks): raises MissingFile."""
    return b"".join(storage.open(name))
