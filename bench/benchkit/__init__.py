"""Helpers of scripts/bench: the Docker Engine API, compose stacks, sampling, timing, reporting.

Also imported by the pytest plugins in bench/plugins (the xdist baseline's per-worker stack), so
this package uses the Python standard library and PyYAML only (Debian's /usr/bin/python3 has both).
"""
