"""The engine: parse errors, positions, query parts of DML, script splitting, bounded work on huge input."""

from __future__ import annotations

from qopt.recommend.engine import MAX_PER_RULE, analyze, analyze_script
from qopt.recommend.statement import split_statements


def test_parse_error_is_a_finding_with_message_and_position() -> None:
    sql = "SELECT a\nFROM WHERE x = 1"
    (finding,) = analyze(sql).findings
    assert finding.rule == "parse_error"
    assert finding.line == 2 and finding.col == 6
    assert sql[finding.offset :].startswith("WHERE")
    assert "WHERE" in finding.message


def test_unterminated_string_is_a_parse_error_not_a_crash() -> None:
    (finding,) = analyze("SELECT 'oops FROM t").findings
    assert finding.rule == "parse_error"


def test_positions_point_at_the_fragment() -> None:
    sql = "SELECT id\nFROM orders\nWHERE year(order_date) = 2024"
    (finding,) = [f for f in analyze(sql).findings if f.rule == "non_sargable_predicate"]
    assert (finding.line, finding.col) == (3, 7)
    assert finding.fragment == "year(order_date) = 2024"
    assert sql[finding.offset :].startswith("year(order_date)")
    assert finding.column == "order_date"


def test_messages_say_what_why_and_what_to_do() -> None:
    for sql in ["SELECT * FROM t", "SELECT a FROM t WHERE date(ts) = '2024-01-01'", "SELECT a FROM x, y"]:
        for f in analyze(sql).findings:
            assert "Databricks" in f.message or "Spark" in f.message or "Delta" in f.message, f.rule
            assert len(f.message) > 80


def test_dml_is_analysed_on_its_query_part() -> None:
    merge = (
        "MERGE INTO t USING (SELECT * FROM s WHERE year(d) = 2024) u ON t.id = u.id "
        "WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *"
    )
    assert set(analyze(merge).rules) == {"select_star", "non_sargable_predicate"}
    assert analyze("INSERT INTO t SELECT a FROM s UNION SELECT a FROM r").rules == ["union_distinct"]
    assert analyze("CREATE TABLE t AS SELECT count(DISTINCT a) FROM s").rules == ["count_distinct"]
    assert analyze("INSERT INTO t VALUES (1, 2)").rules == []
    assert analyze("CREATE TABLE t (a INT)").rules == []
    assert analyze("UPDATE t SET a = 1 WHERE lower(b) = 'x'").rules == ["non_sargable_predicate"]


def test_split_statements_respects_strings_and_comments() -> None:
    text = "SELECT ';' AS a FROM t;\n-- a comment; with a semicolon\nSELECT 2;;  ; /* ; */ SELECT \"x;y\""
    pieces = split_statements(text)
    assert [p.sql for p in pieces] == ["SELECT ';' AS a FROM t", "-- a comment; with a semicolon\nSELECT 2", "/* ; */ SELECT \"x;y\""]
    assert [p.index for p in pieces] == [0, 1, 2]
    assert all(text[p.start : p.start + len(p.sql)] == p.sql for p in pieces)


def test_script_analyses_each_statement_on_its_own() -> None:
    result = analyze_script("SELECT * FROM t; SELEC oops; SELECT a FROM t ORDER BY a")
    found = [(i, f.rule) for i, f in result.findings()]
    assert (0, "select_star") in found and (1, "parse_error") in found and (2, "unbounded_order_by") in found


def test_unterminated_string_in_a_script_stays_one_piece() -> None:
    pieces = split_statements("SELECT 1; SELECT 'abc; FROM t")
    assert [p.sql for p in pieces] == ["SELECT 1", "SELECT 'abc; FROM t"]


def test_one_megabyte_in_list_finishes() -> None:
    sql = "SELECT * FROM t WHERE id IN (" + ", ".join(f"'{i:0>40}'" for i in range(25_000)) + ")"
    assert len(sql) > 1_000_000
    analysis = analyze(sql)
    assert analysis.rules == ["select_star"]


def test_one_megabyte_union_chain_finishes_with_bounded_findings() -> None:
    pad = "x" * 900
    branch = "SELECT * FROM t{i} WHERE year(d) = {i} AND note <> '" + pad + "'"
    sql = " UNION ".join(branch.format(i=i) for i in range(1_100))
    assert len(sql) > 1_000_000
    analysis = analyze(sql)
    counts = {r: analysis.rules.count(r) for r in set(analysis.rules)}
    assert counts["union_distinct"] == 1
    assert counts["select_star"] == MAX_PER_RULE and counts["non_sargable_predicate"] == MAX_PER_RULE
    assert all(f.rewrite is None for f in analysis.findings)  # no rewrites of a megabyte statement
    assert any("more like this" in f.message for f in analysis.findings if f.rule == "select_star")


def test_deeply_nested_input_is_a_finding_not_a_crash() -> None:
    sql = "SELECT " + "(" * 5000 + "1" + ")" * 5000
    findings = analyze(sql).findings
    assert all(f.rule in ("parse_error",) for f in findings)


def test_a_with_clause_before_insert_is_part_of_the_query() -> None:
    assert analyze("WITH c AS (SELECT a FROM t) INSERT INTO x SELECT * FROM c").rules == []
    assert analyze("WITH c AS (SELECT * FROM t ORDER BY a) INSERT INTO x SELECT a FROM c").rules == [
        "select_star", "order_by_in_subquery"
    ]
