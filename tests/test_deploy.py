"""deploy/zhibu.service and deploy/Dockerfile are valid and say what docs/deploy.md says
(issue #14, item 18). No Docker engine runs here: the Dockerfile is linted with hadolint and
checked against the project; the unit file is verified by systemd-analyze where it exists."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from bot.config import load_config

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "deploy" / "zhibu.service"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"


def _unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    parser.read(UNIT, encoding="utf-8")
    return parser


def test_the_systemd_unit_restarts_on_failure_in_its_own_folder(tmp_path: Path) -> None:
    service = _unit()["Service"]
    assert service["ExecStart"].endswith("/zhibu run")
    assert service["Restart"] == "on-failure"
    assert service["WorkingDirectory"] in service["ReadWritePaths"].split()
    assert service["User"] != "root" and service["KillSignal"] == "SIGTERM"
    analyze = shutil.which("systemd-analyze")
    if analyze is not None:  # present on Debian machines (and CI); verifies the real syntax
        local = tmp_path / "zhibu.service"
        zhibu = Path(sys.executable).parent / "zhibu"
        local.write_text(UNIT.read_text(encoding="utf-8").replace(
            "/opt/zhibu/venv/bin/zhibu", str(zhibu)), encoding="utf-8")
        done = subprocess.run([analyze, "verify", str(local)], capture_output=True, text=True,
                              check=False, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr


def test_the_dockerfile_passes_hadolint() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    done = subprocess.run([str(hadolint), "--no-color", str(DOCKERFILE)], capture_output=True,
                          text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_image_runs_as_a_user_with_its_data_on_the_volume() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    user = re.search(r"^USER (\S+)$", text, re.M)
    assert user and not user.group(1).startswith(("0", "root"))
    volume = re.search(r'^VOLUME \["([^"]+)"\]$', text, re.M)
    env = dict(re.findall(r"(ZHIBU_[A-Z_]+)=(\S+)", text))
    assert volume and env["ZHIBU_DATABASE__URL"] == f"sqlite:///{volume.group(1)}/zhibu.db"
    # The image's environment is a valid configuration.
    config = load_config(None, env | {"ZHIBU_CONFIG": ""})
    assert config.database.sqlite_path() == f"{volume.group(1)}/zhibu.db"
    assert config.wechat.listen == "0.0.0.0:8080"


def test_the_image_copies_every_package_the_wheel_has() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {name.rstrip("*") for name in
                project["tool"]["setuptools"]["packages"]["find"]["include"]}
    copied = set(re.findall(r"^COPY (\w+) \./\1$", DOCKERFILE.read_text(encoding="utf-8"),
                            re.M))
    assert copied == packages
