"""S3 for the tests: moto's server (a real HTTP endpoint speaking the S3 API) on a free loopback port.

`moto_s3` is one server per test session; `s3_env` gives each test its own new bucket and the
environment that config/settings.py turns into STORAGES["imaging"], as a production set-up would
set it. Tests import them: `from cpms.imaging.tests.s3 import moto_s3, s3_env  # noqa: F401`.
"""

import os
import runpy
import secrets
import socket
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

REGION = "eu-west-1"
ACCESS_KEY, SECRET_KEY = "cpms-test-access", "cpms-test-secret"
SETTINGS = Path(__file__).resolve().parents[3] / "config" / "settings.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def moto_s3() -> Iterator[str]:
    """The endpoint URL of a moto server for this test session."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def s3_client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )


@pytest.fixture
def s3_env(moto_s3) -> dict[str, str]:
    """A fresh bucket, and the IMAGING_S3_* variables naming it."""
    bucket = f"cpms-images-{secrets.token_hex(6)}"
    s3_client(moto_s3).create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    return {
        "IMAGING_S3_BUCKET": bucket,
        "IMAGING_S3_PREFIX": "images",
        "IMAGING_S3_ENDPOINT_URL": moto_s3,
        "IMAGING_S3_REGION": REGION,
        "IMAGING_S3_ACCESS_KEY_ID": ACCESS_KEY,
        "IMAGING_S3_SECRET_ACCESS_KEY": SECRET_KEY,
    }


def settings_from_env(monkeypatch, env: dict[str, str]) -> dict:
    """config/settings.py run afresh with these variables (and no other IMAGING_S3_*/ORTHANC_*), as
    a process started with them would read it: its namespace (django.conf.settings is untouched)."""
    for name in list(os.environ):
        if name.startswith(("IMAGING_", "ORTHANC_")):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))
