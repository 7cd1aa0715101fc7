"""A small MLflow REST client that sends exactly what `mlflow` 2.x sends.

The requests mirror MLflow's own Python client, so a server that answers this
client answers MLflow:

- mlflow/utils/rest_utils.py `call_endpoint`: GET requests carry their fields
  in the query string (a repeated field as `k=v&k=v`, as `requests` encodes a
  list); every other method (POST, PATCH, DELETE) carries a JSON body with
  `Content-Type: application/json`.
- mlflow/utils/proto_json_utils.py `message_to_json`: unset fields and empty
  repeated fields are left out, int64 fields (timestamps, steps) are JSON
  numbers, enums are names ("ACTIVE_ONLY", "FINISHED"), and non-finite
  doubles are the strings "NaN", "Infinity", "-Infinity".
- mlflow/store/tracking/rest_store.py and model_registry/rest_store.py: the
  method and path of each call and which fields it fills (run_id and the
  deprecated run_uuid both, model versions as strings, get-latest-versions by
  POST first).
- mlflow/store/artifact/http_artifact_repo.py: PUT of the raw file to
  /api/2.0/mlflow-artifacts/artifacts/<path>, GET of the same path to download,
  GET /api/2.0/mlflow-artifacts/artifacts?path=<dir> to list, DELETE to remove.

Requests share one keep-alive connection (`Connection`), as `requests.Session`
does. Python standard library only.
"""

import http.client
import json
import math
import urllib.parse

USER_AGENT = "mlflow-python-client/2.16.2"
API = "/api/2.0"
AJAX_API = "/ajax-api/2.0"
ARTIFACTS = "/mlflow-artifacts/artifacts"


class RestError(Exception):
    """A non-200 answer: the HTTP status and MLflow's error_code/message."""

    def __init__(self, status, error_code, message, request, body):
        super().__init__(f"HTTP {status} {error_code}: {message} ({request})")
        self.status = status
        self.error_code = error_code
        self.message = message
        self.request = request
        self.body = body


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body.decode("utf-8"))


def _describe(method, path, body):
    """One line naming a request, for failure reports."""
    if body is None:
        return f"{method} {path}"
    if isinstance(body, (bytes, bytearray)):
        shown = body[:300].decode("utf-8", "replace")
        more = f"... ({len(body)} bytes)" if len(body) > 300 else ""
        return f"{method} {path} body={shown}{more}"
    return f"{method} {path} body={body}"


class Connection:
    """One keep-alive HTTP/1.1 connection to a server, reopened when the
    server closes it. `connects` counts the TCP connections made."""

    def __init__(self, base_url, timeout=120):
        parsed = urllib.parse.urlsplit(base_url)
        self.host = parsed.hostname
        self.port = parsed.port or 80
        self.timeout = timeout
        self.conn = None
        self.connects = 0
        self.used = 0  # requests sent on the current connection

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _open(self):
        self.close()
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        self.conn.connect()
        self.connects += 1
        self.used = 0

    def request(self, method, path, body=None, headers=None):
        """Sends one request and reads the whole answer. A request that fails
        on a reused connection before any answer (the server closed an idle
        connection) is sent once more on a new one, as urllib3 does."""
        for attempt in (0, 1):
            if self.conn is None:
                self._open()
            reused = self.used > 0
            try:
                self.used += 1
                self.conn.request(method, path, body=body, headers=headers or {})
                resp = self.conn.getresponse()
                data = resp.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 0 and reused:
                    continue
                raise
            if resp.will_close:
                self.close()
            return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
        raise AssertionError("unreachable")

    def send_oversized(self, method, path, body, headers):
        """Sends a body the server may refuse before reading it: a broken pipe
        while sending is expected, and the answer is read anyway."""
        self._open()
        all_headers = dict(headers)
        all_headers["Content-Length"] = str(len(body))
        self.conn.putrequest(method, path)
        for k, v in all_headers.items():
            self.conn.putheader(k, v)
        self.conn.endheaders()
        try:
            self.conn.send(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            resp = self.conn.getresponse()
            data = resp.read()
        finally:
            self.close()
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)


def encode_double(value):
    """A double as protobuf's JSON writer (and so MLflow's client) sends it."""
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
    return value


def decode_double(value):
    """Reads a double from MLflow's JSON (a number or "NaN"/"Infinity")."""
    if isinstance(value, str):
        return float(value)
    return float(value)


def _proto_fields(fields):
    """Drops what message_to_json leaves out: unset (None) fields and empty
    repeated fields."""
    return {k: v for k, v in fields.items() if v is not None and v != []}


def tags_json(tags):
    """[{"key", "value"}] from a dict or a list of pairs (order kept)."""
    if tags is None:
        return None
    items = tags.items() if isinstance(tags, dict) else tags
    return [{"key": k, "value": v} for k, v in items]


def metric_json(key, value, timestamp, step=0):
    return {"key": key, "value": encode_double(value), "timestamp": timestamp, "step": step}


class MlflowClient:
    """MLflow's tracking, registry and artifact calls over one connection.

    Every call returns the decoded JSON answer of a 200, and raises RestError
    otherwise. `last` describes the last request and answer, for reports.
    """

    def __init__(self, base_url, token=None, prefix=API):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.prefix = prefix
        self.conn = Connection(self.base_url)
        self.last = ""

    def close(self):
        self.conn.close()

    # ------------------------------------------------------------------ transport

    def _headers(self, extra=None):
        headers = {"User-Agent": USER_AGENT}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if extra:
            headers.update(extra)
        return headers

    def raw(self, method, path, body=None, headers=None):
        """Any request to `path` (absolute, including /api/2.0); no checks."""
        resp = self.conn.request(method, path, body=body, headers=self._headers(headers))
        self.last = f"{_describe(method, path, body)} -> HTTP {resp.status} {resp.body[:500]!r}"
        return resp

    def call(self, method, endpoint, fields=None):
        """MLflow's call_endpoint: `endpoint` is after the API prefix."""
        fields = _proto_fields(fields or {})
        path = self.prefix + endpoint
        if method == "GET":
            query = urllib.parse.urlencode(fields, doseq=True)
            if query:
                path += "?" + query
            body = None
            headers = None
        else:
            body = json.dumps(fields).encode("utf-8")
            headers = {"Content-Type": "application/json"}
        resp = self.raw(method, path, body, headers)
        return self._answer(method, path, body, resp)

    def _answer(self, method, path, body, resp):
        request = _describe(method, path, body)
        if resp.status != 200:
            code, message = None, resp.text
            try:
                doc = resp.json()
                if isinstance(doc, dict):
                    code, message = doc.get("error_code"), doc.get("message", "")
            except ValueError:
                pass
            raise RestError(resp.status, code, message, request, resp.text[:2000])
        if not resp.body:
            return {}
        try:
            return resp.json()
        except ValueError as e:
            raise RestError(
                resp.status, None, f"answer is not JSON: {e}", request, resp.text[:2000]
            )

    # ------------------------------------------------------------------ experiments

    def create_experiment(self, name, artifact_location=None, tags=None):
        fields = {"name": name, "artifact_location": artifact_location, "tags": tags_json(tags)}
        return self.call("POST", "/mlflow/experiments/create", fields)["experiment_id"]

    def get_experiment(self, experiment_id):
        return self.call("GET", "/mlflow/experiments/get", {"experiment_id": str(experiment_id)})[
            "experiment"
        ]

    def get_experiment_by_name(self, name):
        return self.call("GET", "/mlflow/experiments/get-by-name", {"experiment_name": name})[
            "experiment"
        ]

    def search_experiments(
        self,
        view_type="ACTIVE_ONLY",
        max_results=1000,
        filter=None,
        order_by=None,
        page_token=None,
        method="POST",
    ):
        fields = {
            "view_type": view_type,
            "max_results": max_results,
            "page_token": page_token,
            "order_by": order_by,
            "filter": filter,
        }
        return self.call(method, "/mlflow/experiments/search", fields)

    def delete_experiment(self, experiment_id):
        return self.call(
            "POST", "/mlflow/experiments/delete", {"experiment_id": str(experiment_id)}
        )

    def restore_experiment(self, experiment_id):
        return self.call(
            "POST", "/mlflow/experiments/restore", {"experiment_id": str(experiment_id)}
        )

    def rename_experiment(self, experiment_id, new_name):
        fields = {"experiment_id": str(experiment_id), "new_name": new_name}
        return self.call("POST", "/mlflow/experiments/update", fields)

    def set_experiment_tag(self, experiment_id, key, value):
        fields = {"experiment_id": str(experiment_id), "key": key, "value": value}
        return self.call("POST", "/mlflow/experiments/set-experiment-tag", fields)

    def delete_experiment_tag(self, experiment_id, key):
        fields = {"experiment_id": str(experiment_id), "key": key}
        return self.call("POST", "/mlflow/experiments/delete-experiment-tag", fields)

    # ------------------------------------------------------------------ runs

    def create_run(self, experiment_id, start_time=None, tags=None, run_name=None, user_id=None):
        fields = {
            "experiment_id": None if experiment_id is None else str(experiment_id),
            "user_id": user_id,
            "start_time": start_time,
            "tags": tags_json(tags),
            "run_name": run_name,
        }
        return self.call("POST", "/mlflow/runs/create", fields)["run"]

    def update_run(self, run_id, status=None, end_time=None, run_name=None):
        fields = {
            "run_uuid": run_id,
            "run_id": run_id,
            "status": status,
            "end_time": end_time,
            "run_name": run_name,
        }
        return self.call("POST", "/mlflow/runs/update", fields)["run_info"]

    def delete_run(self, run_id):
        return self.call("POST", "/mlflow/runs/delete", {"run_id": run_id})

    def restore_run(self, run_id):
        return self.call("POST", "/mlflow/runs/restore", {"run_id": run_id})

    def get_run(self, run_id):
        return self.call("GET", "/mlflow/runs/get", {"run_uuid": run_id, "run_id": run_id})["run"]

    def search_runs(
        self,
        experiment_ids,
        filter=None,
        run_view_type="ACTIVE_ONLY",
        max_results=1000,
        order_by=None,
        page_token=None,
    ):
        fields = {
            "experiment_ids": [str(e) for e in experiment_ids],
            "filter": filter,
            "run_view_type": run_view_type,
            "max_results": max_results,
            "order_by": order_by,
            "page_token": page_token,
        }
        return self.call("POST", "/mlflow/runs/search", fields)

    def log_metric(self, run_id, key, value, timestamp, step=0):
        fields = {
            "run_uuid": run_id,
            "run_id": run_id,
            "key": key,
            "value": encode_double(value),
            "timestamp": timestamp,
            "step": step,
        }
        return self.call("POST", "/mlflow/runs/log-metric", fields)

    def log_param(self, run_id, key, value):
        fields = {"run_uuid": run_id, "run_id": run_id, "key": key, "value": value}
        return self.call("POST", "/mlflow/runs/log-parameter", fields)

    def log_batch(self, run_id, metrics=None, params=None, tags=None):
        """metrics: dicts from metric_json; params/tags: dict or pairs."""
        fields = {
            "metrics": metrics or [],
            "params": tags_json(params) or [],
            "tags": tags_json(tags) or [],
            "run_id": run_id,
        }
        return self.call("POST", "/mlflow/runs/log-batch", fields)

    def set_tag(self, run_id, key, value):
        fields = {"run_uuid": run_id, "run_id": run_id, "key": key, "value": value}
        return self.call("POST", "/mlflow/runs/set-tag", fields)

    def delete_tag(self, run_id, key):
        return self.call("POST", "/mlflow/runs/delete-tag", {"run_id": run_id, "key": key})

    def log_model(self, run_id, model):
        fields = {"run_id": run_id, "model_json": json.dumps(model)}
        return self.call("POST", "/mlflow/runs/log-model", fields)

    def log_inputs(self, run_id, datasets):
        """datasets: [{"tags": [...], "dataset": {name, digest, ...}}]."""
        return self.call(
            "POST", "/mlflow/runs/log-inputs", {"run_id": run_id, "datasets": datasets}
        )

    def get_metric_history(self, run_id, key, max_results=None, page_token=None):
        fields = {
            "run_uuid": run_id,
            "run_id": run_id,
            "metric_key": key,
            "max_results": max_results,
            "page_token": page_token,
        }
        return self.call("GET", "/mlflow/metrics/get-history", fields)

    def get_metric_history_bulk_interval(
        self, run_ids, key, start_step=None, end_step=None, max_results=None
    ):
        fields = {
            "run_ids": list(run_ids),
            "metric_key": key,
            "start_step": start_step,
            "end_step": end_step,
            "max_results": max_results,
        }
        return self.call("GET", "/mlflow/metrics/get-history-bulk-interval", fields)

    def list_run_artifacts(self, run_id, path=None, page_token=None):
        fields = {"run_id": run_id, "path": path, "page_token": page_token}
        return self.call("GET", "/mlflow/artifacts/list", fields)

    # ------------------------------------------------------------------ registry

    def create_registered_model(self, name, tags=None, description=None):
        fields = {"name": name, "tags": tags_json(tags), "description": description}
        return self.call("POST", "/mlflow/registered-models/create", fields)["registered_model"]

    def update_registered_model(self, name, description):
        fields = {"name": name, "description": description}
        return self.call("PATCH", "/mlflow/registered-models/update", fields)["registered_model"]

    def rename_registered_model(self, name, new_name):
        fields = {"name": name, "new_name": new_name}
        return self.call("POST", "/mlflow/registered-models/rename", fields)["registered_model"]

    def delete_registered_model(self, name):
        return self.call("DELETE", "/mlflow/registered-models/delete", {"name": name})

    def get_registered_model(self, name):
        return self.call("GET", "/mlflow/registered-models/get", {"name": name})["registered_model"]

    def search_registered_models(
        self, filter=None, max_results=None, order_by=None, page_token=None
    ):
        fields = {
            "filter": filter,
            "max_results": max_results,
            "order_by": order_by,
            "page_token": page_token,
        }
        return self.call("GET", "/mlflow/registered-models/search", fields)

    def get_latest_versions(self, name, stages=None, method="POST"):
        fields = {"name": name, "stages": stages}
        answer = self.call(method, "/mlflow/registered-models/get-latest-versions", fields)
        return answer.get("model_versions", [])

    def set_registered_model_tag(self, name, key, value):
        fields = {"name": name, "key": key, "value": value}
        return self.call("POST", "/mlflow/registered-models/set-tag", fields)

    def delete_registered_model_tag(self, name, key):
        return self.call(
            "DELETE", "/mlflow/registered-models/delete-tag", {"name": name, "key": key}
        )

    def create_model_version(
        self, name, source, run_id=None, tags=None, run_link=None, description=None
    ):
        fields = {
            "name": name,
            "source": source,
            "run_id": run_id,
            "run_link": run_link,
            "tags": tags_json(tags),
            "description": description,
        }
        return self.call("POST", "/mlflow/model-versions/create", fields)["model_version"]

    def transition_model_version_stage(self, name, version, stage, archive_existing_versions):
        fields = {
            "name": name,
            "version": str(version),
            "stage": stage,
            "archive_existing_versions": archive_existing_versions,
        }
        return self.call("POST", "/mlflow/model-versions/transition-stage", fields)["model_version"]

    def update_model_version(self, name, version, description):
        fields = {"name": name, "version": str(version), "description": description}
        return self.call("PATCH", "/mlflow/model-versions/update", fields)["model_version"]

    def delete_model_version(self, name, version):
        fields = {"name": name, "version": str(version)}
        return self.call("DELETE", "/mlflow/model-versions/delete", fields)

    def get_model_version(self, name, version):
        fields = {"name": name, "version": str(version)}
        return self.call("GET", "/mlflow/model-versions/get", fields)["model_version"]

    def get_model_version_download_uri(self, name, version):
        fields = {"name": name, "version": str(version)}
        return self.call("GET", "/mlflow/model-versions/get-download-uri", fields)["artifact_uri"]

    def search_model_versions(self, filter=None, max_results=None, order_by=None, page_token=None):
        fields = {
            "filter": filter,
            "max_results": max_results,
            "order_by": order_by,
            "page_token": page_token,
        }
        return self.call("GET", "/mlflow/model-versions/search", fields)

    def set_model_version_tag(self, name, version, key, value):
        fields = {"name": name, "version": str(version), "key": key, "value": value}
        return self.call("POST", "/mlflow/model-versions/set-tag", fields)

    def delete_model_version_tag(self, name, version, key):
        fields = {"name": name, "version": str(version), "key": key}
        return self.call("DELETE", "/mlflow/model-versions/delete-tag", fields)

    def set_registered_model_alias(self, name, alias, version):
        fields = {"name": name, "alias": alias, "version": str(version)}
        return self.call("POST", "/mlflow/registered-models/alias", fields)

    def delete_registered_model_alias(self, name, alias):
        fields = {"name": name, "alias": alias}
        return self.call("DELETE", "/mlflow/registered-models/alias", fields)

    def get_model_version_by_alias(self, name, alias):
        fields = {"name": name, "alias": alias}
        return self.call("GET", "/mlflow/registered-models/alias", fields)["model_version"]

    # ------------------------------------------------------------------ mlflow-artifacts

    def _artifact_path(self, path):
        quoted = urllib.parse.quote(path.lstrip("/"), safe="/")
        return f"{self.prefix}{ARTIFACTS}/{quoted}"

    def upload_artifact(self, path, data, content_type="application/octet-stream"):
        """PUT the raw bytes, as HttpArtifactRepository.log_artifact does."""
        full = self._artifact_path(path)
        resp = self.raw("PUT", full, data, {"Content-Type": content_type})
        return self._answer("PUT", full, data, resp)

    def download_artifact(self, path):
        full = self._artifact_path(path)
        resp = self.raw("GET", full)
        if resp.status != 200:
            self._answer("GET", full, None, resp)
        return resp.body

    def list_artifacts(self, path=None):
        """GET .../artifacts?path=<dir>; the answer's `files` (may be absent)."""
        fields = {"path": path} if path is not None else {}
        return self.call("GET", ARTIFACTS, fields)

    def delete_artifact(self, path):
        full = self._artifact_path(path)
        resp = self.raw("DELETE", full)
        return self._answer("DELETE", full, None, resp)


def proxied_path(artifact_uri):
    """The path under /mlflow-artifacts/artifacts of an "mlflow-artifacts:"
    URI, as HttpArtifactRepository resolves it ("mlflow-artifacts:/1/r/artifacts"
    -> "1/r/artifacts"; a host part, "mlflow-artifacts://h:p/x", is dropped)."""
    parsed = urllib.parse.urlparse(artifact_uri)
    if parsed.scheme != "mlflow-artifacts":
        raise ValueError(f"not an mlflow-artifacts URI: {artifact_uri}")
    return parsed.path.lstrip("/")
