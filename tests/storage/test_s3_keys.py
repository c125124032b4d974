"""Authentication is on: the S3 server refuses wrong keys, and the app's storage reports such a store
as down (503 to uploads, named in /readyz) instead of crashing."""

from pathlib import Path

import pytest

from app.settings import get_settings
from app.storage import StorageDown, get_storage
from app.storage.s3 import S3Storage
from tests.seaweedfs import SECRET_KEY, SeaweedFS


def test_the_store_refuses_a_wrong_secret_key(seaweedfs: SeaweedFS, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in seaweedfs.settings(prefix="keys").items():
        monkeypatch.setattr(get_settings(), name.removeprefix("MP_").lower(), value)
    monkeypatch.setattr(get_settings(), "s3_secret_access_key", SECRET_KEY[::-1])
    storage = get_storage()
    assert isinstance(storage, S3Storage)
    (tmp_path / "f").write_bytes(b"x")

    with pytest.raises(StorageDown):
        storage.check()
    with pytest.raises(StorageDown):
        storage.put("0123456789abcdef0123456789abcdef.jpg", tmp_path / "f", content_type="image/jpeg")


def test_the_server_refuses_unsigned_and_wrongly_signed_requests(seaweedfs: SeaweedFS) -> None:
    import botocore.exceptions

    wrong = seaweedfs.client(secret_key="not-the-secret")

    with pytest.raises(botocore.exceptions.ClientError) as refused:
        wrong.list_objects_v2(Bucket="mystery-patient")

    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
