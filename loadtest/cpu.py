"""The CPU seconds (user and system) taken so far by processes and their children, from /proc:
`python loadtest/cpu.py PID...` (run.sh: each gunicorn master and its workers, before they stop)."""

import os
import sys


def ticks(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as listed:
            return [int(child) for child in listed.read().split()]
    except OSError:
        return []


if __name__ == "__main__":
    pids = [int(pid) for pid in sys.argv[1:]]
    total = sum(ticks(pid) + sum(ticks(child) for child in children(pid)) for pid in pids)
    print(f"{total / os.sysconf('SC_CLK_TCK'):.1f}")
