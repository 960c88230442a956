"""billing.usage and billing.list_prices of the demo account, plus the non-warehouse compute that bills.

SQL warehouses bill what the warehouse events say: one ORIGINAL row per warehouse and clock hour in which it
was up (STARTING .. STOPPED), usage_quantity = Σ up hours × cluster_count × DBU/hour of the size at the time.
A few warehouse-hours are corrected: their ORIGINAL was about 10% off, a RETRACTION negates it and a RESTATEMENT
carries the true value. Jobs, all-purpose clusters, serverless notebooks, DLT, model serving and predictive
optimization bill by the hour (predictive optimization by the day) so that `cost --by product` has them all.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

from qopt.demo.topology import (
    ACCOUNT_ID, CLOUD, DAY_MS, DBU_PER_HOUR, HOUR_MS, NODE_DBU, Topology, Warehouse, stable_uuid,
)

SQL_PRICE_CHANGE_FRACTION = 0.5  # the PRO SQL price changes at this point of the window (midnight UTC)


@dataclass(frozen=True)
class Sku:
    name: str
    price: float
    new_price: float | None = None  # a price change inside the window


SKUS = (
    Sku("PREMIUM_SERVERLESS_SQL_COMPUTE_US_EAST_N_VIRGINIA", 0.70),
    Sku("PREMIUM_SQL_PRO_COMPUTE_US_EAST_N_VIRGINIA", 0.55, 0.60),
    Sku("PREMIUM_SQL_COMPUTE_US_EAST_N_VIRGINIA", 0.22),
    Sku("PREMIUM_JOBS_COMPUTE", 0.15),
    Sku("PREMIUM_JOBS_COMPUTE_(PHOTON)", 0.15),
    Sku("PREMIUM_ALL_PURPOSE_COMPUTE", 0.55),
    Sku("PREMIUM_ALL_PURPOSE_COMPUTE_(PHOTON)", 0.55),
    Sku("PREMIUM_ALL_PURPOSE_SERVERLESS_COMPUTE_US_EAST_N_VIRGINIA", 0.75),
    Sku("PREMIUM_DLT_CORE_COMPUTE", 0.20),
    Sku("PREMIUM_DLT_ADVANCED_COMPUTE", 0.36),
    Sku("PREMIUM_SERVERLESS_REAL_TIME_INFERENCE_US_EAST_N_VIRGINIA", 0.07),
    Sku("PREMIUM_JOBS_SERVERLESS_COMPUTE_US_EAST_N_VIRGINIA", 0.35),
)


def ts(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat()


def day(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).date().isoformat()


def price_change_ms(topo: Topology) -> int:
    days = max(1, (topo.end_ms - topo.start_ms) // DAY_MS)
    return topo.start_ms + max(1, int(days * SQL_PRICE_CHANGE_FRACTION)) * DAY_MS if days > 1 else topo.start_ms + 12 * HOUR_MS


def list_prices(topo: Topology) -> Iterator[dict]:
    since = topo.start_ms - 400 * DAY_MS
    change = price_change_ms(topo)
    for sku in SKUS:
        base = {"account_id": ACCOUNT_ID, "sku_name": sku.name, "cloud": CLOUD, "currency_code": "USD", "usage_unit": "DBU"}
        if sku.new_price is None:
            yield base | {"price_start_time": ts(since), "price_end_time": None, "pricing": _pricing(sku.price)}
        else:
            yield base | {"price_start_time": ts(since), "price_end_time": ts(change), "pricing": _pricing(sku.price)}
            yield base | {"price_start_time": ts(change), "price_end_time": None, "pricing": _pricing(sku.new_price)}


def _pricing(price: float) -> dict:
    p = f"{price:.2f}"
    return {"default": p, "promotional": {"default": p}, "effective_list": {"default": p}}


def warehouse_hourly_dbu(warehouse: Warehouse, events: list[tuple[int, str, int]]) -> dict[int, float]:
    """DBUs per epoch hour from a warehouse's events: up from STARTING to STOPPED, × clusters × DBU/h of the size."""
    out: dict[int, float] = {}
    changes = sorted({c.change_ms for c in warehouse.configs})
    up, clusters, prev = False, 0, None
    for t, kind, count in events:
        if up and prev is not None and t > prev:
            _accumulate(out, warehouse, changes, prev, t, clusters)
        if kind == "STARTING":
            up = True
        elif kind == "STOPPED":
            up = False
        clusters = count
        prev = t
    return out


def _accumulate(out: dict[int, float], wh: Warehouse, changes: list[int], a: int, b: int, clusters: int) -> None:
    cuts = sorted({a, b, *[c for c in changes if a < c < b], *range((a // HOUR_MS + 1) * HOUR_MS, b, HOUR_MS)})
    for s, e in zip(cuts, cuts[1:]):
        dbu = DBU_PER_HOUR[wh.config_at(s).size]
        out[s // HOUR_MS] = out.get(s // HOUR_MS, 0.0) + (e - s) / HOUR_MS * clusters * dbu


def usage_rows(topo: Topology, events: dict[int, list], job_clusters: list[dict], seed: int) -> Iterator[dict]:
    """Every billing.usage row: warehouses (with corrections), then the other products."""
    rnd = random.Random(f"{seed}:billing")
    n = 0

    def record() -> str:
        nonlocal n
        n += 1
        return stable_uuid(f"{seed}:usage:{n}")

    ws_id = {w.idx: w.id for w in topo.workspaces}
    # SQL warehouses.
    for wh in topo.warehouses:
        hours = warehouse_hourly_dbu(wh, events[wh.idx])
        keys = sorted(hours)
        corrected = set(rnd.sample(keys, min(len(keys), max(1, len(keys) // 100)))) if keys else set()
        features = {"sql_tier": "PREMIUM" if wh.type != "CLASSIC" else "CLASSIC", "is_serverless": wh.type == "SERVERLESS",
                    "is_photon": True}
        tags = {"team": topo.workspaces[wh.workspace].name, "warehouse": wh.name}
        for h in keys:
            true = hours[h]
            base = {
                "account_id": ACCOUNT_ID, "workspace_id": ws_id[wh.workspace], "sku_name": wh.sku, "cloud": CLOUD,
                "usage_start_time": ts(h * HOUR_MS), "usage_end_time": ts((h + 1) * HOUR_MS), "usage_date": day(h * HOUR_MS),
                "custom_tags": tags, "usage_unit": "DBU", "usage_metadata": {"warehouse_id": wh.id},
                "identity_metadata": {}, "billing_origin_product": "SQL", "product_features": features,
                "usage_type": "COMPUTE_TIME",
            }
            ingest = day(h * HOUR_MS + DAY_MS)
            if h in corrected:
                wrong = true * (0.9 if rnd.random() < 0.5 else 1.1)
                later = day(h * HOUR_MS + 5 * DAY_MS)
                yield base | {"record_id": record(), "usage_quantity": _q(wrong), "record_type": "ORIGINAL", "ingestion_date": ingest}
                yield base | {"record_id": record(), "usage_quantity": _q(-wrong), "record_type": "RETRACTION", "ingestion_date": later}
                yield base | {"record_id": record(), "usage_quantity": _q(true), "record_type": "RESTATEMENT", "ingestion_date": later}
            else:
                yield base | {"record_id": record(), "usage_quantity": _q(true), "record_type": "ORIGINAL", "ingestion_date": ingest}
    # Jobs on job clusters.
    for jc in job_clusters:
        dbu_h = (jc["workers"] + 1) * NODE_DBU[jc["node_type"]]
        for s, e in _hour_slices(jc["start_ms"], jc["end_ms"]):
            yield _row(record(), ws_id[jc["workspace"]], "PREMIUM_JOBS_COMPUTE_(PHOTON)" if jc["photon"] else "PREMIUM_JOBS_COMPUTE",
                       s, "JOBS", dbu_h * (e - s) / HOUR_MS,
                       {"cluster_id": jc["cluster_id"], "job_id": jc["job_id"], "job_run_id": jc["run_id"],
                        "node_type": jc["node_type"], "job_name": jc["job_name"]},
                       {"run_as": jc["run_as"]}, {"jobs_tier": "PREMIUM", "is_serverless": False, "is_photon": jc["photon"]})
    days = (topo.end_ms - topo.start_ms) // DAY_MS
    for d in range(days):
        d0 = topo.start_ms + d * DAY_MS
        weekday = ((d0 // DAY_MS) + 3) % 7 < 5
        # All-purpose clusters: up in working hours on weekdays.
        for c in topo.clusters:
            if not weekday:
                continue
            owner = topo.users[c.owner].email
            for hour in range(8, 18):
                s = d0 + hour * HOUR_MS
                cfg = [x for x in c.configs if x.change_ms <= s][-1]
                used = 0.6 + 0.4 * rnd.random()
                yield _row(record(), ws_id[c.workspace],
                           "PREMIUM_ALL_PURPOSE_COMPUTE_(PHOTON)" if c.photon else "PREMIUM_ALL_PURPOSE_COMPUTE", s,
                           "ALL_PURPOSE", (cfg.workers + 1) * NODE_DBU[c.node_type] * used,
                           {"cluster_id": c.id, "node_type": c.node_type}, {"owned_by": owner},
                           {"is_serverless": False, "is_photon": c.photon})
        # Serverless notebooks (INTERACTIVE) of a few data scientists.
        for u in topo.users:
            if u.role != "scientist" or not weekday or rnd.random() < 0.3:
                continue
            for hour in sorted(rnd.sample(range(9, 18), 3)):
                yield _row(record(), ws_id[u.workspace], "PREMIUM_ALL_PURPOSE_SERVERLESS_COMPUTE_US_EAST_N_VIRGINIA",
                           d0 + hour * HOUR_MS, "INTERACTIVE", 1.5 + 3 * rnd.random(),
                           {"notebook_id": stable_uuid(f"nb:{u.email}")[:16].replace("-", "0"),
                            "notebook_path": f"/Users/{u.email}/exploration"},
                           {"run_as": u.email}, {"is_serverless": True, "is_photon": True})
        # DLT pipelines.
        for p in topo.pipelines:
            sku = f"PREMIUM_DLT_{p.tier}_COMPUTE" if p.tier in ("CORE", "ADVANCED") else "PREMIUM_DLT_CORE_COMPUTE"
            hours = range(24) if p.continuous else (1,)
            for hour in hours:
                update = stable_uuid(f"{p.id}:{d}:{0 if p.continuous else hour}")
                yield _row(record(), ws_id[p.workspace], sku, d0 + hour * HOUR_MS, "DLT",
                           p.dbu_per_hour * (0.8 + 0.4 * rnd.random()),
                           {"dlt_pipeline_id": p.id, "dlt_update_id": update}, {"run_as": topo.users[p.owner].email},
                           {"dlt_tier": p.tier, "is_serverless": False, "is_photon": True})
        # Model serving endpoints: always on, busier in the day.
        for ep in topo.endpoints:
            for hour in range(24):
                load = 1.0 if 7 <= hour <= 20 else 0.4
                yield _row(record(), ws_id[ep.workspace], "PREMIUM_SERVERLESS_REAL_TIME_INFERENCE_US_EAST_N_VIRGINIA",
                           d0 + hour * HOUR_MS, "MODEL_SERVING", ep.dbu_per_hour * load * (0.8 + 0.4 * rnd.random()),
                           {"endpoint_name": ep.name, "endpoint_id": ep.id}, {"run_as": topo.users[ep.owner].email},
                           {"serving_type": "MODEL", "is_serverless": True, "is_photon": False})
        # Predictive optimization: one daily row per workspace.
        for ws in topo.workspaces:
            yield _row(record(), ws.id, "PREMIUM_JOBS_SERVERLESS_COMPUTE_US_EAST_N_VIRGINIA", d0, "PREDICTIVE_OPTIMIZATION",
                       0.5 + 2.5 * rnd.random(), {}, {}, {"is_serverless": True, "is_photon": True}, span_ms=DAY_MS)


def _row(record_id: str, workspace_id: str, sku: str, start_ms: int, product: str, quantity: float, metadata: dict,
         identity: dict, features: dict, *, span_ms: int = HOUR_MS) -> dict:
    hour = start_ms - start_ms % HOUR_MS
    return {
        "record_id": record_id, "account_id": ACCOUNT_ID, "workspace_id": workspace_id, "sku_name": sku, "cloud": CLOUD,
        "usage_start_time": ts(hour), "usage_end_time": ts(hour + span_ms), "usage_date": day(hour),
        "custom_tags": {}, "usage_unit": "DBU", "usage_quantity": _q(quantity), "usage_metadata": metadata,
        "identity_metadata": identity, "record_type": "ORIGINAL", "ingestion_date": day(hour + DAY_MS),
        "billing_origin_product": product, "product_features": features, "usage_type": "COMPUTE_TIME",
    }


def _hour_slices(start_ms: int, end_ms: int) -> Iterator[tuple[int, int]]:
    s = start_ms
    while s < end_ms:
        e = min(end_ms, (s // HOUR_MS + 1) * HOUR_MS)
        yield s, e
        s = e


def _q(x: float) -> str:
    return f"{x:.12f}"
