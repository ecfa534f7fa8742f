"""Settings are read once from LIANYAN_* and a bad value names its variable."""

from __future__ import annotations

import pytest

from lianyan.settings import Settings, SettingsError


def test_settings_defaults_use_sqlite_under_the_data_dir(tmp_path):
    settings = Settings.from_env({"LIANYAN_DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'lianyan.db'}"
    assert settings.store.embedded
    assert settings.uploads.video_bytes == 2 * 1024**3
    assert (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("LIANYAN_DATABASE_URL", "mysql://x"),
        ("LIANYAN_MAX_VIDEO_BYTES", "two gigabytes"),
        ("LIANYAN_UPLOAD_PART_BYTES", "1024"),
        ("LIANYAN_SECURE_COOKIES", "maybe"),
        ("LIANYAN_SECRET_KEY", "short"),
        ("LIANYAN_S3_ENDPOINT", "http://minio:9000"),
    ],
)
def test_bad_setting_stops_with_message_naming_variable(tmp_path, variable, value):
    with pytest.raises(SettingsError) as error:
        Settings.from_env({"LIANYAN_DATA_DIR": str(tmp_path), variable: value})
    named = "LIANYAN_S3_ACCESS_KEY" if variable == "LIANYAN_S3_ENDPOINT" else variable
    assert named in str(error.value)


def test_cli_refuses_to_start_on_bad_setting(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "LIANYAN_DATA_DIR": str(tmp_path), "LIANYAN_MAX_DOCUMENT_BYTES": "-5"}
    result = subprocess.run(
        [sys.executable, "-m", "lianyan.cli", "migrate"], env=env, capture_output=True,
        text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "LIANYAN_MAX_DOCUMENT_BYTES" in result.stderr


def test_embedded_store_address_and_public_endpoint_reach_the_local_server(tmp_path):
    from lianyan.files.local_s3 import LocalS3Server

    settings = Settings.from_env({
        "LIANYAN_DATA_DIR": str(tmp_path),
        "LIANYAN_S3_EMBEDDED_ADDR": "0.0.0.0:9123",
        "LIANYAN_S3_PUBLIC_ENDPOINT": "http://192.0.2.10:9123",
    })
    server = LocalS3Server.from_settings(tmp_path, settings.store)
    assert (server.host, server.port) == ("0.0.0.0", 9123)
    assert server.endpoint == "http://127.0.0.1:9123"
    assert server.settings().public_endpoint == "http://192.0.2.10:9123"


def test_bad_embedded_address_names_the_variable(tmp_path):
    with pytest.raises(SettingsError, match="LIANYAN_S3_EMBEDDED_ADDR"):
        Settings.from_env({"LIANYAN_DATA_DIR": str(tmp_path), "LIANYAN_S3_EMBEDDED_ADDR": "9000"})
