"""`qopt serve` as a process: says which platforms are off, answers /healthz, stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.request

import duckdb

from qopt.warehouse.schema import ddl


def test_serve_starts_reports_platforms_and_stops_on_sigterm(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    conn = duckdb.connect(str(warehouse))
    for statement in ddl():
        conn.execute(statement)
    conn.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "QOPT_", "DATABRICKS_"))}
    env.update(QOPT_DATA_DIR=str(tmp_path), QOPT_DUCKDB_PATH=str(warehouse), QOPT_SCHEDULER_ENABLED="false")
    server = subprocess.Popen([sys.executable, "-m", "qopt", "serve", "--port", "0"], env=env, cwd=tmp_path,
                              stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    try:
        assert server.stderr is not None
        for line in server.stderr:
            lines.append(line)
            if "serving on" in line:
                break
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)", lines[-1]).group(1))
        assert any(line.startswith("Slack: off (SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not set)") for line in lines)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30) as response:
            assert response.status == 200
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as response:
            assert b'qopt_http_requests_total{route="/healthz",method="GET",status="200"} 1' in response.read()
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_serve_refuses_a_bad_port(tmp_path):
    result = subprocess.run([sys.executable, "-m", "qopt", "serve", "--port", "70000"], capture_output=True, text=True,
                            env=dict(os.environ, QOPT_DATA_DIR=str(tmp_path)))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "--port" in result.stderr
