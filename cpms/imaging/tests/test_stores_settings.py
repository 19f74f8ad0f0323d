"""Which store the environment chooses: config/settings.py read afresh with the variables of a set-up."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from cpms.imaging import stores
from cpms.imaging.tests.s3 import settings_from_env


def test_it_keeps_the_images_in_a_local_folder_by_default(monkeypatch):
    namespace = settings_from_env(monkeypatch, {})
    imaging = namespace["STORAGES"]["imaging"]
    assert imaging["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert imaging["OPTIONS"]["location"] == namespace["VAR_DIR"] / "imaging"
    assert namespace["IMAGING_STORE"] == "storage"


def test_it_keeps_them_in_s3_when_a_bucket_is_named(monkeypatch):
    env = {
        "IMAGING_S3_BUCKET": "hospital-images",
        "IMAGING_S3_PREFIX": "cpms",
        "IMAGING_S3_ENDPOINT_URL": "https://s3.example.org",
        "IMAGING_S3_REGION": "eu-central-1",
        "IMAGING_S3_ADDRESSING_STYLE": "path",
        "IMAGING_S3_ACCESS_KEY_ID": "AKIA-TEST",
        "IMAGING_S3_SECRET_ACCESS_KEY": "the-secret",
    }
    imaging = settings_from_env(monkeypatch, env)["STORAGES"]["imaging"]
    config = imaging["OPTIONS"].pop("client_config")
    assert config.s3 == {"addressing_style": "path"}
    assert (config.connect_timeout, config.read_timeout, config.retries["max_attempts"]) == (5, 30, 3)
    assert imaging == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "hospital-images",
            "location": "cpms",
            "endpoint_url": "https://s3.example.org",
            "region_name": "eu-central-1",
            "access_key": "AKIA-TEST",
            "secret_key": "the-secret",
            "file_overwrite": False,
        },
    }


def test_it_reads_the_s3_secret_from_a_file(monkeypatch, tmp_path):
    (tmp_path / "s3").write_text("from-a-file\n")
    env = {
        "IMAGING_S3_BUCKET": "b",
        "IMAGING_S3_ACCESS_KEY_ID": "AKIA-TEST",
        "IMAGING_S3_SECRET_ACCESS_KEY_FILE": str(tmp_path / "s3"),
    }
    options = settings_from_env(monkeypatch, env)["STORAGES"]["imaging"]["OPTIONS"]
    assert options["secret_key"] == "from-a-file"


def test_it_leaves_the_credentials_to_boto3_without_keys(monkeypatch):
    options = settings_from_env(monkeypatch, {"IMAGING_S3_BUCKET": "b"})["STORAGES"]["imaging"]["OPTIONS"]
    assert options["access_key"] is None and options["secret_key"] is None
    assert options["endpoint_url"] is None  # AWS itself


def test_it_refuses_an_access_key_without_its_secret(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="IMAGING_S3_SECRET_ACCESS_KEY"):
        settings_from_env(monkeypatch, {"IMAGING_S3_BUCKET": "b", "IMAGING_S3_ACCESS_KEY_ID": "AKIA-TEST"})


def test_it_refuses_orthanc_without_a_password(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="ORTHANC_PASSWORD"):
        settings_from_env(monkeypatch, {"IMAGING_STORE": "orthanc"})
    namespace = settings_from_env(
        monkeypatch,
        {
            "IMAGING_STORE": "orthanc",
            "ORTHANC_URL": "https://pacs.example.org/orthanc",
            "ORTHANC_PASSWORD": "pw",
        },
    )
    assert (namespace["ORTHANC_URL"], namespace["ORTHANC_USER"], namespace["ORTHANC_PASSWORD"]) == (
        "https://pacs.example.org/orthanc",
        "cpms",
        "pw",
    )


def test_image_store_is_the_one_the_settings_name(settings):
    settings.IMAGING_STORE = "orthanc"
    settings.ORTHANC_URL, settings.ORTHANC_USER, settings.ORTHANC_PASSWORD = "http://orthanc:8042/", "u", "p"
    stores.image_store.cache_clear()
    try:
        store = stores.image_store()
        assert isinstance(store, stores.OrthancImageStore)
        assert store.url == "http://orthanc:8042"
        assert store.headers["Authorization"] == "Basic dTpw"  # u:p
    finally:
        stores.image_store.cache_clear()
    settings.IMAGING_STORE = "storage"
    try:
        assert isinstance(stores.image_store(), stores.StorageImageStore)
    finally:
        stores.image_store.cache_clear()
