"""End-to-end check of a tracking server against MLflow's REST API.

Drives every endpoint of the tracking service, the model registry, the
mlflow-artifacts proxy, /health, /version and the /ajax-api/2.0 aliases over
real HTTP (mlflow_client.py sends what MLflow's client sends), and checks the
answers against what MLflow documents and what its SQL store does
(mlflow/server/handlers.py, mlflow/store/tracking/sqlalchemy_store.py,
mlflow/store/model_registry/sqlalchemy_store.py, mlflow/utils/search_utils.py).
The expectations are MLflow's, never the server's own answers.

Usage:
  rest_suite.py --url http://127.0.0.1:PORT --artifacts-dir DIR --workdir DIR
                [--auth-url URL --auth-token TOKEN --limit-bytes N]

The server at --url serves artifacts from --artifacts-dir (its
--artifacts-destination) and needs no token. The optional second server at
--auth-url requires `Authorization: Bearer TOKEN` and refuses request bodies
above N bytes.

Output: one "ok - ..." or "FAIL - ..." line per check, details of a failure on
"    # ..." lines (the request, what MLflow does, what came back). Exit 1 if
any check failed.
"""

import argparse
import base64
import json
import math
import os
import random
import re
import sys
import time
import traceback
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mlflow_client import (  # noqa: E402
    AJAX_API,
    MlflowClient,
    RestError,
    decode_double,
    metric_json,
    proxied_path,
)

DAY_MS = 24 * 3600 * 1000


def now_ms():
    return int(time.time() * 1000)


class SectionAbort(Exception):
    """A step a section depends on failed (already reported)."""


class Checks:
    """Counts and prints checks; failures carry the last request and answer."""

    def __init__(self, client):
        self.client = client
        self.passed = 0
        self.failed = 0

    def ok(self, desc):
        self.passed += 1
        print(f"ok - {desc}", flush=True)

    def fail(self, desc, *details):
        self.failed += 1
        print(f"FAIL - {desc}", flush=True)
        for d in details:
            for line in str(d).splitlines() or [""]:
                print(f"    # {line}", flush=True)

    def check(self, desc, cond, *details):
        if cond:
            self.ok(desc)
        else:
            self.fail(desc, *details, f"last request: {self.client.last}")
        return bool(cond)

    def eq(self, desc, expected, actual):
        return self.check(
            desc, expected == actual, f"expected: {expected!r}", f"got:      {actual!r}"
        )

    def must(self, desc, fn, *args, **kwargs):
        """Runs a call the rest of the section needs; a failure stops the section."""
        try:
            value = fn(*args, **kwargs)
        except RestError as e:
            self.fail(
                desc, f"request: {e.request}", f"got HTTP {e.status} {e.error_code}: {e.message}"
            )
            raise SectionAbort() from e
        self.ok(desc)
        return value

    def call(self, desc, fn, *args, **kwargs):
        """Runs a call expected to succeed; returns None (after reporting) if not."""
        try:
            value = fn(*args, **kwargs)
        except RestError as e:
            self.fail(
                desc, f"request: {e.request}", f"got HTTP {e.status} {e.error_code}: {e.message}"
            )
            return None
        self.ok(desc)
        return value

    def error(self, desc, status, code, fn, /, *args, message_re=None, **kwargs):
        """Expects the call to fail with HTTP `status` and `code` (None = any)."""
        try:
            fn(*args, **kwargs)
        except RestError as e:
            good = e.status == status and (code is None or e.error_code == code)
            if good and message_re and not re.search(message_re, e.message or ""):
                self.fail(
                    desc,
                    f"request: {e.request}",
                    f"message should match /{message_re}/",
                    f"got message: {e.message!r}",
                )
                return e
            want = f"HTTP {status}" + (f" {code}" if code else "")
            self.check(
                desc,
                good,
                f"request: {e.request}",
                f"expected: {want}",
                f"got:      HTTP {e.status} {e.error_code}: {e.message}",
            )
            return e
        want = f"HTTP {status}" + (f" {code}" if code else "")
        self.fail(
            desc, f"expected: {want}", "got:      HTTP 200", f"last request: {self.client.last}"
        )
        return None

    def status(self, desc, expected, resp):
        """A raw answer's status is `expected` (an int or a tuple of ints)."""
        allowed = expected if isinstance(expected, tuple) else (expected,)
        return self.check(
            desc,
            resp.status in allowed,
            f"expected HTTP {' or '.join(map(str, allowed))}",
            f"got HTTP {resp.status}: {resp.body[:300]!r}",
        )


# ---------------------------------------------------------------------------- helpers


def tags_of(entity):
    return {t["key"]: t.get("value", "") for t in entity.get("tags", [])}


def params_of(run):
    return {p["key"]: p.get("value", "") for p in run.get("data", {}).get("params", [])}


def run_tags(run):
    return {t["key"]: t.get("value", "") for t in run.get("data", {}).get("tags", [])}


def run_metrics(run):
    return {m["key"]: m for m in run.get("data", {}).get("metrics", [])}


def run_ids(answer):
    return [r["info"]["run_id"] for r in answer.get("runs", [])]


def walk_pages(fetch, items_key):
    """Follows next_page_token until a page comes without one; returns the
    pages (lists of items) and the tokens seen."""
    pages, tokens, token = [], [], None
    for _ in range(1000):
        answer = fetch(token)
        pages.append(answer.get(items_key, []))
        token = answer.get("next_page_token") or None
        if token is None:
            return pages, tokens
        tokens.append(token)
    raise AssertionError("more than 1000 pages")


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def history(client, run_id, key, **kwargs):
    return client.get_metric_history(run_id, key, **kwargs).get("metrics", [])


def points(metrics):
    """(step, timestamp, value) of each metric point; NaN compares as the string."""
    out = []
    for m in metrics:
        v = decode_double(m["value"])
        out.append((int(m.get("step", 0)), int(m["timestamp"]), "NaN" if math.isnan(v) else v))
    return out


def is_positive_infinity(value):
    """MLflow's SQL store keeps +inf as the largest double; JSON may carry
    either that or "Infinity"."""
    v = decode_double(value)
    return v == math.inf or v == 1.7976931348623157e308


def is_negative_infinity(value):
    v = decode_double(value)
    return v == -math.inf or v == -1.7976931348623157e308


# ---------------------------------------------------------------------------- sections


class Suite:
    def __init__(self, args):
        self.args = args
        self.client = MlflowClient(args.url)
        self.c = Checks(self.client)
        self.uid = uuid.uuid4().hex[:8]
        self.t0 = now_ms()

    def run(self):
        sections = [
            self.service_endpoints,
            self.experiments,
            self.experiment_search,
            self.runs,
            self.logging_rules,
            self.metric_history,
            self.latest_metric,
            self.bulk_interval,
            self.run_search,
            self.inputs_and_models,
            self.registry,
            self.registry_search,
            self.artifacts,
            self.path_traversal,
            self.ajax_aliases,
            self.auth_and_limits,
        ]
        for section in sections:
            print(f"# {section.__name__}", flush=True)
            try:
                section()
            except SectionAbort:
                self.c.fail(f"{section.__name__}: stopped after the failure above")
            except Exception as e:  # a crash of the suite itself, reported as a failure
                self.c.fail(
                    f"{section.__name__}: aborted by {type(e).__name__}: {e}",
                    traceback.format_exc(),
                    f"last request: {self.client.last}",
                )
        self.client.close()
        print(f"# {self.c.passed} passed, {self.c.failed} failed", flush=True)
        return self.c.failed == 0

    # ------------------------------------------------------------------ /health, /version, 404

    def service_endpoints(self):
        c, cl = self.c, self.client
        r = cl.raw("GET", "/health")
        c.status("GET /health answers 200", 200, r)
        c.eq("GET /health says OK, as MLflow's server", "OK", r.text.strip())
        r = cl.raw("GET", "/version")
        c.status("GET /version answers 200", 200, r)
        c.check("GET /version names a version", r.text.strip() != "", f"body: {r.body!r}")

        r = cl.raw("GET", "/api/2.0/mlflow/no-such-endpoint")
        c.status("unknown endpoint GET /api/2.0/mlflow/no-such-endpoint -> 404", 404, r)
        r = cl.raw(
            "POST",
            "/api/2.0/mlflow/runs/no-such-thing",
            b"{}",
            {"Content-Type": "application/json"},
        )
        c.status("unknown endpoint POST /api/2.0/mlflow/runs/no-such-thing -> 404", 404, r)
        r = cl.raw("GET", "/no/such/path")
        c.status("unknown path GET /no/such/path -> 404", 404, r)
        r = cl.raw("GET", "/api/2.0/mlflow/experiments/create?name=x")
        c.status("GET on a POST-only endpoint is refused (404/405)", (404, 405), r)

        exp = c.call("experiments/get 0: the Default experiment exists", cl.get_experiment, "0")
        if exp:
            c.eq("experiment 0 is named Default", "Default", exp.get("name"))
            c.eq("experiment 0 is active", "active", exp.get("lifecycle_stage"))

    # ------------------------------------------------------------------ experiments

    def experiments(self):
        c, cl, uid = self.c, self.client, self.uid
        name = f"suite-exp-{uid}"
        t0 = now_ms()
        eid = c.must(
            "experiments/create with tags",
            cl.create_experiment,
            name,
            tags={"team": "red", "owner": "ann"},
        )
        c.check(
            "experiment_id is a decimal string", isinstance(eid, str) and eid.isdigit(), repr(eid)
        )
        exp = c.must("experiments/get", cl.get_experiment, eid)
        c.eq("get: experiment_id", eid, exp.get("experiment_id"))
        c.eq("get: name", name, exp.get("name"))
        c.eq("get: lifecycle_stage", "active", exp.get("lifecycle_stage"))
        c.eq("get: tags", {"team": "red", "owner": "ann"}, tags_of(exp))
        c.eq(
            "get: artifact_location is mlflow-artifacts:/<id> (proxied artifacts)",
            f"mlflow-artifacts:/{eid}",
            exp.get("artifact_location"),
        )
        ct = exp.get("creation_time")
        c.check(
            "get: creation_time is the creation time in ms",
            isinstance(ct, int) and t0 - 60000 <= ct <= now_ms() + 60000,
            f"creation_time={ct!r}",
        )
        c.check(
            "get: last_update_time >= creation_time",
            isinstance(exp.get("last_update_time"), int) and exp["last_update_time"] >= (ct or 0),
            repr(exp),
        )

        loc = f"s3://suite-bucket/explicit-{uid}"
        eid2 = c.call(
            "experiments/create with artifact_location", cl.create_experiment, f"{name}-loc", loc
        )
        if eid2:
            got = cl.get_experiment(eid2)
            c.eq("explicit artifact_location is kept", loc, got.get("artifact_location"))

        byname = c.call("experiments/get-by-name", cl.get_experiment_by_name, name)
        if byname:
            c.eq("get-by-name finds the experiment", eid, byname.get("experiment_id"))
        c.error(
            "get-by-name of an unknown name -> 404 RESOURCE_DOES_NOT_EXIST",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.get_experiment_by_name,
            f"no-such-{uid}",
        )
        c.error(
            "get of an unknown id -> 404 RESOURCE_DOES_NOT_EXIST",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.get_experiment,
            "987654321",
        )
        c.error(
            "create with a taken name -> 400 RESOURCE_ALREADY_EXISTS",
            400,
            "RESOURCE_ALREADY_EXISTS",
            cl.create_experiment,
            name,
        )
        c.error(
            "create with an empty name -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.create_experiment,
            "",
        )
        c.error(
            "create without a name -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.call,
            "POST",
            "/mlflow/experiments/create",
            {},
        )

        # rename
        new_name = f"{name}-renamed"
        c.call("experiments/update renames", cl.rename_experiment, eid, new_name)
        c.eq("renamed experiment has the new name", new_name, cl.get_experiment(eid).get("name"))
        c.error(
            "old name no longer found -> 404",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.get_experiment_by_name,
            name,
        )
        if eid2:
            c.error(
                "rename onto a taken name -> 400",
                400,
                None,
                cl.rename_experiment,
                eid,
                f"{name}-loc",
            )
            c.eq("a refused rename leaves the name", new_name, cl.get_experiment(eid).get("name"))
        c.error(
            "rename of an unknown experiment -> 404",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.rename_experiment,
            "987654321",
            "x",
        )

        # tags
        c.call("set-experiment-tag adds a tag", cl.set_experiment_tag, eid, "stage", "dev")
        c.call("set-experiment-tag overwrites a tag", cl.set_experiment_tag, eid, "team", "blue")
        c.eq(
            "tags after set-experiment-tag",
            {"team": "blue", "owner": "ann", "stage": "dev"},
            tags_of(cl.get_experiment(eid)),
        )
        c.call("delete-experiment-tag", cl.delete_experiment_tag, eid, "owner")
        c.eq("tag deleted", {"team": "blue", "stage": "dev"}, tags_of(cl.get_experiment(eid)))
        c.error(
            "delete-experiment-tag of a missing key -> 404 RESOURCE_DOES_NOT_EXIST",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.delete_experiment_tag,
            eid,
            "owner",
        )
        c.error(
            "set-experiment-tag on an unknown experiment -> 404",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.set_experiment_tag,
            "987654321",
            "k",
            "v",
        )

        # delete / restore, with the experiment's runs
        run = c.must("runs/create in the experiment", cl.create_run, eid, start_time=now_ms())
        rid = run["info"]["run_id"]
        c.call("experiments/delete", cl.delete_experiment, eid)
        got = cl.get_experiment(eid)
        c.eq(
            "a deleted experiment is still returned by get, as deleted",
            "deleted",
            got.get("lifecycle_stage"),
        )
        c.eq(
            "deleting an experiment deletes its runs",
            "deleted",
            cl.get_run(rid)["info"].get("lifecycle_stage"),
        )
        c.error(
            "delete of a deleted experiment -> 404 RESOURCE_DOES_NOT_EXIST",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.delete_experiment,
            eid,
        )
        c.error(
            "rename of a deleted experiment -> INVALID_STATE (HTTP 500)",
            500,
            "INVALID_STATE",
            cl.rename_experiment,
            eid,
            f"{name}-x",
        )
        c.error(
            "set-experiment-tag on a deleted experiment -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.set_experiment_tag,
            eid,
            "k",
            "v",
        )
        c.error(
            "runs/create in a deleted experiment -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.create_run,
            eid,
        )
        c.call("experiments/restore", cl.restore_experiment, eid)
        c.eq(
            "restored experiment is active", "active", cl.get_experiment(eid).get("lifecycle_stage")
        )
        c.eq(
            "restoring an experiment restores its runs",
            "active",
            cl.get_run(rid)["info"].get("lifecycle_stage"),
        )
        c.error(
            "restore of an active experiment -> 404 RESOURCE_DOES_NOT_EXIST",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.restore_experiment,
            eid,
        )
        c.error(
            "delete of an unknown experiment -> 404",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.delete_experiment,
            "987654321",
        )

    def experiment_search(self):
        c, cl, uid = self.c, self.client, self.uid
        prefix = f"suite-srch-{uid}-"
        ids = {}
        for suffix, tags in (
            ("a", {"team": "red"}),
            ("b", {"team": "blue"}),
            ("c", {"team": "red"}),
        ):
            ids[suffix] = c.must(
                f"create experiment {suffix}", cl.create_experiment, prefix + suffix, tags=tags
            )
            time.sleep(0.01)  # distinct creation times: the default order is creation_time DESC
        name_of = {v: k for k, v in ids.items()}

        def names(answer):
            return [
                name_of.get(e["experiment_id"], e["name"]) for e in answer.get("experiments", [])
            ]

        mine = f"name LIKE '{prefix}%'"
        got = names(cl.search_experiments(filter=mine))
        c.eq("search (POST) name LIKE: all three, newest first", ["c", "b", "a"], got)
        got = names(cl.search_experiments(filter=mine, method="GET"))
        c.eq("search (GET, query string) gives the same", ["c", "b", "a"], got)
        got = names(cl.search_experiments(filter=f"tags.team = 'red' AND {mine}"))
        c.eq("search tags.team = 'red' AND name LIKE", ["c", "a"], got)
        got = names(cl.search_experiments(filter=f"name ILIKE '{prefix.upper()}B'"))
        c.eq("search name ILIKE is case-insensitive", ["b"], got)
        got = names(cl.search_experiments(filter=f"name LIKE '{prefix.upper()}%'"))
        c.eq("search name LIKE is case-sensitive", [], got)
        got = names(cl.search_experiments(filter=f"name = '{prefix}b'"))
        c.eq("search name =", ["b"], got)
        got = names(cl.search_experiments(filter=f"name != '{prefix}b' and {mine}"))
        c.eq("search name != ... and (lower-case and)", ["c", "a"], got)
        got = names(cl.search_experiments(filter=mine, order_by=["name DESC"]))
        c.eq("order_by name DESC", ["c", "b", "a"], got)
        got = names(cl.search_experiments(filter=mine, order_by=["name"]))
        c.eq("order_by name (ASC by default)", ["a", "b", "c"], got)
        got = names(cl.search_experiments(filter=mine, order_by=["experiment_id DESC"]))
        c.eq("order_by experiment_id DESC", ["c", "b", "a"], got)

        pages, tokens = walk_pages(
            lambda tok: cl.search_experiments(
                filter=mine, order_by=["name ASC"], max_results=1, page_token=tok
            ),
            "experiments",
        )
        c.eq(
            "max_results=1: three pages of one, in order",
            [["a"], ["b"], ["c"]],
            [[name_of.get(e["experiment_id"]) for e in p] for p in pages],
        )
        c.eq("max_results=1: a token after each page but the last", 2, len(tokens))
        first = cl.search_experiments(filter=mine, order_by=["name ASC"], max_results=2)
        c.check(
            "max_results=2: first page of two has a next_page_token",
            len(first.get("experiments", [])) == 2 and first.get("next_page_token"),
            repr(first),
        )
        if first.get("next_page_token"):
            second = cl.search_experiments(
                filter=mine,
                order_by=["name ASC"],
                max_results=2,
                page_token=first["next_page_token"],
            )
            c.eq("max_results=2: second page holds the rest", ["c"], names(second))
            c.check(
                "max_results=2: no token after the last page",
                not second.get("next_page_token"),
                repr(second),
            )
        c.error(
            "search with a malformed page_token -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.search_experiments,
            filter=mine,
            page_token="not a token!",
        )
        c.error(
            "search with a malformed filter -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.search_experiments,
            filter="name >> 'x'",
        )
        c.error(
            "search with max_results above 50000 -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.search_experiments,
            max_results=50001,
        )
        c.call(
            "search with max_results=1000 (servers must support it)",
            cl.search_experiments,
            max_results=1000,
        )

        cl.delete_experiment(ids["b"])
        c.eq(
            "view_type ACTIVE_ONLY hides deleted",
            ["c", "a"],
            names(cl.search_experiments(filter=mine)),
        )
        c.eq(
            "view_type DELETED_ONLY shows only deleted",
            ["b"],
            names(cl.search_experiments(filter=mine, view_type="DELETED_ONLY")),
        )
        c.eq(
            "view_type ALL shows both",
            ["c", "b", "a"],
            names(cl.search_experiments(filter=mine, view_type="ALL")),
        )

    # ------------------------------------------------------------------ runs

    def runs(self):
        c, cl, uid = self.c, self.client, self.uid
        eid = c.must("create experiment for runs", cl.create_experiment, f"suite-runs-{uid}")
        start = now_ms() - 5000
        run = c.must(
            "runs/create with name, user, start_time and tags",
            cl.create_run,
            eid,
            start_time=start,
            tags={"k": "v"},
            run_name="first",
            user_id="alice",
        )
        info = run.get("info", {})
        rid = info.get("run_id", "")
        c.check(
            "run_id is 32 lowercase hex digits", re.fullmatch(r"[0-9a-f]{32}", rid or ""), repr(rid)
        )
        c.eq("run.info.experiment_id", eid, info.get("experiment_id"))
        c.eq("run.info.status is RUNNING", "RUNNING", info.get("status"))
        c.eq("run.info.start_time", start, info.get("start_time"))
        c.eq("run.info.lifecycle_stage", "active", info.get("lifecycle_stage"))
        c.eq("run.info.run_name", "first", info.get("run_name"))
        c.eq("run.info.user_id", "alice", info.get("user_id"))
        c.check("run.info has no end_time yet", info.get("end_time") in (None, 0), repr(info))
        c.eq(
            "run.info.artifact_uri is <experiment location>/<run_id>/artifacts",
            f"mlflow-artifacts:/{eid}/{rid}/artifacts",
            info.get("artifact_uri"),
        )
        c.eq(
            "run tags: the given tag and mlflow.runName, as MLflow's store adds it",
            {"k": "v", "mlflow.runName": "first"},
            {k: v for k, v in run_tags(run).items() if k in ("k", "mlflow.runName")},
        )

        got = c.must("runs/get", cl.get_run, rid)
        c.eq("runs/get returns the created run", info, got.get("info"))

        unnamed = c.call("runs/create without a run_name", cl.create_run, eid)
        if unnamed:
            n = unnamed["info"].get("run_name", "")
            c.check("a run without a name gets a generated one", n != "", repr(unnamed["info"]))
            c.eq(
                "the generated name is also the mlflow.runName tag",
                n,
                run_tags(unnamed).get("mlflow.runName"),
            )
        c.error(
            "runs/create with run_name and a different mlflow.runName tag -> 400",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.create_run,
            eid,
            run_name="a",
            tags={"mlflow.runName": "b"},
        )
        c.error(
            "runs/create in an unknown experiment -> 404",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.create_run,
            "987654321",
        )

        end = now_ms()
        ri = c.call(
            "runs/update status FINISHED and end_time",
            cl.update_run,
            rid,
            status="FINISHED",
            end_time=end,
        )
        if ri:
            c.eq("update answers run_info with the status", "FINISHED", ri.get("status"))
            c.eq("update answers run_info with the end_time", end, ri.get("end_time"))
        got = cl.get_run(rid)["info"]
        c.eq("runs/get after update: status", "FINISHED", got.get("status"))
        c.eq("runs/get after update: end_time", end, got.get("end_time"))
        ri = c.call("runs/update run_name", cl.update_run, rid, run_name="renamed")
        if ri:
            c.eq("update run_name: run_info.run_name", "renamed", ri.get("run_name"))
        c.eq(
            "update run_name also sets the mlflow.runName tag",
            "renamed",
            run_tags(cl.get_run(rid)).get("mlflow.runName"),
        )
        c.call(
            "set-tag mlflow.runName renames the run", cl.set_tag, rid, "mlflow.runName", "via-tag"
        )
        c.eq(
            "run_name follows the mlflow.runName tag",
            "via-tag",
            cl.get_run(rid)["info"].get("run_name"),
        )

        ghost = "0" * 32
        c.error(
            "runs/get of an unknown run -> 404", 404, "RESOURCE_DOES_NOT_EXIST", cl.get_run, ghost
        )
        c.error(
            "runs/update of an unknown run -> 404",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.update_run,
            ghost,
            status="FINISHED",
        )
        c.error(
            "runs/delete of an unknown run -> 404",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.delete_run,
            ghost,
        )
        c.error(
            "runs/restore of an unknown run -> 404",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.restore_run,
            ghost,
        )

        c.call("runs/delete", cl.delete_run, rid)
        c.eq(
            "a deleted run is still returned, as deleted",
            "deleted",
            cl.get_run(rid)["info"].get("lifecycle_stage"),
        )
        c.error(
            "log-metric to a deleted run -> 400 INVALID_PARAMETER_VALUE (MLflow's _check_run_is_active)",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.log_metric,
            rid,
            "m",
            1.0,
            now_ms(),
        )
        c.error(
            "log-parameter to a deleted run -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.log_param,
            rid,
            "p",
            "1",
        )
        c.error(
            "runs/update of a deleted run -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.update_run,
            rid,
            status="FAILED",
        )
        c.call("runs/restore", cl.restore_run, rid)
        c.eq("restored run is active", "active", cl.get_run(rid)["info"].get("lifecycle_stage"))
        c.call("logging to a restored run works", cl.log_metric, rid, "m", 1.0, now_ms())

    # ------------------------------------------------------------------ logging rules

    def logging_rules(self):
        c, cl, uid = self.c, self.client, self.uid
        eid = c.must("create experiment for logging", cl.create_experiment, f"suite-log-{uid}")
        rid = c.must("create run for logging", cl.create_run, eid, start_time=now_ms())["info"][
            "run_id"
        ]
        ts = now_ms()

        # params
        c.call("log-parameter", cl.log_param, rid, "lr", "0.1")
        c.call("log-parameter again with the same value is allowed", cl.log_param, rid, "lr", "0.1")
        c.error(
            "log-parameter with a different value -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.log_param,
            rid,
            "lr",
            "0.2",
        )
        c.eq("the param keeps its first value", "0.1", params_of(cl.get_run(rid)).get("lr"))
        c.call("a 250-character param key is allowed", cl.log_param, rid, "k" * 250, "v")
        c.error(
            "a 251-character param key -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.log_param,
            rid,
            "k" * 251,
            "v",
        )
        c.call("a 6000-byte param value is allowed", cl.log_param, rid, "long", "x" * 6000)
        c.error(
            "a 6001-byte param value -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.log_param,
            rid,
            "toolong",
            "x" * 6001,
        )
        c.error(
            "log-parameter without key -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.call,
            "POST",
            "/mlflow/runs/log-parameter",
            {"run_id": rid, "value": "v"},
        )

        # metrics
        c.error(
            "log-metric without timestamp -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.call,
            "POST",
            "/mlflow/runs/log-metric",
            {"run_id": rid, "key": "m", "value": 1.0},
        )
        c.error(
            "log-metric with a non-numeric value -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.call,
            "POST",
            "/mlflow/runs/log-metric",
            {"run_id": rid, "key": "m", "value": "abc", "timestamp": ts},
        )
        c.error(
            "log-metric to an unknown run -> 404",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.log_metric,
            "0" * 32,
            "m",
            1.0,
            ts,
        )

        # NaN and infinities, by log-metric and log-batch
        c.call('log-metric NaN (sent as "NaN")', cl.log_metric, rid, "nan", float("nan"), ts, 0)
        c.call("log-metric +Infinity", cl.log_metric, rid, "inf", float("inf"), ts, 0)
        c.call("log-metric -Infinity", cl.log_metric, rid, "ninf", float("-inf"), ts, 0)
        c.call(
            "log-batch NaN and infinities",
            cl.log_batch,
            rid,
            metrics=[
                metric_json("bnan", float("nan"), ts, 1),
                metric_json("binf", float("inf"), ts, 1),
                metric_json("bninf", float("-inf"), ts, 1),
            ],
        )
        for key in ("nan", "bnan"):
            h = history(cl, rid, key)
            c.check(
                f"history of {key}: one point, value NaN",
                len(h) == 1 and math.isnan(decode_double(h[0]["value"])),
                repr(h),
            )
        for key in ("inf", "binf"):
            h = history(cl, rid, key)
            c.check(
                f"history of {key}: one point, value +infinity",
                len(h) == 1 and is_positive_infinity(h[0]["value"]),
                repr(h),
            )
        for key in ("ninf", "bninf"):
            h = history(cl, rid, key)
            c.check(
                f"history of {key}: one point, value -infinity",
                len(h) == 1 and is_negative_infinity(h[0]["value"]),
                repr(h),
            )
        latest = run_metrics(cl.get_run(rid))
        c.check(
            "runs/get carries the NaN metric as NaN",
            "nan" in latest and math.isnan(decode_double(latest["nan"]["value"])),
            repr(latest.get("nan")),
        )

        # log-batch limits and rules
        many = [metric_json("batch", float(i), ts + i, i) for i in range(1000)]
        c.call("log-batch of 1000 metrics is allowed", cl.log_batch, rid, metrics=many)
        c.eq("all 1000 batch metrics were written", 1000, len(history(cl, rid, "batch")))
        over = [metric_json("over", float(i), ts + i, i) for i in range(1001)]
        c.error(
            "log-batch of 1001 metrics -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.log_batch,
            rid,
            metrics=over,
        )
        c.eq("the refused batch wrote nothing", [], history(cl, rid, "over"))
        c.error(
            "log-batch of 101 params -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.log_batch,
            rid,
            params=[(f"p{i}", "v") for i in range(101)],
        )
        c.error(
            "log-batch of 101 tags -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.log_batch,
            rid,
            tags=[(f"t{i}", "v") for i in range(101)],
        )
        c.error(
            "log-batch of 950 metrics + 51 params (1001 entries) -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.log_batch,
            rid,
            metrics=[metric_json("mix", float(i), ts, i) for i in range(950)],
            params=[(f"mix{i}", "v") for i in range(51)],
        )
        c.call(
            "log-batch of 100 params and 100 tags is allowed",
            cl.log_batch,
            rid,
            params=[(f"bp{i}", str(i)) for i in range(100)],
            tags=[(f"bt{i}", str(i)) for i in range(100)],
        )
        run = cl.get_run(rid)
        c.check(
            "the 100 params and 100 tags were written",
            all(params_of(run).get(f"bp{i}") == str(i) for i in range(100))
            and all(run_tags(run).get(f"bt{i}") == str(i) for i in range(100)),
            f"params: {len(params_of(run))}, tags: {len(run_tags(run))}",
        )
        c.call(
            "log-batch: a tag given twice, the last value wins",
            cl.log_batch,
            rid,
            tags=[("color", "red"), ("color", "blue")],
        )
        c.eq(
            "tag color is the last value of the batch",
            "blue",
            run_tags(cl.get_run(rid)).get("color"),
        )
        c.call("log-batch overwrites an existing tag", cl.log_batch, rid, tags=[("color", "green")])
        c.eq("tag color overwritten", "green", run_tags(cl.get_run(rid)).get("color"))
        c.call(
            "log-batch with a param of the same value is allowed",
            cl.log_batch,
            rid,
            params=[("lr", "0.1")],
        )
        c.error(
            "log-batch changing a param -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.log_batch,
            rid,
            params=[("lr", "0.3")],
        )
        c.error(
            "log-batch with one param key twice -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.log_batch,
            rid,
            params=[("dup", "1"), ("dup", "2")],
        )
        big = {
            "run_id": rid,
            "params": [{"key": f"big{i}", "value": "x" * 6000} for i in range(100)],
            "tags": [{"key": f"bigtag{i}", "value": "y" * 5000} for i in range(100)],
        }
        c.check("the oversized batch is above 1 MB of JSON", len(json.dumps(big)) > 1048576, "")
        c.error(
            "log-batch above 1 MB of JSON -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.call,
            "POST",
            "/mlflow/runs/log-batch",
            big,
        )
        c.check("the oversized batch wrote nothing", "big0" not in params_of(cl.get_run(rid)), "")
        c.error(
            "log-batch to an unknown run -> 404",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.log_batch,
            "0" * 32,
            tags=[("a", "b")],
        )

        # set-tag / delete-tag
        c.call("set-tag", cl.set_tag, rid, "note", "first")
        c.call("set-tag overwrites", cl.set_tag, rid, "note", "second")
        c.eq("tag note", "second", run_tags(cl.get_run(rid)).get("note"))
        c.call("delete-tag", cl.delete_tag, rid, "note")
        c.check("tag note deleted", "note" not in run_tags(cl.get_run(rid)), "")
        c.error(
            "delete-tag of a missing key -> 404 RESOURCE_DOES_NOT_EXIST",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.delete_tag,
            rid,
            "note",
        )
        c.error(
            "set-tag on an unknown run -> 404",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.set_tag,
            "0" * 32,
            "a",
            "b",
        )

    # ------------------------------------------------------------------ metric history

    def metric_history(self):
        c, cl, uid = self.c, self.client, self.uid
        eid = c.must("create experiment for history", cl.create_experiment, f"suite-hist-{uid}")
        rid = c.must("create run for history", cl.create_run, eid, start_time=now_ms())["info"][
            "run_id"
        ]
        base = now_ms() - DAY_MS
        expected = [(i, base + i * 10, i * 0.5) for i in range(20)]
        c.call(
            "log-batch of 10 points",
            cl.log_batch,
            rid,
            metrics=[metric_json("loss", v, t, s) for s, t, v in expected[:10]],
        )
        for s, t, v in expected[10:]:
            cl.log_metric(rid, "loss", v, t, s)
        h = c.must("metrics/get-history", history, cl, rid, "loss")
        c.eq("get-history returns all 20 points in order", expected, points(h))
        c.check(
            "each point carries key, value, timestamp, step",
            all(set(m) >= {"key", "value", "timestamp", "step"} and m["key"] == "loss" for m in h),
            repr(h[:2]),
        )
        pages, tokens = walk_pages(
            lambda tok: cl.get_metric_history(rid, "loss", max_results=7, page_token=tok), "metrics"
        )
        c.eq("get-history max_results=7: pages of 7, 7, 6", [7, 7, 6], [len(p) for p in pages])
        c.eq(
            "get-history pages join to the whole history",
            expected,
            [p for page in pages for p in points(page)],
        )
        c.eq("get-history: a token after each page but the last", 2, len(tokens))
        c.eq("get-history of a key never logged is empty", [], history(cl, rid, "no-such-key"))
        c.error(
            "get-history with a malformed page_token -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.get_metric_history,
            rid,
            "loss",
            max_results=5,
            page_token="%%%",
        )

        # MLflow's SQL store orders history by (timestamp, step, value).
        t = base
        for s, ts, v in (
            (1, t + 300, 1.0),
            (3, t + 100, 3.0),
            (2, t + 200, 2.0),
            (3, t + 100, 0.5),
        ):
            cl.log_metric(rid, "order", v, ts, s)
        c.eq(
            "get-history orders points by timestamp, then step, then value (MLflow's SQL store)",
            [(3, t + 100, 0.5), (3, t + 100, 3.0), (2, t + 200, 2.0), (1, t + 300, 1.0)],
            points(history(cl, rid, "order")),
        )

        cl.log_metric(rid, "dup", 1.0, base, 4)
        cl.log_metric(rid, "dup", 1.0, base, 4)
        cl.log_batch(
            rid, metrics=[metric_json("dup", 1.0, base, 4), metric_json("dup", 2.0, base, 4)]
        )
        c.eq(
            "an exact duplicate point is kept once; another value at the same step/time is kept",
            [(4, base, 1.0), (4, base, 2.0)],
            points(history(cl, rid, "dup")),
        )

    def latest_metric(self):
        c, cl, uid = self.c, self.client, self.uid
        eid = c.must(
            "create experiment for latest metrics", cl.create_experiment, f"suite-latest-{uid}"
        )
        rid = c.must("create run for latest metrics", cl.create_run, eid, start_time=now_ms())[
            "info"
        ]["run_id"]
        seq = [(5, 100, 1.0), (3, 999, 9.0), (5, 100, 2.0), (5, 50, 100.0)]
        for s, t, v in seq:
            cl.log_metric(rid, "m", v, t, s)
        cl.log_batch(rid, metrics=[metric_json("mb", v, t, s) for s, t, v in seq])
        got = run_metrics(cl.get_run(rid))
        for key, how in (("m", "one log-metric each"), ("mb", "one log-batch")):
            m = got.get(key, {})
            c.eq(
                f"runs/get latest {key} ({how}) is the max by (step, timestamp, value), as MLflow's SQL store",
                (5, 100, 2.0),
                (
                    m.get("step"),
                    m.get("timestamp"),
                    decode_double(m["value"]) if "value" in m else None,
                ),
            )
        cl.log_metric(rid, "m", -1.0, 1, 6)
        m = run_metrics(cl.get_run(rid)).get("m", {})
        c.eq(
            "a higher step wins even with an older timestamp",
            (6, 1, -1.0),
            (m.get("step"), m.get("timestamp"), decode_double(m.get("value", "NaN"))),
        )
        ids = run_ids(cl.search_runs([eid], filter="metrics.mb = 2.0"))
        c.eq("search on a metric compares its latest value", [rid], ids)

    def bulk_interval(self):
        c, cl, uid = self.c, self.client, self.uid
        eid = c.must(
            "create experiment for bulk history", cl.create_experiment, f"suite-bulk-{uid}"
        )
        a = c.must("create run A", cl.create_run, eid, start_time=now_ms())["info"]["run_id"]
        b = c.must("create run B", cl.create_run, eid, start_time=now_ms())["info"]["run_id"]
        base = now_ms() - DAY_MS
        cl.log_batch(a, metrics=[metric_json("x", float(s), base + s, s) for s in range(10)])
        cl.log_batch(
            b, metrics=[metric_json("x", float(s), base + s, s) for s in list(range(5)) + [20]]
        )

        def by_run(answer):
            out = {}
            for m in answer.get("metrics", []):
                out.setdefault(m.get("run_id"), []).append(int(m.get("step", 0)))
            return out

        got = c.call(
            "get-history-bulk-interval of two runs",
            cl.get_metric_history_bulk_interval,
            [a, b],
            "x",
            max_results=100,
        )
        if got is not None:
            c.eq(
                "every point of both runs, tagged with run_id, by step",
                {a: list(range(10)), b: [0, 1, 2, 3, 4, 20]},
                by_run(got),
            )
            c.check(
                "bulk points carry key, value, timestamp, step, run_id",
                all(
                    set(m) >= {"key", "value", "timestamp", "run_id"}
                    for m in got.get("metrics", [])
                ),
                repr(got.get("metrics", [])[:2]),
            )
        got = c.call(
            "get-history-bulk-interval start_step=2 end_step=4",
            cl.get_metric_history_bulk_interval,
            [a, b],
            "x",
            start_step=2,
            end_step=4,
            max_results=100,
        )
        if got is not None:
            c.eq("only steps 2..4 of each run", {a: [2, 3, 4], b: [2, 3, 4]}, by_run(got))
        got = c.call(
            "get-history-bulk-interval max_results=3 samples steps",
            cl.get_metric_history_bulk_interval,
            [a],
            "x",
            max_results=3,
        )
        if got is not None:
            c.eq(
                "sampled steps are MLflow's: every (n/max_results)th step plus the first and last",
                {a: [0, 3, 6, 9]},
                by_run(got),
            )
        c.error(
            "start_step > end_step -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.get_metric_history_bulk_interval,
            [a],
            "x",
            start_step=5,
            end_step=2,
        )
        c.error(
            "start_step without end_step -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.get_metric_history_bulk_interval,
            [a],
            "x",
            start_step=5,
        )
        c.error(
            "max_results=0 -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.get_metric_history_bulk_interval,
            [a],
            "x",
            max_results=0,
        )
        c.error(
            "max_results=2501 -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.get_metric_history_bulk_interval,
            [a],
            "x",
            max_results=2501,
        )
        c.error(
            "no metric_key -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.call,
            "GET",
            "/mlflow/metrics/get-history-bulk-interval",
            {"run_ids": [a]},
        )

    # ------------------------------------------------------------------ run search

    def run_search(self):
        c, cl, uid = self.c, self.client, self.uid
        eid = c.must(
            "create experiment for run search", cl.create_experiment, f"suite-rsearch-{uid}"
        )
        T = now_ms() - DAY_MS
        specs = [
            # name, start offset, acc, params, tags, status
            ("alpha", 0, 0.5, {"model": "Linear"}, {"team": "red"}, "FINISHED"),
            ("beta", 1000, 0.9, {"model": "linear"}, {"team": "blue", "user-name": "bob"}, None),
            ("gamma", 2000, 0.7, {"model": "Tree", "lr rate": "0.1"}, {"team": "red"}, "FINISHED"),
            ("delta", 3000, None, {"model": "Linear"}, {}, None),
            ("epsilon", 4000, 0.9, {}, {}, None),
            ("zeta", 5000, float("nan"), {}, {}, None),
            ("eta", 6000, 0.1, {}, {}, None),
            ("theta", 4000, 0.9, {}, {}, None),
        ]
        r = {}
        for name, off, acc, params, tags, status in specs:
            run = c.must(
                f"create run {name}",
                cl.create_run,
                eid,
                start_time=T + off,
                run_name=name,
                tags=tags or None,
            )
            rid = run["info"]["run_id"]
            r[name] = rid
            metrics = [] if acc is None else [metric_json("acc", acc, T + off, 0)]
            if metrics or params:
                cl.log_batch(rid, metrics=metrics, params=params)
            if status:
                cl.update_run(rid, status=status, end_time=T + off + 10)
        name_of = {v: k for k, v in r.items()}
        tie = sorted(["epsilon", "theta"], key=lambda n: r[n])  # same start_time: run_id ASC

        def search(filter=None, order_by=None, **kw):
            return [
                name_of.get(i, i)
                for i in run_ids(cl.search_runs([eid], filter=filter, order_by=order_by, **kw))
            ]

        def same_set(desc, expected, filter):
            try:
                got = search(filter)
            except RestError as e:
                c.fail(
                    desc, f"filter: {filter}", f"got HTTP {e.status} {e.error_code}: {e.message}"
                )
                return
            c.check(
                desc,
                sorted(got) == sorted(expected),
                f"filter: {filter}",
                f"expected: {sorted(expected)}",
                f"got:      {sorted(got)}",
            )

        c.eq(
            "default order: start_time DESC, then run_id",
            ["eta", "zeta"] + tie + ["delta", "gamma", "beta", "alpha"],
            search(),
        )
        c.eq(
            "order_by metrics.acc DESC: ties by start_time DESC then run_id; NaN, then missing, last",
            tie + ["beta", "gamma", "alpha", "eta", "zeta", "delta"],
            search(order_by=["metrics.acc DESC"]),
        )
        c.eq(
            "order_by metrics.acc ASC: NaN, then missing, still last",
            ["eta", "alpha", "gamma"] + tie + ["beta", "zeta", "delta"],
            search(order_by=["metrics.acc ASC"]),
        )
        c.eq(
            "order_by metrics.acc (ASC by default)",
            ["eta", "alpha", "gamma"] + tie + ["beta", "zeta", "delta"],
            search(order_by=["metrics.acc"]),
        )
        c.eq(
            "order_by attributes.start_time ASC: tie by run_id",
            ["alpha", "beta", "gamma", "delta"] + tie + ["zeta", "eta"],
            search(order_by=["attributes.start_time ASC"]),
        )
        c.eq(
            "order_by params.model ASC (byte order), runs without it last",
            ["delta", "alpha", "gamma", "beta", "eta", "zeta"] + tie,
            search(order_by=["params.model ASC"]),
        )

        same_set(
            "filter metrics.acc > 0.6", ["beta", "gamma", "epsilon", "theta"], "metrics.acc > 0.6"
        )
        same_set("filter metrics.acc = 0.9", ["beta", "epsilon", "theta"], "metrics.acc = 0.9")
        same_set(
            "filter metrics.acc != 0.9: NaN matches (MLflow), runs without acc never do",
            ["alpha", "gamma", "eta", "zeta"],
            "metrics.acc != 0.9",
        )
        same_set(
            "filter 0.5 <= metrics.acc <= 0.8",
            ["alpha", "gamma"],
            "metrics.acc >= 0.5 AND metrics.acc <= 0.8",
        )
        same_set("filter metric.acc (singular prefix)", ["alpha"], "metric.acc = 0.5")
        same_set("filter params.model = 'Linear'", ["alpha", "delta"], "params.model = 'Linear'")
        same_set(
            'filter params.model = "Linear" (double quotes)',
            ["alpha", "delta"],
            'params.model = "Linear"',
        )
        same_set(
            "filter params.model LIKE 'Lin%' is case-sensitive",
            ["alpha", "delta"],
            "params.model LIKE 'Lin%'",
        )
        same_set(
            "filter params.model ILIKE 'lin%'",
            ["alpha", "beta", "delta"],
            "params.model ILIKE 'lin%'",
        )
        same_set("filter params.model LIKE '%ree'", ["gamma"], "params.model LIKE '%ree'")
        same_set(
            "filter params.model LIKE 'T_ee' (_ is one character)",
            ["gamma"],
            "params.model LIKE 'T_ee'",
        )
        same_set("filter params.model LIKE 'Tre' is anchored", [], "params.model LIKE 'Tre'")
        same_set(
            "filter params.model != 'Linear' (runs without the param never match)",
            ["beta", "gamma"],
            "params.model != 'Linear'",
        )
        same_set("filter param.model (singular prefix)", ["gamma"], "param.model = 'Tree'")
        same_set(
            "filter params.`lr rate` (backtick-quoted key)", ["gamma"], "params.`lr rate` = '0.1'"
        )
        same_set("filter tags.team = 'red'", ["alpha", "gamma"], "tags.team = 'red'")
        same_set(
            'filter tags."user-name" (double-quoted key)', ["beta"], "tags.\"user-name\" = 'bob'"
        )
        same_set(
            "filter tag.`user-name` (backticks, singular prefix)",
            ["beta"],
            "tag.`user-name` = 'bob'",
        )
        same_set(
            "filter attributes.status = 'FINISHED'",
            ["alpha", "gamma"],
            "attributes.status = 'FINISHED'",
        )
        same_set(
            "filter status without prefix is an attribute",
            ["alpha", "gamma"],
            "status = 'FINISHED'",
        )
        same_set(
            "filter attr.status != 'FINISHED'",
            ["beta", "delta", "epsilon", "zeta", "eta", "theta"],
            "attr.status != 'FINISHED'",
        )
        same_set("filter attributes.run_name = 'gamma'", ["gamma"], "attributes.run_name = 'gamma'")
        same_set("filter run_name LIKE 'e%'", ["epsilon", "eta"], "run_name LIKE 'e%'")
        same_set("filter run_name ILIKE 'E%'", ["epsilon", "eta"], "run_name ILIKE 'E%'")
        same_set(
            "filter attributes.run_id IN (...)",
            ["beta", "gamma"],
            f"attributes.run_id IN ('{r['beta']}', '{r['gamma']}')",
        )
        same_set(
            "filter run_id NOT IN (...)",
            ["alpha", "delta", "epsilon", "zeta", "eta", "theta"],
            f"run_id NOT IN ('{r['beta']}', '{r['gamma']}')",
        )
        same_set(
            "filter attributes.start_time >= N",
            ["epsilon", "zeta", "eta", "theta"],
            f"attributes.start_time >= {T + 4000}",
        )
        same_set(
            "filter attributes.created < N (alias of start_time)",
            ["alpha"],
            f"attributes.created < {T + 1000}",
        )
        same_set(
            "filter metrics AND params", ["beta"], "metrics.acc > 0.6 and params.model = 'linear'"
        )
        same_set(
            "filter of three conditions",
            ["gamma"],
            "metrics.acc > 0.6 AND tags.team = 'red' AND attributes.status = 'FINISHED'",
        )

        bad = [
            ("metrics.acc >> 1", "an unknown comparator"),
            ("metrics.acc > 0.5 OR params.model = 'Tree'", "OR"),
            ("params.model = Linear", "an unquoted string value"),
            ("metrics.acc > 'high'", "a quoted value for a metric"),
            ("bogus.key = 'x'", "an unknown entity type"),
            ("params.model = 'Linear", "an unterminated string"),
            ("attributes.status > 'A'", "> on a string attribute"),
            ("params.model IN ('Linear')", "IN on a param"),
            ("metrics.acc", "no comparator"),
        ]
        for text, why in bad:
            c.error(
                f"malformed filter ({why}) -> 400 INVALID_PARAMETER_VALUE: {text}",
                400,
                "INVALID_PARAMETER_VALUE",
                cl.search_runs,
                [eid],
                filter=text,
            )
        c.error(
            "a malformed filter's message gives the position of the error",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.search_runs,
            [eid],
            filter="metrics.acc >> 1",
            message_re=r"(position|column|offset|char(acter)?)\s*:?\s*\d+",
        )
        c.error(
            "malformed order_by -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.search_runs,
            [eid],
            order_by=["metrics.acc SIDEWAYS"],
        )
        c.error(
            "max_results above 50000 -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.search_runs,
            [eid],
            max_results=50001,
        )
        c.call("max_results=50000 is accepted", cl.search_runs, [eid], max_results=50000)
        c.error(
            "malformed page_token -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.search_runs,
            [eid],
            page_token="@@not-base64@@",
        )

        full = tie + ["beta", "gamma", "alpha", "eta", "zeta", "delta"]
        for size in (3, 1):
            pages, _ = walk_pages(
                lambda tok: cl.search_runs(
                    [eid], order_by=["metrics.acc DESC"], max_results=size, page_token=tok
                ),
                "runs",
            )
            joined = [name_of.get(x["info"]["run_id"]) for p in pages for x in p]
            c.eq(f"max_results={size}: the pages join to the whole ordered result", full, joined)
            c.check(
                f"max_results={size}: no page is larger than {size}",
                all(len(p) <= size for p in pages),
                repr([len(p) for p in pages]),
            )
        raw_token = cl.search_runs([eid], max_results=2).get("next_page_token", "")
        try:
            token = json.loads(base64.b64decode(raw_token))
        except ValueError:
            token = raw_token
        c.eq('the page token is base64 of {"offset": N}, as MLflow makes it', {"offset": 2}, token)
        mlflow_token = base64.b64encode(json.dumps({"offset": 6}).encode()).decode()
        c.eq(
            "a page token made as MLflow makes it is accepted",
            ["zeta", "eta"],
            search(order_by=["attributes.start_time ASC"], max_results=10, page_token=mlflow_token),
        )

        cl.delete_run(r["eta"])
        c.check("a deleted run is not in the default (ACTIVE_ONLY) view", "eta" not in search(), "")
        c.eq("run_view_type DELETED_ONLY", ["eta"], search(run_view_type="DELETED_ONLY"))
        c.eq("run_view_type ALL", 8, len(search(run_view_type="ALL")))
        cl.restore_run(r["eta"])

        other = c.must("create a second experiment", cl.create_experiment, f"suite-rsearch2-{uid}")
        o = cl.create_run(other, start_time=T + 7000, run_name="other")["info"]["run_id"]
        both = run_ids(cl.search_runs([eid, other]))
        c.eq("search over two experiments", 9, len(both))
        c.eq("the newest run of both experiments comes first", o, both[0] if both else None)

    # ------------------------------------------------------------------ inputs, models

    def inputs_and_models(self):
        c, cl, uid = self.c, self.client, self.uid
        eid = c.must("create experiment for inputs", cl.create_experiment, f"suite-inputs-{uid}")
        rid = c.must("create run for inputs", cl.create_run, eid, start_time=now_ms())["info"][
            "run_id"
        ]
        train = {
            "tags": [{"key": "mlflow.data.context", "value": "training"}],
            "dataset": {
                "name": "train-ds",
                "digest": "abc123",
                "source_type": "local",
                "source": '{"uri": "/data/train.csv"}',
                "schema": '{"mlflow_colspec": []}',
                "profile": '{"num_rows": 10}',
            },
        }
        evaluation = {
            "tags": [{"key": "mlflow.data.context", "value": "eval"}],
            "dataset": {
                "name": "eval-ds",
                "digest": "def456",
                "source_type": "local",
                "source": "{}",
            },
        }
        c.call("log-inputs of a dataset", cl.log_inputs, rid, [train])
        inputs = cl.get_run(rid).get("inputs", {}).get("dataset_inputs", [])
        c.eq("runs/get shows one dataset input", 1, len(inputs))
        if inputs:
            ds = inputs[0].get("dataset", {})
            c.eq(
                "dataset fields round-trip",
                train["dataset"],
                {k: ds.get(k) for k in train["dataset"]},
            )
            c.eq(
                "dataset input tags round-trip",
                {"mlflow.data.context": "training"},
                tags_of(inputs[0]),
            )
        c.call("log-inputs of the same dataset again", cl.log_inputs, rid, [train])
        c.eq(
            "the same (name, digest) is kept once",
            1,
            len(cl.get_run(rid).get("inputs", {}).get("dataset_inputs", [])),
        )
        c.call("log-inputs of a second dataset", cl.log_inputs, rid, [evaluation])
        names = sorted(
            i["dataset"]["name"]
            for i in cl.get_run(rid).get("inputs", {}).get("dataset_inputs", [])
        )
        c.eq("both datasets are inputs", ["eval-ds", "train-ds"], names)
        c.eq(
            "search datasets.name",
            [rid],
            run_ids(cl.search_runs([eid], filter="datasets.name = 'train-ds'")),
        )
        c.eq(
            "search datasets.context",
            [rid],
            run_ids(cl.search_runs([eid], filter="datasets.context = 'eval'")),
        )
        c.eq(
            "search datasets.digest (no match)",
            [],
            run_ids(cl.search_runs([eid], filter="datasets.digest = 'nope'")),
        )
        c.error(
            "log-inputs to an unknown run -> 404",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.log_inputs,
            "0" * 32,
            [train],
        )

        model = {
            "artifact_path": "model",
            "flavors": {
                "python_function": {"loader_module": "mlflow.sklearn", "python_version": "3.11.7"}
            },
            "utc_time_created": "2024-05-01 12:00:00.000000",
            "run_id": rid,
        }
        c.call("log-model", cl.log_model, rid, model)
        c.call(
            "log-model of a second model", cl.log_model, rid, dict(model, artifact_path="model2")
        )
        hist = run_tags(cl.get_run(rid)).get("mlflow.log-model.history")
        try:
            entries = json.loads(hist) if hist else None
        except ValueError:
            entries = None
        c.check(
            "log-model records the models in the mlflow.log-model.history tag (a JSON list)",
            isinstance(entries, list)
            and [e.get("artifact_path") for e in entries] == ["model", "model2"],
            f"tag: {hist!r}",
        )
        c.error(
            "log-model without the required fields -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.log_model,
            rid,
            {"artifact_path": "m"},
        )
        c.error(
            "log-model with model_json that is not JSON -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.call,
            "POST",
            "/mlflow/runs/log-model",
            {"run_id": rid, "model_json": "{not json"},
        )

    # ------------------------------------------------------------------ registry

    def registry(self):
        c, cl, uid = self.c, self.client, self.uid
        name = f"suite-model-{uid}"
        t0 = now_ms()
        rm = c.must(
            "registered-models/create with tags and description",
            cl.create_registered_model,
            name,
            tags={"domain": "churn"},
            description="first",
        )
        c.eq("create: name", name, rm.get("name"))
        c.eq("create: description", "first", rm.get("description"))
        c.eq("create: tags", {"domain": "churn"}, tags_of(rm))
        ct = rm.get("creation_timestamp")
        c.check(
            "create: creation_timestamp is now, in ms",
            isinstance(ct, int) and t0 - 60000 <= ct <= now_ms() + 60000,
            repr(rm),
        )
        c.error(
            "registered-models/create of a taken name -> 400 RESOURCE_ALREADY_EXISTS",
            400,
            "RESOURCE_ALREADY_EXISTS",
            cl.create_registered_model,
            name,
        )
        c.error(
            "registered-models/create with an empty name -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.create_registered_model,
            "",
        )
        got = c.call("registered-models/get", cl.get_registered_model, name)
        if got:
            c.eq("get: name", name, got.get("name"))
        c.error(
            "registered-models/get of an unknown model -> 404",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.get_registered_model,
            f"no-such-model-{uid}",
        )
        upd = c.call(
            "registered-models/update (PATCH) description",
            cl.update_registered_model,
            name,
            "second",
        )
        if upd:
            c.eq("update answers the new description", "second", upd.get("description"))
        c.eq(
            "get after update: description",
            "second",
            cl.get_registered_model(name).get("description"),
        )
        c.call("registered-models/set-tag", cl.set_registered_model_tag, name, "owner", "ann")
        c.eq(
            "tags after set-tag",
            {"domain": "churn", "owner": "ann"},
            tags_of(cl.get_registered_model(name)),
        )
        c.call(
            "registered-models/delete-tag (DELETE)", cl.delete_registered_model_tag, name, "domain"
        )
        c.eq("tags after delete-tag", {"owner": "ann"}, tags_of(cl.get_registered_model(name)))

        # versions
        eid = c.must(
            "create experiment for model runs", cl.create_experiment, f"suite-models-{uid}"
        )
        run = c.must("create run for the model", cl.create_run, eid, start_time=now_ms())
        rid, art = run["info"]["run_id"], run["info"]["artifact_uri"]
        run2 = c.must("create a second run", cl.create_run, eid, start_time=now_ms())["info"][
            "run_id"
        ]
        source = f"{art}/model"
        v1 = c.must(
            "model-versions/create",
            cl.create_model_version,
            name,
            source,
            run_id=rid,
            tags={"t": "1"},
            run_link="http://example.invalid/run",
            description="v1 desc",
        )
        c.eq('first version is "1" (a string)', "1", v1.get("version"))
        c.eq("version: name", name, v1.get("name"))
        c.eq("version: source", source, v1.get("source"))
        c.eq("version: run_id", rid, v1.get("run_id"))
        c.eq("version: run_link", "http://example.invalid/run", v1.get("run_link"))
        c.eq("version: description", "v1 desc", v1.get("description"))
        c.eq("version: status READY", "READY", v1.get("status"))
        c.eq("version: current_stage None", "None", v1.get("current_stage"))
        c.eq("version: tags", {"t": "1"}, tags_of(v1))
        v2 = c.must(
            "model-versions/create second", cl.create_model_version, name, source, run_id=rid
        )
        v3 = c.must(
            "model-versions/create third", cl.create_model_version, name, source, run_id=rid
        )
        c.eq(
            "versions number 1, 2, 3",
            ["1", "2", "3"],
            [v1.get("version"), v2.get("version"), v3.get("version")],
        )
        c.eq("version: no user_id unless given", None, v1.get("user_id"))
        owned = f"{name}-owned"
        c.must("create a model for user_id", cl.create_registered_model, owned)
        run3 = c.must("create a run for user_id", cl.create_run, eid, start_time=now_ms())
        rid3 = run3["info"]["run_id"]
        v_owned = c.must(
            "model-versions/create with user_id (leanops' client sends it)",
            cl.call,
            "POST",
            "/mlflow/model-versions/create",
            {
                "name": owned,
                "source": run3["info"]["artifact_uri"] + "/model",
                "run_id": rid3,
                "user_id": "carol",
            },
        )["model_version"]
        c.eq("version: user_id recorded", "carol", v_owned.get("user_id"))
        c.error(
            "model-versions/create for an unknown model -> 404",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.create_model_version,
            f"no-such-model-{uid}",
            source,
        )
        got = c.call("model-versions/get", cl.get_model_version, name, 2)
        if got:
            c.eq("get: version 2", "2", got.get("version"))
        c.error(
            "model-versions/get of an unknown version -> 404",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.get_model_version,
            name,
            99,
        )
        upd = c.call(
            "model-versions/update (PATCH) description", cl.update_model_version, name, 1, "v1 new"
        )
        if upd:
            c.eq("update answers the new description", "v1 new", upd.get("description"))
        c.eq("get after update", "v1 new", cl.get_model_version(name, 1).get("description"))

        # stages
        mv = c.call(
            "transition v1 to 'production' (any case)",
            cl.transition_model_version_stage,
            name,
            1,
            "production",
            False,
        )
        if mv:
            c.eq("stage names are canonical", "Production", mv.get("current_stage"))
        cl.transition_model_version_stage(name, 2, "Staging", False)
        mv = c.call(
            "transition v3 to Production archiving the others",
            cl.transition_model_version_stage,
            name,
            3,
            "Production",
            True,
        )
        if mv:
            c.eq("v3 is in Production", "Production", mv.get("current_stage"))
        c.eq(
            "v1 (was Production) is Archived",
            "Archived",
            cl.get_model_version(name, 1).get("current_stage"),
        )
        c.eq(
            "v2 (in Staging) is untouched",
            "Staging",
            cl.get_model_version(name, 2).get("current_stage"),
        )
        c.error(
            "transition to an unknown stage -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.transition_model_version_stage,
            name,
            2,
            "Foo",
            False,
        )
        try:
            cl.transition_model_version_stage(name, 2, "Archived", True)
            c.fail(
                "transition to Archived with archive_existing_versions is refused",
                f"last request: {cl.last}",
            )
        except RestError as e:
            c.ok(
                f"transition to Archived with archive_existing_versions is refused (HTTP {e.status})"
            )
        c.eq(
            "the refused transition changed nothing",
            "Staging",
            cl.get_model_version(name, 2).get("current_stage"),
        )
        if cl.get_model_version(name, 2).get("current_stage") != "Staging":
            # Put v2 back so that the checks below test their own rules.
            cl.transition_model_version_stage(name, 2, "Staging", False)

        def stage_map(versions):
            return {v.get("current_stage"): v.get("version") for v in versions}

        latest = c.call("get-latest-versions (POST, no stages)", cl.get_latest_versions, name)
        if latest is not None:
            c.eq(
                "latest version of each stage",
                {"Archived": "1", "Staging": "2", "Production": "3"},
                stage_map(latest),
            )
        latest = c.call(
            "get-latest-versions (GET) stages=[Production]",
            cl.get_latest_versions,
            name,
            ["Production"],
            method="GET",
        )
        if latest is not None:
            c.eq("only Production", {"Production": "3"}, stage_map(latest))
        latest = c.call(
            "get-latest-versions stages in lower case",
            cl.get_latest_versions,
            name,
            ["staging", "production"],
        )
        if latest is not None:
            c.eq("Staging and Production", {"Staging": "2", "Production": "3"}, stage_map(latest))
        rm = cl.get_registered_model(name)
        c.eq(
            "registered model's latest_versions: the latest of each stage",
            {"Archived": "1", "Staging": "2", "Production": "3"},
            stage_map(rm.get("latest_versions", [])),
        )
        c.error(
            "get-latest-versions of an unknown model -> 404",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.get_latest_versions,
            f"no-such-model-{uid}",
        )

        uri = c.call("model-versions/get-download-uri", cl.get_model_version_download_uri, name, 1)
        if uri is not None:
            c.eq("download uri is the version's source", source, uri)

        c.call("model-versions/set-tag", cl.set_model_version_tag, name, 1, "validated", "yes")
        c.eq(
            "version tags after set-tag",
            {"t": "1", "validated": "yes"},
            tags_of(cl.get_model_version(name, 1)),
        )
        c.call("model-versions/delete-tag (DELETE)", cl.delete_model_version_tag, name, 1, "t")
        c.eq(
            "version tags after delete-tag",
            {"validated": "yes"},
            tags_of(cl.get_model_version(name, 1)),
        )

        # aliases
        c.call("set alias champion -> 1", cl.set_registered_model_alias, name, "champion", 1)
        mv = c.call("get version by alias", cl.get_model_version_by_alias, name, "champion")
        if mv:
            c.eq("alias champion names version 1", "1", mv.get("version"))
            c.eq("the version lists its alias", ["champion"], mv.get("aliases"))
        c.eq(
            "registered model lists the alias",
            [{"alias": "champion", "version": "1"}],
            cl.get_registered_model(name).get("aliases"),
        )
        c.call(
            "set alias champion -> 3 moves it", cl.set_registered_model_alias, name, "champion", 3
        )
        c.eq(
            "alias champion now names version 3",
            "3",
            cl.get_model_version_by_alias(name, "champion").get("version"),
        )
        c.check(
            "version 1 no longer lists the alias",
            not cl.get_model_version(name, 1).get("aliases"),
            repr(cl.get_model_version(name, 1)),
        )
        c.call("set alias challenger -> 2", cl.set_registered_model_alias, name, "challenger", 2)
        c.eq(
            "registered model lists both aliases",
            [{"alias": "challenger", "version": "2"}, {"alias": "champion", "version": "3"}],
            sorted(cl.get_registered_model(name).get("aliases", []), key=lambda a: a["alias"]),
        )
        c.call("delete alias challenger", cl.delete_registered_model_alias, name, "challenger")
        c.error(
            "get by a deleted alias -> 404",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.get_model_version_by_alias,
            name,
            "challenger",
        )
        c.error(
            "set alias to an unknown version -> 404",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.set_registered_model_alias,
            name,
            "ghost",
            99,
        )
        c.error(
            "the alias 'latest' is reserved -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.set_registered_model_alias,
            name,
            "latest",
            1,
        )
        c.error(
            "a version-like alias (v3) is reserved -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.set_registered_model_alias,
            name,
            "v3",
            1,
        )

        # search versions
        v4 = c.must(
            "create version 4 from another run", cl.create_model_version, name, source, run_id=run2
        )
        c.eq("version 4", "4", v4.get("version"))
        found = cl.search_model_versions(filter=f"name = '{name}'").get("model_versions", [])
        c.eq(
            "search versions name = ...", ["1", "2", "3", "4"], sorted(v["version"] for v in found)
        )
        found = cl.search_model_versions(filter=f"run_id = '{run2}'").get("model_versions", [])
        c.eq("search versions run_id = ...", ["4"], sorted(v["version"] for v in found))
        found = cl.search_model_versions(filter=f"run_id IN ('{rid}', '{run2}')").get(
            "model_versions", []
        )
        c.eq(
            "search versions run_id IN (...)",
            ["1", "2", "3", "4"],
            sorted(v["version"] for v in found),
        )
        pages, _ = walk_pages(
            lambda tok: cl.search_model_versions(
                filter=f"name = '{name}'", max_results=3, page_token=tok
            ),
            "model_versions",
        )
        c.eq(
            "search versions max_results=3: pages join to all versions once",
            ["1", "2", "3", "4"],
            sorted(v["version"] for p in pages for v in p),
        )
        c.check(
            "search versions max_results=3: no page above 3",
            all(len(p) <= 3 for p in pages),
            repr([len(p) for p in pages]),
        )

        # delete a version: numbers are not reused, its alias goes
        cl.set_registered_model_alias(name, "temp", 4)
        c.call("model-versions/delete (DELETE)", cl.delete_model_version, name, 4)
        c.error(
            "a deleted version is gone -> 404",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.get_model_version,
            name,
            4,
        )
        c.error(
            "the alias of a deleted version is gone -> 404",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.get_model_version_by_alias,
            name,
            "temp",
        )
        v5 = c.call(
            "create a version after a delete", cl.create_model_version, name, source, run_id=rid
        )
        if v5:
            c.eq(
                "version numbers are not reused after a delete (next is 5)", "5", v5.get("version")
            )
        c.error(
            "model-versions/delete of an unknown version -> 404",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.delete_model_version,
            name,
            99,
        )

        # rename and delete the model
        other = f"suite-model-other-{uid}"
        c.must("create another model", cl.create_registered_model, other)
        c.error(
            "rename onto a taken name -> 400 RESOURCE_ALREADY_EXISTS",
            400,
            "RESOURCE_ALREADY_EXISTS",
            cl.rename_registered_model,
            name,
            other,
        )
        new = f"{name}-renamed"
        rm = c.call("registered-models/rename", cl.rename_registered_model, name, new)
        if rm:
            c.eq("rename answers the new name", new, rm.get("name"))
        c.error(
            "the old name is gone -> 404",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.get_registered_model,
            name,
        )
        mv = c.call("versions follow the rename", cl.get_model_version, new, 3)
        if mv:
            c.eq("version 3 is under the new name", new, mv.get("name"))
        c.eq(
            "aliases follow the rename",
            "3",
            cl.get_model_version_by_alias(new, "champion").get("version"),
        )
        c.error(
            "rename of an unknown model -> 404",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.rename_registered_model,
            f"no-such-model-{uid}",
            f"x-{uid}",
        )
        c.call("registered-models/delete (DELETE)", cl.delete_registered_model, new)
        c.error(
            "a deleted model is gone -> 404",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.get_registered_model,
            new,
        )
        c.error(
            "its versions are gone -> 404",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.get_model_version,
            new,
            1,
        )
        c.eq(
            "search finds no versions of a deleted model",
            [],
            cl.search_model_versions(filter=f"name = '{new}'").get("model_versions", []),
        )
        c.error(
            "registered-models/delete of an unknown model -> 404",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.delete_registered_model,
            new,
        )

    def registry_search(self):
        c, cl, uid = self.c, self.client, self.uid
        prefix = f"suite-rm-{uid}-"
        for s in ("a", "b", "c"):
            c.must(
                f"create model {s}",
                cl.create_registered_model,
                prefix + s,
                tags={"k": "v"} if s == "b" else None,
            )

        def names(answer):
            return [m["name"][len(prefix) :] for m in answer.get("registered_models", [])]

        mine = f"name LIKE '{prefix}%'"
        c.eq(
            "search models name LIKE: by name ASC by default",
            ["a", "b", "c"],
            names(cl.search_registered_models(filter=mine)),
        )
        c.eq(
            "search models order_by name DESC",
            ["c", "b", "a"],
            names(cl.search_registered_models(filter=mine, order_by=["name DESC"])),
        )
        c.eq(
            "search models name ILIKE",
            ["b"],
            names(cl.search_registered_models(filter=f"name ILIKE '{prefix.upper()}B'")),
        )
        c.eq(
            "search models name =",
            ["c"],
            names(cl.search_registered_models(filter=f"name = '{prefix}c'")),
        )
        c.eq(
            "search models by tag",
            ["b"],
            names(cl.search_registered_models(filter=f"tags.k = 'v' AND {mine}")),
        )
        first = cl.search_registered_models(filter=mine, max_results=2)
        c.eq("max_results=2: first page", ["a", "b"], names(first))
        tok = first.get("next_page_token")
        c.check("max_results=2: first page has a next_page_token", tok, repr(first))
        if tok:
            second = cl.search_registered_models(filter=mine, max_results=2, page_token=tok)
            c.eq("max_results=2: second page", ["c"], names(second))
            c.check("no token after the last page", not second.get("next_page_token"), repr(second))
        c.error(
            "search models max_results above 1000 -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.search_registered_models,
            max_results=1001,
        )
        c.error(
            "search models with a malformed filter -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.search_registered_models,
            filter="name >> 'x'",
        )

    # ------------------------------------------------------------------ artifacts

    def artifacts(self):
        c, cl, uid = self.c, self.client, self.uid
        eid = c.must("create experiment for artifacts", cl.create_experiment, f"suite-art-{uid}")
        run = c.must("create run for artifacts", cl.create_run, eid, start_time=now_ms())
        rid, uri = run["info"]["run_id"], run["info"]["artifact_uri"]
        root = proxied_path(uri)
        blob = random.Random(1234).randbytes(3 * 1024 * 1024 + 17)
        answer = c.call(
            "PUT a 3 MB binary artifact", cl.upload_artifact, f"{root}/data/blob.bin", blob
        )
        c.eq("PUT answers {}", {}, answer)
        on_disk = os.path.join(self.args.artifacts_dir, root, "data", "blob.bin")
        c.check(
            "the file lands under --artifacts-destination at the same path, byte for byte",
            os.path.isfile(on_disk) and read_bytes(on_disk) == blob,
            f"looked at {on_disk}",
        )
        got = c.call("GET the artifact", cl.download_artifact, f"{root}/data/blob.bin")
        if got is not None:
            c.check(
                "the download is byte-exact", got == blob, f"{len(got)} bytes, expected {len(blob)}"
            )
        cl.upload_artifact(f"{root}/notes.txt", b"hello\n", "text/plain")
        cl.upload_artifact(f"{root}/data/sub/deep.txt", b"deep\n", "text/plain")
        odd = f"{root}/dir with space/\u00fcber.txt"
        c.call(
            "PUT a path with a space and non-ASCII", cl.upload_artifact, odd, "caf\u00e9".encode()
        )
        got = c.call("GET that path back", cl.download_artifact, odd)
        if got is not None:
            c.eq("non-ASCII path round-trips", "caf\u00e9".encode(), got)

        def listing(answer):
            return {
                f["path"]: (bool(f.get("is_dir", False)), f.get("file_size"))
                for f in answer.get("files", [])
            }

        got = listing(cl.list_artifacts(root))
        c.eq(
            "list ?path=<run root>: names, is_dir, file_size",
            {"data": (True, None), "notes.txt": (False, 6), "dir with space": (True, None)},
            got,
        )
        got = listing(cl.list_artifacts(f"{root}/data"))
        c.eq("list a sub-directory", {"blob.bin": (False, len(blob)), "sub": (True, None)}, got)
        c.eq("list of a missing directory is empty", {}, listing(cl.list_artifacts(f"{root}/nope")))

        got = c.call("GET /mlflow/artifacts/list of the run", cl.list_run_artifacts, rid)
        if got is not None:
            c.eq("artifacts/list: root_uri is the run's artifact_uri", uri, got.get("root_uri"))
            c.eq(
                "artifacts/list: files relative to the run root",
                {"data": (True, None), "notes.txt": (False, 6), "dir with space": (True, None)},
                listing(got),
            )
        got = c.call("GET /mlflow/artifacts/list path=data", cl.list_run_artifacts, rid, "data")
        if got is not None:
            c.eq(
                "artifacts/list path=data: paths include the directory",
                {"data/blob.bin": (False, len(blob)), "data/sub": (True, None)},
                listing(got),
            )
        c.error(
            "artifacts/list of an unknown run -> 404",
            404,
            "RESOURCE_DOES_NOT_EXIST",
            cl.list_run_artifacts,
            "0" * 32,
        )

        cl.upload_artifact(f"{root}/notes.txt", b"rewritten\n", "text/plain")
        c.eq(
            "PUT over an artifact replaces it",
            b"rewritten\n",
            cl.download_artifact(f"{root}/notes.txt"),
        )
        c.eq(
            "DELETE an artifact answers {}",
            {},
            c.call("DELETE an artifact", cl.delete_artifact, f"{root}/notes.txt"),
        )
        c.error(
            "GET of a deleted artifact -> 404", 404, None, cl.download_artifact, f"{root}/notes.txt"
        )
        c.check(
            "the deleted file is gone from disk and from the listing",
            not os.path.exists(os.path.join(self.args.artifacts_dir, root, "notes.txt"))
            and "notes.txt" not in listing(cl.list_artifacts(root)),
            "",
        )
        c.call("DELETE a directory", cl.delete_artifact, f"{root}/data/sub")
        c.eq(
            "the directory is gone",
            {"blob.bin": (False, len(blob))},
            listing(cl.list_artifacts(f"{root}/data")),
        )
        c.error(
            "GET of a missing artifact -> 404", 404, None, cl.download_artifact, f"{root}/never.bin"
        )

    def path_traversal(self):
        c, cl = self.c, self.client
        workdir = os.path.realpath(self.args.workdir)
        base = "/api/2.0/mlflow-artifacts/artifacts"
        absolute_target = os.path.join(workdir, "escape-abs.txt")
        attempts = [
            ("PUT", f"{base}/../escape-1.txt", "literal .."),
            ("PUT", f"{base}/%2e%2e/escape-2.txt", "%2e%2e"),
            ("PUT", f"{base}/a/%2e%2e/%2e%2e/escape-3.txt", "a/%2e%2e/%2e%2e"),
            ("PUT", f"{base}/a/..%2f..%2fescape-4.txt", "..%2f"),
            ("PUT", f"{base}/%2E%2E/%2E%2E/escape-5.txt", "%2E%2E (upper case)"),
            (
                "PUT",
                f"{base}/{urllib.parse.quote(absolute_target, safe='')}",
                "an absolute path (%2F...)",
            ),
            ("GET", f"{base}/..%2f..%2fetc%2fpasswd", "read ..%2f..%2fetc/passwd"),
            ("GET", f"{base}?path=..%2F..", "list ?path=../.."),
            ("GET", f"{base}?path=%2Fetc", "list ?path=/etc"),
            ("DELETE", f"{base}/%2e%2e", "delete %2e%2e"),
            ("DELETE", f"{base}/a/..%2f..%2f..%2f", "delete a/../../../"),
        ]
        for method, path, why in attempts:
            body = b"escaped!" if method == "PUT" else None
            headers = {"Content-Type": "application/octet-stream"} if body else None
            r = cl.raw(method, path, body, headers)
            c.status(f"{method} traversal ({why}) -> 400", 400, r)
        eid = cl.create_experiment(f"suite-trav-{self.uid}")
        rid = cl.create_run(eid, start_time=now_ms())["info"]["run_id"]
        c.error(
            "artifacts/list with path=../.. -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.list_run_artifacts,
            rid,
            "../..",
        )
        c.error(
            "artifacts/list with an absolute path -> 400 INVALID_PARAMETER_VALUE",
            400,
            "INVALID_PARAMETER_VALUE",
            cl.list_run_artifacts,
            rid,
            "/etc",
        )
        escaped = []
        for dirpath, _, files in os.walk(workdir):
            escaped += [os.path.join(dirpath, f) for f in files if f.startswith("escape-")]
        for p in (absolute_target, os.path.join(os.path.dirname(workdir), "escape-1.txt")):
            if os.path.exists(p) and p not in escaped:
                escaped.append(p)
        c.eq("no traversal attempt wrote a file anywhere", [], escaped)
        c.check(
            "the artifacts folder is still there after the DELETE attempts",
            os.path.isdir(self.args.artifacts_dir),
            self.args.artifacts_dir,
        )

    # ------------------------------------------------------------------ /ajax-api/2.0

    def ajax_aliases(self):
        c, cl, uid = self.c, self.client, self.uid
        ajax = MlflowClient(self.args.url, prefix=AJAX_API)
        try:
            eid = c.must("create experiment for ajax", cl.create_experiment, f"suite-ajax-{uid}")
            rid = cl.create_run(eid, start_time=now_ms())["info"]["run_id"]
            cl.log_batch(rid, metrics=[metric_json("x", 1.0, 1000, 0)])
            root = proxied_path(cl.get_run(rid)["info"]["artifact_uri"])
            cl.upload_artifact(f"{root}/a.txt", b"a")
            c.eq(
                "ajax experiments/get == api",
                cl.get_experiment(eid),
                c.call("GET /ajax-api/2.0/mlflow/experiments/get", ajax.get_experiment, eid),
            )
            c.eq(
                "ajax runs/search == api",
                cl.search_runs([eid]),
                c.call("POST /ajax-api/2.0/mlflow/runs/search", ajax.search_runs, [eid]),
            )
            c.call("POST /ajax-api/2.0/mlflow/runs/set-tag", ajax.set_tag, rid, "via", "ajax")
            c.eq(
                "a write through ajax is seen through api",
                "ajax",
                run_tags(cl.get_run(rid)).get("via"),
            )
            c.eq(
                "ajax metrics/get-history == api",
                cl.get_metric_history(rid, "x"),
                c.call(
                    "GET /ajax-api/2.0/mlflow/metrics/get-history",
                    ajax.get_metric_history,
                    rid,
                    "x",
                ),
            )
            c.eq(
                "ajax get-history-bulk-interval == api",
                cl.get_metric_history_bulk_interval([rid], "x", max_results=10),
                c.call(
                    "GET /ajax-api/2.0/mlflow/metrics/get-history-bulk-interval",
                    ajax.get_metric_history_bulk_interval,
                    [rid],
                    "x",
                    max_results=10,
                ),
            )
            c.eq(
                "ajax artifacts/list == api",
                cl.list_run_artifacts(rid),
                c.call("GET /ajax-api/2.0/mlflow/artifacts/list", ajax.list_run_artifacts, rid),
            )
            c.eq(
                "ajax registered-models/search == api",
                cl.search_registered_models(max_results=5),
                c.call(
                    "GET /ajax-api/2.0/mlflow/registered-models/search",
                    ajax.search_registered_models,
                    max_results=5,
                ),
            )
            c.eq(
                "ajax mlflow-artifacts list == api",
                cl.list_artifacts(root),
                c.call(
                    "GET /ajax-api/2.0/mlflow-artifacts/artifacts?path=", ajax.list_artifacts, root
                ),
            )
            c.eq(
                "ajax mlflow-artifacts download == api",
                b"a",
                c.call(
                    "GET /ajax-api/2.0/mlflow-artifacts/artifacts/<path>",
                    ajax.download_artifact,
                    f"{root}/a.txt",
                ),
            )
        finally:
            ajax.close()

    # ------------------------------------------------------------------ auth and size limit

    def auth_and_limits(self):
        c, a = self.c, self.args
        if not a.auth_url:
            print("# auth_and_limits: skipped (no --auth-url)", flush=True)
            return
        anon = MlflowClient(a.auth_url)
        wrong = MlflowClient(a.auth_url, token=a.auth_token + "-wrong")
        good = MlflowClient(a.auth_url, token=a.auth_token)
        try:
            r = anon.raw("GET", "/health")
            c.status("/health needs no token", 200, r)
            search = "/api/2.0/mlflow/experiments/search"
            body = json.dumps({"max_results": 10}).encode()
            js = {"Content-Type": "application/json"}
            c.status("no token -> 401", 401, anon.raw("POST", search, body, js))
            c.status(
                "no token on /ajax-api -> 401",
                401,
                anon.raw("POST", "/ajax-api/2.0/mlflow/experiments/search", body, js),
            )
            c.status(
                "no token on mlflow-artifacts -> 401",
                401,
                anon.raw("GET", "/api/2.0/mlflow-artifacts/artifacts?path=x"),
            )
            c.status("no token on /version -> 401", 401, anon.raw("GET", "/version"))
            c.status("a wrong token -> 401", 401, wrong.raw("POST", search, body, js))
            c.status(
                "a token in a Basic header -> 401",
                401,
                anon.raw(
                    "POST",
                    search,
                    body,
                    dict(
                        js,
                        Authorization="Basic "
                        + base64.b64encode(f"u:{a.auth_token}".encode()).decode(),
                    ),
                ),
            )
            c.status("the right bearer token -> 200", 200, good.raw("POST", search, body, js))
            c.call(
                "a write with the token is served", good.create_experiment, f"suite-auth-{self.uid}"
            )

            limit = a.limit_bytes
            # Experiment tag values are limited (5000 bytes in MLflow): pad with several.
            pads = [
                {"key": f"pad{i}", "value": "x" * 4000} for i in range(max(1, limit // 2 // 4000))
            ]
            under = {"name": f"suite-under-{self.uid}", "tags": pads}
            c.call(
                "a request body under --max-request-size is served",
                good.call,
                "POST",
                "/mlflow/experiments/create",
                under,
            )
            over = json.dumps(
                {
                    "name": f"suite-over-{self.uid}",
                    "tags": [{"key": "pad", "value": "x" * (limit + 4096)}],
                }
            ).encode()
            headers = {
                "Content-Type": "application/json",
                "Authorization": f"Bearer {a.auth_token}",
            }
            r = good.conn.send_oversized(
                "POST", "/api/2.0/mlflow/experiments/create", over, headers
            )
            c.status(
                f"a JSON body above --max-request-size ({len(over)} > {limit} bytes) -> 413", 413, r
            )
            r = good.conn.send_oversized(
                "PUT",
                "/api/2.0/mlflow-artifacts/artifacts/0/oversize.bin",
                b"\0" * (limit + 4096),
                dict(headers, **{"Content-Type": "application/octet-stream"}),
            )
            c.status("an artifact upload above --max-request-size -> 413", 413, r)
            c.error(
                "the refused experiment was not created",
                404,
                "RESOURCE_DOES_NOT_EXIST",
                good.get_experiment_by_name,
                f"suite-over-{self.uid}",
            )
            c.status("the server still serves after a 413", 200, good.raw("POST", search, body, js))
        finally:
            for client in (anon, wrong, good):
                client.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--artifacts-dir", required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--auth-url")
    parser.add_argument("--auth-token")
    parser.add_argument("--limit-bytes", type=int, default=65536)
    args = parser.parse_args()
    ok = Suite(args).run()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
