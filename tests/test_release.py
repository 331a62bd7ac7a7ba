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
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(dist)],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    wheels = list(dist.glob("*.whl"))
    assert [w.name for w in wheels] == [f"xlmodel-{xlmodel.__version__}-py3-none-any.whl"]
    names = zipfile.ZipFile(wheels[0]).namelist()
    assert "xlmodel/default_assumptions.toml" in names and "xlmodel/workbook/cached.py" in names
    # every module of the checkout, no more (a stale build/ folder once slipped removed modules in)
    source = {str(p.relative_to(ROOT)) for p in (ROOT / "xlmodel").rglob("*.py")}
    assert {n for n in names if n.endswith(".py")} == source
    assert not any(n.startswith("tests/") for n in names)
    meta = zipfile.ZipFile(wheels[0]).read(f"xlmodel-{xlmodel.__version__}.dist-info/METADATA").decode()
    requires = [
        line.split(":", 1)[1].strip() for line in meta.splitlines() if line.startswith("Requires-Dist:")
    ]
    core = sorted(r.split(">")[0] for r in requires if "extra ==" not in r)
    assert core == ["numpy", "numpy-financial"], requires  # everything else is an extra (issue 10)

    env = tmp_path / "env"
    venv.create(env, with_pip=True)
    py = env / "bin" / "python"
    work = tmp_path / "elsewhere"
    work.mkdir()
    cli = env / "bin" / "xlmodel"

    # the core alone: the engine and the Excel functions work; the CLI says which extra to install
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", str(wheels[0])],
        check=True,
        capture_output=True,
        text=True,
        timeout=900,
    )
    installed = subprocess.run(
        [str(py), "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True, check=True
    ).stdout.lower()
    for extra_only in ("click", "openpyxl", "genai-prices", "xlwings"):
        assert f"{extra_only}==" not in installed
    r = subprocess.run(
        [
            str(py),
            "-c",
            (
                "import xlmodel, xlmodel.udfs as u; "
                "print(u.LLM_RUNWAY(1.2e6, 1000, 0, 1, 0, 1, 50, 0, 150e3), u.LLM_CAC(1000, 20), "
                "u.LLM_PRICE('gpt-4o-mini'))"
            ),
        ],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("12.0 50.0 #VALUE! model prices need the genai-prices package"), r.stdout
    assert 'pip install ".[prices]"' in r.stdout and 'pip install "xlmodel[prices]"' in r.stdout
    r = subprocess.run([str(cli), "--version"], cwd=work, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and 'pip install ".[cli]"' in r.stderr and "Traceback" not in r.stderr

    # with the cli extra: the whole command line, outside the checkout
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", f"{wheels[0]}[cli]"],
        check=True,
        capture_output=True,
        text=True,
        timeout=900,
    )
    r = subprocess.run([str(cli), "--version"], cwd=work, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and xlmodel.__version__ in r.stdout
    r = subprocess.run(
        [str(cli), "new", "model", "-o", "model.xlsx"], cwd=work, capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0, r.stderr
    assert (work / "model.xlsx").read_bytes()[:2] == b"PK"
    r = subprocess.run([str(cli), "calc"], cwd=work, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "runway_months" in r.stdout
    r = subprocess.run(
        [str(cli), "price", "gpt-4o-mini"], cwd=work, capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0 and "0.15" in r.stdout


def test_the_version_lives_in_one_place():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in text and 'version = { attr = "xlmodel.__version__" }' in text
    assert f"## {xlmodel.__version__}" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
