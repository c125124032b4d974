"""The media storage interface, the same on the local folder and on S3 (a real SeaweedFS server):
files in and out by name, missing names, listing without uploads in progress."""

from pathlib import Path

import pytest

from app.storage import MissingFile, get_storage
from app.storage.base import read_all

pytestmark = pytest.mark.usefixtures("media_storage")


def test_a_stored_file_comes_back_byte_for_byte_and_goes_when_deleted(tmp_path: Path) -> None:
    storage = get_storage()
    source = tmp_path / "upload"
    data = bytes(range(256)) * 3000  # 768 kB: more than one chunk
    source.write_bytes(data)

    storage.put("0123456789abcdef0123456789abcdef.jpg", source, content_type="image/jpeg")
    back = read_all(storage, "0123456789abcdef0123456789abcdef.jpg")
    listed = set(storage.names())
    storage.delete("0123456789abcdef0123456789abcdef.jpg")

    assert back == data
    assert "0123456789abcdef0123456789abcdef.jpg" in listed
    assert "0123456789abcdef0123456789abcdef.jpg" not in set(storage.names())
    storage.delete("0123456789abcdef0123456789abcdef.jpg")  # deleting again is no error


@pytest.mark.parametrize("name", ["nothere.jpg", "../etc/passwd", ""])
def test_a_name_that_is_not_stored_is_missing_not_a_crash(name: str) -> None:
    with pytest.raises(MissingFile):
        read_all(get_storage(), name)


def test_uploads_being_received_are_not_listed_as_stored_files() -> None:
    storage = get_storage()
    storage.scratch.mkdir(parents=True, exist_ok=True)
    (storage.scratch / "upload-half").write_bytes(b"half an upload")

    assert "upload-half" not in set(storage.names()) and "tmp" not in set(storage.names())
