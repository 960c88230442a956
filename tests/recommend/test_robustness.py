"""No input makes the engine or the fingerprint raise (hypothesis over SQL-ish text)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qopt.recommend.engine import analyze
from qopt.recommend.fingerprint import fingerprint
from qopt.recommend.statement import split_statements

WORDS = st.sampled_from([
    "SELECT", "*", "FROM", "t", "u", "WHERE", "year(d)", "=", "2024", "'x;y'", "(", ")", ",", "JOIN", "ON", "OR",
    "NOT", "IN", "UNION", "ORDER", "BY", "rand()", "LIMIT", "1", "--c\n", "/*", "*/", ";", "LIKE", "'%a'", "`q`",
    "GROUP", "DISTINCT", "count(DISTINCT a)", "EXISTS", "CASE", "WHEN", "THEN", "END", "AND", "a.b", "\n",
])
SQLISH = st.lists(WORDS, max_size=30).map(" ".join)


@settings(max_examples=80, deadline=None)
@given(st.one_of(SQLISH, st.text(max_size=200)))
def test_never_raises(text: str) -> None:
    analysis = analyze(text)
    assert all(f.rule and f.severity in ("high", "medium", "low") for f in analysis.findings)
    fp = fingerprint(text)
    assert len(fp.id) == 16
    for piece in split_statements(text):
        assert text[piece.start : piece.start + len(piece.sql)] == piece.sql
