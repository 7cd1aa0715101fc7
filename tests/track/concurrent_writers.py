"""Many writers logging to one run at once lose and duplicate nothing.

Starts --processes processes (8 by default) that each log --points metric
points (10,000 by default) to the same run of the server at --url, mixing
log-batch requests with single log-metric requests, every process over one
keep-alive connection (as MLflow's client does with a requests.Session). Then
checks that metrics/get-history returns every point exactly once, whole and
paged, and that runs/get reports the latest point.

Each point is unique (its step is process * points + i), so an exact
duplicate that the server drops (MLflow ignores re-logged identical points)
cannot hide a lost one.

Output: "ok - ..." / "FAIL - ..." lines, "    # ..." details; exit 1 on a failure.
"""

import argparse
import multiprocessing
import os
import sys
import time
import traceback
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mlflow_client import MlflowClient, RestError, decode_double, metric_json  # noqa: E402

KEY = "loss"
BATCH = 900  # metrics per log-batch request
SINGLES = 100  # single log-metric requests after each batch


def expected_point(proc, i, points, base):
    """(step, timestamp, value) of point i of process proc."""
    return proc * points + i, base + i, proc + i / 100000.0


def writer(url, run_id, proc, points, base, queue):
    """Logs this process's points; reports (proc, connects, error or None)."""
    client = MlflowClient(url)
    error = None
    try:
        i = 0
        while i < points:
            chunk = []
            for _ in range(min(BATCH, points - i)):
                step, ts, value = expected_point(proc, i, points, base)
                chunk.append(metric_json(KEY, value, ts, step))
                i += 1
            client.log_batch(run_id, metrics=chunk)
            for _ in range(min(SINGLES, points - i)):
                step, ts, value = expected_point(proc, i, points, base)
                client.log_metric(run_id, KEY, value, ts, step)
                i += 1
    except Exception as e:  # reported by the parent as a failure
        error = f"{type(e).__name__}: {e}\n{traceback.format_exc()}"
    finally:
        queue.put((proc, client.conn.connects, error))
        client.close()


class Report:
    def __init__(self):
        self.failed = 0

    def check(self, desc, cond, *details):
        if cond:
            print(f"ok - {desc}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL - {desc}", flush=True)
            for d in details:
                for line in str(d).splitlines():
                    print(f"    # {line}", flush=True)
        return cond


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--points", type=int, default=10000)
    args = parser.parse_args()
    report = Report()
    procs, points = args.processes, args.points
    total = procs * points

    client = MlflowClient(args.url)
    try:
        eid = client.create_experiment(f"concurrent-{uuid.uuid4().hex[:8]}")
        run_id = client.create_run(eid, start_time=int(time.time() * 1000))["info"]["run_id"]
    except RestError as e:
        report.check("create the experiment and run to write to", False, str(e))
        sys.exit(1)
    base = int(time.time() * 1000) - 3600 * 1000

    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    workers = [
        ctx.Process(target=writer, args=(args.url, run_id, p, points, base, queue))
        for p in range(procs)
    ]
    started = time.monotonic()
    for w in workers:
        w.start()
    results = [queue.get(timeout=600) for _ in workers]
    for w in workers:
        w.join(timeout=60)
    elapsed = time.monotonic() - started
    print(f"# {procs} writers logged {total} points in {elapsed:.1f} s", flush=True)

    errors = [(p, err) for p, _, err in results if err]
    report.check(
        f"{procs} concurrent writers: every log-batch and log-metric request succeeded",
        not errors,
        *[f"writer {p}: {err}" for p, err in errors],
    )
    connects = {p: n for p, n, _ in results}
    report.check(
        "each writer used one keep-alive connection for all its requests",
        all(n == 1 for n in connects.values()),
        f"connections per writer: {connects}",
    )

    want = {}
    for p in range(procs):
        for i in range(points):
            step, ts, value = expected_point(p, i, points, base)
            want[step] = (ts, value)

    def compare(desc, metrics):
        steps = [int(m.get("step", 0)) for m in metrics]
        dupes = len(steps) - len(set(steps))
        missing = sorted(set(want) - set(steps))
        extra = sorted(set(steps) - set(want))
        wrong = [
            m
            for m in metrics
            if int(m.get("step", 0)) in want
            and (int(m["timestamp"]), decode_double(m["value"])) != want[int(m.get("step", 0))]
        ]
        report.check(
            desc,
            len(metrics) == total and not dupes and not missing and not extra and not wrong,
            f"got {len(metrics)} points, expected {total}",
            f"duplicated steps: {dupes}; missing: {len(missing)} (first {missing[:5]}); "
            f"unexpected: {len(extra)}; wrong timestamp/value: {len(wrong)} (first {wrong[:2]})",
        )

    try:
        history = client.get_metric_history(run_id, KEY).get("metrics", [])
        compare(f"get-history returns exactly the {total} points, none lost or duplicated", history)
        paged, token = [], None
        for _ in range(total // 25000 + 3):
            page = client.get_metric_history(run_id, KEY, max_results=25000, page_token=token)
            paged += page.get("metrics", [])
            token = page.get("next_page_token")
            if not token:
                break
        compare("get-history paged by 25000 returns the same points", paged)
        latest = {m["key"]: m for m in client.get_run(run_id).get("data", {}).get("metrics", [])}
        last_step = total - 1
        ts, value = want[last_step]
        got = latest.get(KEY, {})
        report.check(
            "runs/get reports the point with the highest step as the latest",
            (got.get("step"), got.get("timestamp"), decode_double(got.get("value", "NaN")))
            == (last_step, ts, value),
            f"expected step {last_step}, timestamp {ts}, value {value}",
            f"got {got}",
        )
    except RestError as e:
        report.check("read the run back", False, str(e))
    finally:
        client.close()
    sys.exit(1 if report.failed else 0)


if __name__ == "__main__":
    main()
