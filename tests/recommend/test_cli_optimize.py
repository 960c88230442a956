"""`qopt optimize`: the JSON contract, statements split on `;` with the tokenizer, usage errors exit 2."""

from __future__ import annotations

import io
import json

import pytest

from qopt.cli import main
from qopt.recommend.rules import BY_ID

KNOWN = set(BY_ID) | {"parse_error"}


def run(capsys, argv, stdin: str | None = None, monkeypatch=None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_json_is_a_list_of_findings_with_statement_index(tmp_path, capsys) -> None:
    script = tmp_path / "q.sql"
    script.write_text(
        "SELECT * FROM t WHERE year(d) = 2024;\n"
        "SELECT 'a;b' AS x FROM a JOIN b ON a.id = b.id ORDER BY x;\n"
        "-- a comment; still the same statement\n"
        "SELECT count(DISTINCT u) FROM t;\n"
        "SELEC oops\n"
    )
    code, out, _ = run(capsys, ["optimize", str(script), "--format", "json"])
    assert code == 0
    items = json.loads(out)
    assert isinstance(items, list) and items
    for item in items:
        assert {"statement", "rule", "severity", "message"} <= set(item)
        assert item["rule"] in KNOWN and item["severity"] in ("high", "medium", "low")
    pairs = {(i["statement"], i["rule"]) for i in items}
    assert pairs == {
        (0, "select_star"), (0, "non_sargable_predicate"), (1, "unbounded_order_by"), (2, "count_distinct"),
        (3, "parse_error"),
    }
    text = script.read_text()
    for item in items:
        if item["rule"] == "non_sargable_predicate":
            assert text[item["offset"] :].startswith("year(d) = 2024") and item["line"] == 1
        if item["rule"] == "count_distinct":
            assert item["line"] == 4 and text.splitlines()[3][item["col"] - 1 :].startswith("count(DISTINCT")
        if item["rule"] == "parse_error":
            assert item["line"] == 5 and item["col"] == 1


def test_stdin_dash_and_text_format(capsys, monkeypatch) -> None:
    code, out, _ = run(capsys, ["optimize", "-"], "SELECT a FROM t WHERE a NOT IN (SELECT b FROM u)", monkeypatch)
    assert code == 0
    assert "not_in_subquery" in out and "NOT EXISTS" in out


def test_clean_sql_gives_an_empty_list(capsys, monkeypatch) -> None:
    code, out, _ = run(capsys, ["optimize", "-", "--format", "json"], "SELECT a FROM t WHERE d >= '2024-01-01' LIMIT 5", monkeypatch)
    assert code == 0 and json.loads(out) == []


@pytest.mark.parametrize("stdin", ["", "   \n\t", ";;", "-- only a comment"])
def test_empty_input_is_a_usage_error(capsys, monkeypatch, stdin: str) -> None:
    code, out, err = run(capsys, ["optimize", "-", "--format", "json"], stdin, monkeypatch)
    assert code == 2 and out == ""
    assert "usage: qopt optimize" in err and len(err.strip().splitlines()) == 1


def test_missing_file_is_a_usage_error(capsys, tmp_path) -> None:
    code, _, err = run(capsys, ["optimize", str(tmp_path / "nope.sql")])
    assert code == 2 and "no such file" in err
