"""billing.usage and list_prices agree with the warehouse events, recomputed here independently."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from tests.demo.conftest import rows

HOUR = 3_600_000
# Published DBU/hour per cluster (reference/system-tables.md), written out again on purpose.
DBU = {"2X_SMALL": 4, "X_SMALL": 6, "SMALL": 12, "MEDIUM": 24, "LARGE": 40, "X_LARGE": 80, "2X_LARGE": 144,
       "3X_LARGE": 272, "4X_LARGE": 528}
ORDER = {"STARTING": 0, "RUNNING": 1, "SCALED_UP": 2, "SCALED_DOWN": 2, "STOPPING": 3, "STOPPED": 4}


def _expected_dbu(db) -> dict[tuple[str, int], float]:
    """Σ over up time (STARTING..STOPPED) of hours × cluster_count × DBU/h of the size valid at that moment."""
    sizes = defaultdict(list)
    for wh, change, size in rows(db, "SELECT warehouse_id, epoch_ms(change_time), warehouse_size FROM compute.warehouses"):
        sizes[wh].append((change, size))
    events = defaultdict(list)
    for wh, kind, count, t in rows(db, "SELECT warehouse_id, event_type, cluster_count, epoch_ms(event_time) "
                                       "FROM compute.warehouse_events"):
        events[wh].append((t, ORDER[kind], kind, count))
    out: dict[tuple[str, int], float] = defaultdict(float)
    for wh, evs in events.items():
        evs.sort()
        changes = sorted(sizes[wh])
        for (t, _, kind, count), (t_next, *_rest) in zip(evs, evs[1:]):
            if kind == "STOPPED" or t_next <= t:
                continue
            ms = t
            while ms < t_next:  # walk minute by minute boundaries: hour edges and size changes
                edge = min(t_next, (ms // HOUR + 1) * HOUR, *[c for c, _ in changes if ms < c])
                size = [s for c, s in changes if c <= ms][-1]
                out[(wh, ms // HOUR)] += (edge - ms) / HOUR * count * DBU[size]
                ms = edge
    return out


def _billed(db) -> dict[tuple[str, int], float]:
    billed = {}
    for wh, hour, q in rows(db, """
        SELECT usage_metadata.warehouse_id, epoch_ms(usage_start_time) // 3600000, sum(usage_quantity)
        FROM billing.usage WHERE usage_metadata.warehouse_id IS NOT NULL GROUP BY ALL
    """):
        billed[(wh, hour)] = float(q)
    return billed


def test_billed_dbus_per_warehouse_hour_match_the_events(db):
    expected, billed = _expected_dbu(db), _billed(db)
    assert set(billed) == {k for k, v in expected.items() if v > 0}
    for key, dbu in billed.items():
        assert abs(dbu - expected[key]) <= 0.001 * expected[key], key


def test_warehouse_rows_are_hourly_and_well_formed(db):
    assert rows(db, """
        SELECT count(*) FROM billing.usage
        WHERE usage_metadata.warehouse_id IS NOT NULL AND (
              epoch_ms(usage_start_time) % 3600000 <> 0 OR usage_end_time <> usage_start_time + INTERVAL 1 HOUR
           OR usage_date <> CAST(usage_start_time AS DATE) OR billing_origin_product <> 'SQL'
           OR usage_type <> 'COMPUTE_TIME' OR usage_unit <> 'DBU' OR workspace_id IS NULL)
    """) == [(0,)]
    skus = dict(rows(db, """
        SELECT DISTINCT w.warehouse_type, u.sku_name FROM billing.usage AS u
        JOIN (SELECT DISTINCT warehouse_id, warehouse_type FROM compute.warehouses) AS w
          ON w.warehouse_id = u.usage_metadata.warehouse_id
    """))
    assert skus == {"SERVERLESS": "PREMIUM_SERVERLESS_SQL_COMPUTE_US_EAST_N_VIRGINIA",
                    "PRO": "PREMIUM_SQL_PRO_COMPUTE_US_EAST_N_VIRGINIA",
                    "CLASSIC": "PREMIUM_SQL_COMPUTE_US_EAST_N_VIRGINIA"}
    serverless = rows(db, "SELECT DISTINCT sku_name, product_features.is_serverless FROM billing.usage "
                          "WHERE billing_origin_product = 'SQL'")
    assert all(flag == ("SERVERLESS" in sku) for sku, flag in serverless)


def test_usage_hours_cover_every_execution(db):
    billed = _billed(db)
    missing = []
    for wh, s, e in rows(db, """
        SELECT compute.warehouse_id, epoch_ms(end_time) - result_fetch_duration_ms - execution_duration_ms,
               epoch_ms(end_time) - result_fetch_duration_ms
        FROM query.history WHERE execution_duration_ms > 0
    """):
        for hour in range(s // HOUR, (e - 1) // HOUR + 1):
            if billed.get((wh, hour), 0) <= 0:
                missing.append((wh, hour))
    assert missing == []


def test_corrections_sum_to_the_true_quantity(db):
    groups = rows(db, """
        SELECT usage_metadata.warehouse_id, usage_start_time,
               list(record_type ORDER BY record_type), list(usage_quantity ORDER BY record_type)
        FROM billing.usage WHERE usage_metadata.warehouse_id IS NOT NULL
        GROUP BY ALL HAVING count(*) > 1
    """)
    assert groups, "some warehouse-hours are corrected"
    expected = _expected_dbu(db)
    for wh, start, kinds, quantities in groups:
        assert kinds == ["ORIGINAL", "RESTATEMENT", "RETRACTION"]
        original, restatement, retraction = quantities
        assert original + retraction == 0
        assert abs(original - restatement) > Decimal("0.05") * restatement  # the original was ~10% off
        hour = int(start.timestamp() * 1000) // HOUR
        assert abs(float(restatement) - expected[(wh, hour)]) <= 0.001 * expected[(wh, hour)]
    assert rows(db, "SELECT count(*) - count(DISTINCT record_id) FROM billing.usage") == [(0,)]


def test_every_usage_row_has_exactly_one_price(db):
    unmatched = rows(db, """
        SELECT u.record_id, count(p.sku_name) FROM billing.usage AS u
        LEFT JOIN billing.list_prices AS p
          ON u.cloud = p.cloud AND u.sku_name = p.sku_name AND u.usage_start_time >= p.price_start_time
         AND (u.usage_end_time <= p.price_end_time OR p.price_end_time IS NULL)
        GROUP BY u.record_id HAVING count(p.sku_name) <> 1
    """)
    assert unmatched == []
    assert rows(db, "SELECT DISTINCT cloud FROM billing.usage UNION SELECT DISTINCT cloud FROM billing.list_prices") \
        == [("AWS",)]


def test_a_sql_price_changes_inside_the_window_on_an_hour(db):
    window = rows(db, "SELECT min(start_time), max(start_time) FROM query.history")[0]
    changes = rows(db, """
        SELECT o.sku_name, o.pricing.default, n.pricing.default, n.price_start_time
        FROM billing.list_prices AS o JOIN billing.list_prices AS n
          ON n.sku_name = o.sku_name AND n.price_start_time = o.price_end_time
    """)
    assert changes
    for sku, old, new, at in changes:
        assert "SQL" in sku and old != new
        assert window[0] < at < window[1] and at.minute == at.second == 0
    prices = dict(rows(db, "SELECT sku_name, pricing.default FROM billing.list_prices WHERE price_end_time IS NULL"))
    assert prices["PREMIUM_SERVERLESS_SQL_COMPUTE_US_EAST_N_VIRGINIA"] == Decimal("0.70")
    assert prices["PREMIUM_SQL_COMPUTE_US_EAST_N_VIRGINIA"] == Decimal("0.22")
    assert rows(db, "SELECT DISTINCT currency_code, usage_unit FROM billing.list_prices") == [("USD", "DBU")]


def test_several_products_bill(db):
    products = {r[0] for r in rows(db, "SELECT DISTINCT billing_origin_product FROM billing.usage")}
    assert {"SQL", "JOBS", "ALL_PURPOSE", "DLT", "MODEL_SERVING", "PREDICTIVE_OPTIMIZATION"} <= products
    assert rows(db, "SELECT count(*) FROM billing.usage WHERE workspace_id IS NULL") == [(0,)]
    jobs = rows(db, """
        SELECT count(*) FROM billing.usage
        WHERE billing_origin_product = 'JOBS' AND (usage_metadata.job_id IS NULL OR usage_metadata.job_run_id IS NULL
              OR usage_metadata.cluster_id IS NULL OR identity_metadata.run_as IS NULL)
    """)
    assert jobs == [(0,)]
    # Job clusters billed are the clusters of job runs.
    assert rows(db, """
        SELECT count(*) FROM billing.usage AS u
        WHERE billing_origin_product = 'JOBS' AND NOT EXISTS (
          SELECT 1 FROM lakeflow.job_run_timeline AS r
          WHERE r.run_id = u.usage_metadata.job_run_id AND list_contains(r.compute_ids, u.usage_metadata.cluster_id))
    """) == [(0,)]
