"""A tiny Docker Engine API client over the Unix socket (standard library only).

The benchmark lists and removes resources by label with it: the API answers in milliseconds, where
each `docker ps` costs a process start, and it never matches by name.
"""

import http.client
import json
import socket
import urllib.parse

SOCKET_PATH = "/var/run/docker.sock"


class EngineError(RuntimeError):
    pass


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout):
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self._path)


class Engine:
    """One API version, negotiated from /_ping; a new connection per request (thread safe)."""

    def __init__(self, path=SOCKET_PATH, timeout=30.0):
        self._path = path
        self._timeout = timeout
        status, headers, _ = self._request("GET", "/_ping")
        if status != 200:
            raise EngineError(f"GET /_ping answered {status}")
        self._prefix = "/v" + headers.get("API-Version", "1.41")

    def _request(self, method, path, query=None):
        if query:
            path += "?" + urllib.parse.urlencode(query)
        connection = _UnixConnection(self._path, self._timeout)
        try:
            connection.request(method, path)
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        except OSError as error:
            raise EngineError(f"{method} {path}: {error}") from error
        finally:
            connection.close()

    def _get_json(self, path, query=None):
        status, _, body = self._request("GET", self._prefix + path, query)
        if status != 200:
            raise EngineError(f"GET {path} answered {status}: {body[:200]!r}")
        return json.loads(body)

    @staticmethod
    def _label_query(labels, all_containers=False):
        query = {"filters": json.dumps({"label": list(labels)})}
        if all_containers:
            query["all"] = "1"
        return query

    def containers(self, labels, all_containers=True):
        """Containers carrying every label filter ("key" or "key=value"), as the API lists them."""
        return self._get_json("/containers/json", self._label_query(labels, all_containers))

    def networks(self, labels):
        return self._get_json("/networks", self._label_query(labels))

    def volumes(self, labels):
        return self._get_json("/volumes", self._label_query(labels)).get("Volumes") or []

    def memory_stats(self, container_id):
        """One stats sample of a running container (one-shot: no second sampling cycle)."""
        return self._get_json(f"/containers/{container_id}/stats",
                              {"stream": "false", "one-shot": "true"})

    def remove_container(self, container_id):
        self._delete(f"/containers/{container_id}", {"force": "1", "v": "1"})

    def remove_network(self, network_id):
        self._delete(f"/networks/{network_id}")

    def remove_volume(self, name):
        self._delete(f"/volumes/{name}")

    def _delete(self, path, query=None):
        status, _, body = self._request("DELETE", self._prefix + path, query)
        if status not in (200, 204, 404):
            raise EngineError(f"DELETE {path} answered {status}: {body[:200]!r}")
