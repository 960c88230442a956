"""The command-line contract of DESIGN.md, through the installed `qopt` script in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

QOPT = Path(sys.executable).with_name("qopt")


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """A data directory holding a small demo warehouse that ends today (as `make demo` makes it)."""
    data = tmp_path_factory.mktemp("cli-data")
    environment = {**os.environ, "QOPT_DATA_DIR": str(data)}
    environment.pop("QOPT_DUCKDB_PATH", None)
    done = subprocess.run([str(QOPT), "demo-data", "--days", "10", "--queries", "2000", "--seed", "3"],
                          env=environment, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (data / "warehouse.duckdb").is_file()
    return environment


def qopt(env, *args, stdin=None):
    return subprocess.run([str(QOPT), *args], env=env, capture_output=True, text=True, input=stdin, timeout=120)


def test_run_json_is_the_reply_contract(env):
    done = qopt(env, "run", "top --days 7 --limit 5", "--format", "json")
    assert done.returncode == 0, done.stderr
    reply = json.loads(done.stdout)  # exactly one JSON document on stdout
    assert set(reply) >= {"text", "blocks"}
    tables = [b for b in reply["blocks"] if b["type"] == "table"]
    assert tables, reply
    columns, rows = tables[0]["columns"], tables[0]["rows"]
    assert {"fingerprint", "runs", "cost_usd"} <= set(columns)
    cost = [r[columns.index("cost_usd")] for r in rows]
    assert 1 <= len(rows) <= 5 and cost == sorted(cost, reverse=True)
    assert all(isinstance(c, (int, float)) for c in cost)
    assert all(isinstance(r[columns.index("runs")], int) for r in rows)


def test_run_text_and_other_formats(env):
    text = qopt(env, "run", "cost --by workspace")
    assert text.returncode == 0 and "cost_usd" in text.stdout
    for form in ("slack", "teams"):
        done = qopt(env, "run", "help", "--format", form)
        assert done.returncode == 0, done.stderr
        assert isinstance(json.loads(done.stdout), dict)


def test_run_bad_input_exits_2_with_one_line(env):
    done = qopt(env, "run", "top --days seven")
    assert done.returncode == 2
    assert "needs a number" in done.stdout
    assert len(done.stderr.strip().splitlines()) == 1


def test_unknown_statement_is_a_friendly_refusal(env):
    done = qopt(env, "run", "query 00000000-0000-0000-0000-000000000000", "--format", "json")
    assert done.returncode == 2
    assert "No statement" in json.loads(done.stdout)["text"]


def test_shell_reads_one_message_a_line_from_a_pipe(env):
    done = qopt(env, "shell", stdin="help\ntop --limit 2\n\nnope\n")
    assert done.returncode == 0, done.stderr
    assert "qopt — commands" in done.stdout
    assert "Top recurring queries" in done.stdout
    assert "I don't know the command `nope`" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_sql_json(env):
    done = qopt(env, "sql", "SELECT count(*) AS n FROM system.query.history", "--format", "json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["columns"] == ["n"] and isinstance(result["rows"][0][0], int) and result["rows"][0][0] > 1000


def test_missing_warehouse_says_how_to_create_it(tmp_path):
    environment = {**os.environ, "QOPT_DATA_DIR": str(tmp_path)}
    environment.pop("QOPT_DUCKDB_PATH", None)
    done = qopt(environment, "run", "top")
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "qopt demo-data" in done.stderr


def test_empty_warehouse_answers_plainly(tmp_path):
    environment = {**os.environ, "QOPT_DATA_DIR": str(tmp_path)}
    environment.pop("QOPT_DUCKDB_PATH", None)
    assert qopt(environment, "demo-data", "--days", "2", "--queries", "0").returncode == 0
    done = qopt(environment, "run", "top")
    assert done.returncode == 0 and "No recurring queries" in done.stdout


def test_bad_command_line_usage_exits_2(env):
    done = qopt(env, "run")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    done = qopt(env, "demo-data", "--end", "yesterday")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
