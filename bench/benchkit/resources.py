"""Counting and removing the Docker resources of one benchmark variant, scoped by labels.

A scope is a list of label filters that only our own resources carry: the compose project label
of a uniquely named baseline project, or the owner label of an orchestrate process we started.
Nothing is ever matched by name, and nothing outside a scope is touched.
"""

from dataclasses import dataclass

from benchkit.engine import EngineError


@dataclass
class ResourceCount:
    containers: int = 0
    networks: int = 0
    volumes: int = 0

    def __add__(self, other):
        return ResourceCount(self.containers + other.containers, self.networks + other.networks,
                             self.volumes + other.volumes)

    def total(self):
        return self.containers + self.networks + self.volumes

    def __str__(self):
        return f"{self.containers}/{self.networks}/{self.volumes}"


def compose_project_scope(project):
    return [f"com.docker.compose.project={project}"]


def orchestrate_owner_scope(owner):
    return [f"io.orchestrate.owner={owner}"]


def count_resources(engine, scope):
    """Containers (running or not), networks and volumes carrying every label in `scope`."""
    return ResourceCount(len(engine.containers(scope)), len(engine.networks(scope)),
                         len(engine.volumes(scope)))


def remove_resources(engine, scope):
    """Force-removes everything in `scope`, containers first (they hold networks and volumes).
    Returns the messages of what could not be removed; never raises for a single resource."""
    failures = []
    steps = [
        (lambda: engine.containers(scope), lambda item: engine.remove_container(item["Id"])),
        (lambda: engine.networks(scope), lambda item: engine.remove_network(item["Id"])),
        (lambda: engine.volumes(scope), lambda item: engine.remove_volume(item["Name"])),
    ]
    for list_items, remove in steps:
        try:
            items = list_items()
        except EngineError as error:
            failures.append(str(error))
            continue
        for item in items:
            try:
                remove(item)
            except EngineError as error:
                failures.append(str(error))
    return failures
