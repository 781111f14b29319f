"""A real browser against ``streamduck airflow``: log in, see the DAGs, trigger the load DAG from the
UI, watch the run succeed, and save a screenshot of it.

Uses Debian's ``chromium`` and ``chromium-driver`` (installed with apt-get when missing).
"""

from __future__ import annotations

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


@pytest.fixture
def airflow_ui(tmp_path: Path) -> Iterator[dict]:
    """``streamduck airflow`` on a copy of the project; yields its URL and login, stops it afterwards."""
    project = tmp_path / "project"
    for folder in ("dags", "plugins", "sql", "producers"):
        shutil.copytree(REPO_ROOT / folder, project / folder, ignore=shutil.ignore_patterns("__pycache__"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "STREAMDUCK_"))}
    port = free_port()
    process = subprocess.Popen(
        [STREAMDUCK_BIN, "airflow", "--port", str(port)],
        cwd=project,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
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
        yield {"url": url, "user": user, "password": password, "home": project / "airflow_home"}
    finally:
        process.send_signal(signal.SIGTERM)  # streamduck airflow stops Airflow and the broker itself
        try:
            process.wait(90)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
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


def _wait_for_manual_run(ui: dict, timeout_s: float = 240) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        runs = _api(ui, "/api/v2/dags/streamduck_load/dagRuns?run_type=manual")["dag_runs"]
        finished = [r for r in runs if r["state"] in ("success", "failed")]
        if finished:
            return finished[0]
        time.sleep(2)
    raise AssertionError("the triggered streamduck_load run did not finish")


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

        run = _wait_for_manual_run(airflow_ui)
        assert run["state"] == "success", run
        browser.get(f"{airflow_ui['url']}/dags/streamduck_load/runs/{run['dag_run_id']}")
        wait.until(ec.presence_of_element_located((By.XPATH, "//*[normalize-space()='load_fake_people']")))
        wait.until(ec.presence_of_element_located((By.XPATH, "//*[normalize-space()='Success']")))
        screenshot = Path(os.environ.get("STREAMDUCK_SCREENSHOT_DIR", tmp_path)) / "airflow_load_run.png"
        assert browser.save_screenshot(str(screenshot))
        assert screenshot.stat().st_size > 10_000
    finally:
        browser.quit()
