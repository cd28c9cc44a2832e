"""The built wheel works on its own: `pip install zhibu-*.whl` then `zhibu demo` (#14, item 17).

The wheel is built from this tree (setuptools from the package index, as any `pip install .`
does) and installed into a fresh virtual environment that borrows only the test
environment's third-party packages (not its editable zhibu); the demo then runs from an empty
folder, so nothing can come from the source tree.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str | Path, cwd: Path) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done.stdout


def test_the_wheel_installs_and_runs_the_demo(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, ROOT, cwd=tmp_path)
    (wheel,) = dist.glob("zhibu-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "bot/demo_data/roster.csv" in names and "bot/understanding/lexicon.toml" in names
    assert any(n.endswith("licenses/LICENSE") for n in names)
    assert not any(n.startswith(("tests/", "bench/")) for n in names)

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
                     cwd=tmp_path).strip())
    # Third-party packages from the test environment; .pth files inside it (the editable
    # zhibu) are not processed from a path added this way.
    (site / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    _run(sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", site, wheel,
         cwd=tmp_path)

    work = tmp_path / "empty"
    work.mkdir()
    located = _run(python, "-c", "import bot; print(bot.__file__)", cwd=work)
    assert str(site) in located and str(ROOT) not in located
    assert _run(python, "-m", "bot", "--version", cwd=work).strip() == "zhibu 0.1.0"
    out = _run(python, "-m", "bot", "demo", "--db", work / "demo.db", "--script",
               ROOT / "examples" / "first-study-day.txt", "--start", "2026-12-08 08:30",
               cwd=work)
    assert "王秀英，签到成功！" in out and "实到 3 人" in out
