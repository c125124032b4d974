"""Evidence in a local folder: the embedded default for one machine."""

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from app.storage.base import CHUNK, MissingFile, StorageDown, checked_name

TEMP_FOLDER = "tmp"  # uploads being received; never a stored file, never in a backup


class LocalStorage:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.description = str(folder)
        self.scratch = folder / TEMP_FOLDER

    def _path(self, name: str) -> Path:
        return self.folder / checked_name(name)

    def put(self, name: str, source: Path, *, content_type: str) -> None:
        target = self._path(name)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.replace(source, target)  # the scratch folder is inside: a rename, atomic
            except OSError:
                partial = target.with_name(f".{name}.partial")
                shutil.copyfile(source, partial)
                os.replace(partial, target)
        except OSError as failure:
            raise StorageDown() from failure

    def open(self, name: str) -> Iterator[bytes]:
        try:
            handle = self._path(name).open("rb")
        except FileNotFoundError as missing:
            raise MissingFile(name) from missing
        except OSError as failure:
            raise StorageDown() from failure

        def chunks() -> Iterator[bytes]:
            with handle:
                while chunk := handle.read(CHUNK):
                    yield chunk

        return chunks()

    def delete(self, name: str) -> None:
        with contextlib.suppress(MissingFile):
            self._path(name).unlink(missing_ok=True)

    def names(self) -> Iterator[str]:
        if not self.folder.exists():
            return
        for path in sorted(self.folder.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                yield path.name

    def check(self) -> None:
        try:
            self.scratch.mkdir(parents=True, exist_ok=True)
            if not os.access(self.folder, os.W_OK):
                raise StorageDown()
        except OSError as failure:
            raise StorageDown() from failure

    def local_path(self, name: str) -> Path | None:
        path = self._path(name)
        if not path.is_file():
            raise MissingFile(name)
        return path

    def link(self, name: str, *, content_type: str, filename: str) -> str | None:
        return None
