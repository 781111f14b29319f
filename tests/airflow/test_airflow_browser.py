"""A real browser against ``uv run streamduck airflow``: log in, see the DAGs, trigger the load DAG from
the UI on a broker nobody provisioned, watch the run succeed with its asset events, follow the checks
task's link to its offline report, save screenshots, then Ctrl-C: every process is gone in seconds.

Uses Debian's ``chromium`` and ``chromium-driver`` (installed with apt-get when missing).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from streamduck.broker import free_port
from tests.conftest import REPO_ROOT, STREAMDUCK_BIN

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,900",
)
DAG_IDS = (
    "streamduck_provision",
    "streamduck_load",
    "streamduck_views",
    "streamduck_checks",
    "streamduck_fake_data",
)


def _chromium() -> tuple[str, str]:
    """Paths of chromium and chromedriver, installing Debian's packages if they are missing."""
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=True, capture_output=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "chromium", "chromium-driver"],
            env=env,
            check=True,
            capture_output=True,
        )
    return shutil.which("chromium") or "", shutil.which("chromedriver") or ""


def _launcher() -> list[str]:
    """How a user starts it: ``uv run streamduck`` when the suite runs under uv (CI does), which
    forwards a terminal's Ctrl-C as a second SIGINT; the installed script otherwise."""
    uv = os.environ.get("UV")
    return [uv, "run", "--frozen", "--project", str(REPO_ROOT), "streamduck"] if uv else [STREAMDUCK_BIN]


def _family(pid: int) -> list[Any]:
    """The process, its descendants, and the members of their sessions (Airflow runs in its own)."""
    import psutil

    root = psutil.Process(pid)
    tree = [root, *root.children(recursive=True)]
    pids = {p.pid for p in tree}
    for process in psutil.process_iter():
        with contextlib.suppress(OSError, psutil.Error):
            if process.pid not in pids and os.getsid(process.pid) in pids:
                tree.append(process)
    return tree


def _ctrl_c(process: subprocess.Popen) -> tuple[float, list[Any]]:
    """Ctrl-C as a terminal sends it (SIGINT to the foreground process group); seconds until every
    process of the family is gone, and the ones still alive after 20 s."""
    import psutil

    family = _family(process.pid)
    started = time.monotonic()
    os.killpg(process.pid, signal.SIGINT)
    _, alive = psutil.wait_procs(family, timeout=20)
    return time.monotonic() - started, alive


@pytest.fixture
def airflow_ui(tmp_path: Path) -> Iterator[dict]:
    """``streamduck airflow`` on a copy of the project; yields its URL, login and process."""
    project = tmp_path / "project"
    for folder in ("dags", "plugins", "sql", "producers"):
        shutil.copytree(REPO_ROOT / folder, project / folder, ignore=shutil.ignore_patterns("__pycache__"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "STREAMDUCK_"))}
    port = free_port()
    stderr = tmp_path / "stderr.txt"
    with open(stderr, "w") as errors:
        process = subprocess.Popen(
            [*_launcher(), "airflow", "--port", str(port)],
            cwd=project,
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=errors,
            start_new_session=True,  # its own process group, as a shell's foreground job has
        )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 300
        while not any(line.startswith("login:") for line in lines):
            assert process.poll() is None, (project / "airflow_home" / "standalone.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "streamduck airflow printed no login within 300 s"
            time.sleep(0.5)
        url = next(line.split()[-1] for line in lines if line.startswith("Airflow UI:"))
        user, password = next(line for line in lines if line.startswith("login:")).split()[1::2]
        yield {
            "url": url,
            "user": user,
            "password": password,
            "home": project / "airflow_home",
            "project": project,
            "process": process,
            "stderr": stderr,
        }
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                for member in _family(process.pid):
                    member.kill()
            process.wait()


def _api(ui: dict, path: str) -> dict:
    request = urllib.request.Request(
        f"{ui['url']}/auth/token",
        method="POST",
        headers={"Content-Type": "application/json"},
        data=json.dumps({"username": ui["user"], "password": ui["password"]}).encode(),
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        token = json.load(response)["access_token"]
    request = urllib.request.Request(f"{ui['url']}{path}", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def _wait_for_run(ui: dict, dag_id: str, run_type: str, timeout_s: float = 240) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        runs = _api(ui, f"/api/v2/dags/{dag_id}/dagRuns?run_type={run_type}")["dag_runs"]
        finished = [r for r in runs if r["state"] in ("success", "failed")]
        if finished:
            return finished[0]
        time.sleep(2)
    raise AssertionError(f"no {run_type} run of {dag_id} finished within {timeout_s:.0f} s")


@pytest.mark.slow
def test_log_in_trigger_load_dag_and_see_it_succeed(airflow_ui: dict, tmp_path: Path) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    chromium, chromedriver = _chromium()
    options = Options()
    options.binary_location = chromium
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    browser = webdriver.Chrome(options=options, service=Service(chromedriver))
    wait = WebDriverWait(browser, 30)
    try:
        browser.get(airflow_ui["url"])
        wait.until(ec.presence_of_element_located((By.NAME, "username"))).send_keys(airflow_ui["user"])
        browser.find_element(By.NAME, "password").send_keys(airflow_ui["password"])
        browser.find_element(By.XPATH, "//button[normalize-space()='Sign in']").click()
        wait.until(lambda b: "/auth/login" not in b.current_url)

        browser.get(f"{airflow_ui['url']}/dags")
        for dag_id in DAG_IDS:
            wait.until(ec.presence_of_element_located((By.XPATH, f"//*[text()='{dag_id}']")))

        browser.get(f"{airflow_ui['url']}/dags/streamduck_load")
        wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, "button[aria-label='Trigger Dag']"))).click()
        wait.until(
            ec.element_to_be_clickable((By.XPATH, "(//button[normalize-space()='Trigger'])[last()]"))
        ).click()

        # Nobody provisioned this fresh broker: the load DAG's first task does.
        run = _wait_for_run(airflow_ui, "streamduck_load", "manual")
        assert run["state"] == "success", run
        browser.get(f"{airflow_ui['url']}/dags/streamduck_load/runs/{run['dag_run_id']}")
        wait.until(ec.presence_of_element_located((By.XPATH, "//*[normalize-space()='load_fake_people']")))
        wait.until(ec.presence_of_element_located((By.XPATH, "//*[normalize-space()='Success']")))
        shots = Path(os.environ.get("STREAMDUCK_SCREENSHOT_DIR", tmp_path))
        assert browser.save_screenshot(str(shots / "airflow_load_run.png"))
        assert (shots / "airflow_load_run.png").stat().st_size > 10_000

        # The run's asset events carry the loaded offsets and counts, led by a readable summary.
        events = _api(airflow_ui, f"/api/v2/assets/events?source_run_id={quote(run['dag_run_id'])}")[
            "asset_events"
        ]
        summaries = {e.get("name"): (e.get("extra") or {}).get("summary") for e in events}
        expected = "0 rows, 0 dead letters from fake_people (nothing new)"
        assert summaries.get("streamduck.raw.fake_people") == expected, events
        run_path = f"/dags/streamduck_load/runs/{run['dag_run_id']}"
        browser.get(f"{airflow_ui['url']}{run_path}/tasks/load_fake_people/asset_events")  # what it emitted
        wait.until(
            ec.presence_of_element_located((By.XPATH, "//*[normalize-space()='streamduck.raw.fake_people']"))
        )
        assert browser.save_screenshot(str(shots / "load_task_asset_events.png"))
        asset_id = next(e["asset_id"] for e in events if e.get("name") == "streamduck.raw.fake_people")
        browser.get(f"{airflow_ui['url']}/assets/{asset_id}")  # each event's extra, {summary, ...}
        wait.until(ec.presence_of_element_located((By.XPATH, "//*[normalize-space()='Source:']")))
        assert browser.save_screenshot(str(shots / "asset_events.png"))

        # Those events trigger the checks; their task links to the run's offline report.
        checks = _wait_for_run(airflow_ui, "streamduck_checks", "asset_triggered")
        browser.get(f"{airflow_ui['url']}/dags/streamduck_checks/runs/{checks['dag_run_id']}/asset_events")
        wait.until(
            ec.presence_of_element_located((By.XPATH, "//*[normalize-space()='streamduck.raw.fake_people']"))
        )
        task_path = f"/dags/streamduck_checks/runs/{checks['dag_run_id']}/tasks/quality_checks"
        link = _api(
            airflow_ui,
            f"/api/v2{task_path.replace('/runs/', '/dagRuns/').replace('/tasks/', '/taskInstances/')}/links",
        )
        report_url = link["extra_links"]["Quality report"]
        assert report_url.startswith("/streamduck/quality/runs/"), link
        browser.get(f"{airflow_ui['url']}{task_path}/details")  # the task's Extra Links
        anchor = wait.until(
            ec.presence_of_element_located((By.XPATH, "//a[normalize-space()='Quality report']"))
        )
        assert anchor.get_attribute("href").endswith(report_url)
        assert browser.save_screenshot(str(shots / "checks_task_extra_link.png"))
        browser.get(f"{airflow_ui['url']}{report_url}")
        wait.until(
            ec.presence_of_element_located(
                (By.XPATH, "//h1[starts-with(normalize-space(), 'Quality checks')]")
            )
        )
        assert "FAKE_PEOPLE" in browser.page_source and "_uncastable_" not in browser.page_source
        assert browser.save_screenshot(str(shots / "quality_report.png"))
    finally:
        browser.quit()

    # Ctrl-C (uv forwards a second SIGINT): Airflow, its workers and the broker are gone in seconds.
    seconds, alive = _ctrl_c(airflow_ui["process"])
    print(f"Ctrl-C: every process gone after {seconds:.1f} s")
    assert not alive, [p.info if hasattr(p, "info") else p for p in alive]
    assert seconds < 15, seconds
    assert "Aborted!" not in airflow_ui["stderr"].read_text()
    assert "stopped." in airflow_ui["stderr"].read_text()
