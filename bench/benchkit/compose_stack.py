"""The example project as the baselines see it, and a compose stack started by hand.

The baselines must start the same stack orchestrate starts and hand the tests the same variables,
so they read orchestrate.yaml (the test environment's compose files), the suite file (pytest
paths and args) and the fixture files (service, port, environment template) instead of copying
their values.
"""

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import yaml


def _load_yaml(path):
    with open(path, encoding="utf-8") as stream:
        return yaml.safe_load(stream) or {}


@dataclass
class Fixture:
    service: str
    port: int
    environment: dict = field(default_factory=dict)


@dataclass
class SuiteLayout:
    root: Path
    compose_files: list
    pytest_paths: list
    pytest_args: list
    fixtures: list

    @classmethod
    def load(cls, root, suite, environment="test"):
        """Reads <root>/orchestrate.yaml, its suite file and the suite's fixture files."""
        root = Path(root).resolve()
        project = _load_yaml(root / "orchestrate.yaml")
        compose_files = [str(root / f) for f in
                         project["environments"][environment]["compose_files"]]
        suite_config = _load_yaml(root / project.get("suites_dir", "suites") / f"{suite}.yaml")
        fixtures_dir = root / project.get("fixtures_dir", "fixtures")
        fixtures = []
        for name in suite_config.get("fixtures") or []:
            data = _load_yaml(fixtures_dir / f"{name}.yaml")
            fixtures.append(Fixture(data["service"], int(data["port"]),
                                    {k: str(v) for k, v in
                                     (data.get("environment") or {}).items()}))
        return cls(root, compose_files, list(suite_config["paths"]),
                   list(suite_config.get("args") or []), fixtures)


class ComposeError(RuntimeError):
    pass


class ComposeStack:
    """One `docker compose -p <project>` stack of the given files, run from `cwd`."""

    def __init__(self, project, compose_files, cwd):
        self.project = project
        self._compose_files = list(compose_files)
        self._cwd = str(cwd)

    def command(self, *arguments):
        argv = ["docker", "compose", "-p", self.project]
        for compose_file in self._compose_files:
            argv += ["-f", compose_file]
        return argv + list(arguments)

    def _run(self, *arguments, timeout=300):
        result = subprocess.run(self.command(*arguments), cwd=self._cwd, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, timeout=timeout, check=False)
        if result.returncode != 0:
            raise ComposeError(f"{' '.join(self.command(*arguments))} exited "
                               f"{result.returncode}:\n{result.stdout[-2000:]}")
        return result.stdout

    def up(self):
        """`up -d --wait`: returns once every service with a healthcheck is healthy."""
        self._run("up", "-d", "--wait")

    def down(self, stop_timeout=None):
        """`down -v`, with `-t` only when a stop timeout is given (compose's default is 10 s)."""
        arguments = ["down", "-v"]
        if stop_timeout is not None:
            arguments += ["-t", str(stop_timeout)]
        self._run(*arguments)

    def published_address(self, service, port):
        """(host, port) that `docker compose port` reports for a container port."""
        address = self._run("port", service, str(port), timeout=60).strip().splitlines()[-1]
        host, _, host_port = address.rpartition(":")
        return host.strip("[]"), host_port

    def fixture_environment(self, fixtures):
        """The variables orchestrate would export for `fixtures`, with this stack's ports."""
        environment = {}
        for fixture in fixtures:
            host, port = self.published_address(fixture.service, fixture.port)
            for name, template in fixture.environment.items():
                environment[name] = template.replace("{host}", host).replace("{port}", port)
        return environment
