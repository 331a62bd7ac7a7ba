"""The release: one pure-Python wheel that installs into a clean environment and works outside the checkout."""

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import xlmodel

ROOT = Path(__file__).resolve().parents[1]


def test_one_pure_python_wheel_installs_and_runs_outside_the_repo(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(dist)],
                   check=True, capture_output=True, text=True, timeout=600)
    wheels = list(dist.glob("*.whl"))
    assert [w.name for w in wheels] == [f"xlmodel-{xlmodel.__version__}-py3-none-any.whl"]
    names = zipfile.ZipFile(wheels[0]).namelist()
    assert "xlmodel/default_assumptions.toml" in names and "xlmodel/workbook/cached.py" in names
    assert not any(n.startswith("tests/") for n in names)
    env = tmp_path / "env"
    venv.create(env, with_pip=True)
    py = env / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", str(wheels[0])], check=True, capture_output=True,
                   text=True, timeout=900)
    work = tmp_path / "elsewhere"
    work.mkdir()
    cli = env / "bin" / "xlmodel"
    r = subprocess.run([str(cli), "--version"], cwd=work, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and xlmodel.__version__ in r.stdout
    r = subprocess.run([str(cli), "new", "model", "-o", "model.xlsx"], cwd=work, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    assert (work / "model.xlsx").read_bytes()[:2] == b"PK"
    r = subprocess.run([str(cli), "calc"], cwd=work, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "runway_months" in r.stdout


def test_the_version_lives_in_one_place():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in text and 'version = { attr = "xlmodel.__version__" }' in text
    assert f"## {xlmodel.__version__}" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
