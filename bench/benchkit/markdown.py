"""Small formatting helpers for bench/RESULTS.md."""

import os
import platform
import subprocess


def table(headers, rows):
    """A GitHub markdown table; cells are converted with str()."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for row in rows:
        lines.append("| " + " | ".join(str(cell) for cell in row) + " |")
    return "\n".join(lines)


def seconds(value):
    return "—" if value is None else f"{value:.2f}"


def milliseconds(seconds_value):
    """Seconds shown as whole milliseconds; an em dash when unknown."""
    return "—" if seconds_value is None else f"{seconds_value * 1000:.0f}"


def mebibytes(value):
    return "—" if not value else f"{value / 1048576:.0f}"


def ratio(numerator, denominator):
    if numerator is None or not denominator:
        return "—"
    return f"{numerator / denominator:.2f}x"


def _command_output(argv):
    try:
        return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                              timeout=30, check=False).stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def machine_description(orchestrate_binary, shown_as):
    """Lines naming the machine, the engine and the tools the numbers were taken with."""
    memory = "unknown"
    with open("/proc/meminfo", encoding="ascii") as stream:
        for line in stream:
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1048576:.1f} GiB"
    return [
        f"- CPUs (nproc): {os.cpu_count()}, memory: {memory}, kernel {platform.release()}",
        "- Docker engine: " + _command_output(
            ["docker", "version", "--format", "{{.Server.Version}} (API {{.Server.APIVersion}})"]),
        "- Docker Compose: " + _command_output(["docker", "compose", "version", "--short"]),
        f"- orchestrate: {_command_output([str(orchestrate_binary), '--version'])} ({shown_as}, "
        "copied at the start)",
        "- pytest: " + _command_output(["/usr/bin/python3", "-m", "pytest", "--version"])
        + ", pytest-xdist " + _command_output(
            ["/usr/bin/python3", "-c", "import xdist; print(xdist.__version__)"]),
    ]
