"""The web benchmark's machinery: a gunicorn of our own on 127.0.0.1, and wrk (or Python) replaying requests.

Only the PIDs started here are signalled: the gunicorn master and, if it dies first, its own workers.
"""
from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORM = "application/x-www-form-urlencoded"

# wrk replays the pre-made requests in order, one Lua state (-t1), each request exactly once.
WRK_SCRIPT = r"""
local requests, i = {}, 0
function init(args)
  for line in io.lines(args[1]) do
    local path, cookie, client, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    local headers = {["Cookie"] = cookie, ["X-Bench-Client"] = client}
    if body ~= "" then headers["Content-Type"] = "application/x-www-form-urlencoded" end
    requests[#requests + 1] = wrk.format(args[2], path, headers, body ~= "" and body or nil)
  end
end
function request()
  i = i % #requests + 1
  return requests[i]
end
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`gunicorn -w N 'benchmarks.web:bench_app()'`: sync workers, no access log, no control socket."""

    def __init__(self, url: str, workdir: Path, workers: int, secret_key: str):
        workdir.mkdir(parents=True, exist_ok=True)
        self.port, self.workers, self.log = _free_port(), workers, workdir / "gunicorn.log"
        conf = workdir / "gunicorn_bench.conf.py"
        conf.write_text(f"bind = '127.0.0.1:{self.port}'\nworkers = {workers}\ntimeout = 30\n"
                        f"graceful_timeout = 5\nerrorlog = {str(self.log)!r}\nloglevel = 'info'\n"
                        f"control_socket_disable = True\n")
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secret_key, "SESSION_COOKIE_SECURE": "0",
               "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://")}
        env.pop("GUNICORN_CMD_ARGS", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(conf), "benchmarks.web:bench_app()"],
                                     cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    @property
    def base(self) -> str:
        return f"127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        try:
            return [int(p) for p in Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()]
        except FileNotFoundError:
            return []

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("gunicorn exited:\n" + self.log.read_text(errors="replace")[-3000:])
            booted = self.log.exists() and self.log.read_text(errors="replace").count("Booting worker")
            if booted and booted >= self.workers and _status(self.base, "GET", "/healthz") == 200:
                return
            time.sleep(0.2)
        raise TimeoutError("gunicorn did not start")

    def cpu_seconds(self) -> float:
        """CPU time of the master and its live workers so far: a per-request cost that other load on the
        machine barely changes, unlike requests per second."""
        total = 0
        for pid in [self.proc.pid, *self.worker_pids()]:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
        return total / os.sysconf("SC_CLK_TCK")

    def peak_rss_mib(self) -> float:
        """The largest VmHWM (peak resident set) among the workers, in MiB."""
        peaks = []
        for pid in self.worker_pids():
            match = re.search(r"^VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
            peaks.append(int(match.group(1)) / 1024 if match else 0)
        return max(peaks, default=0.0)

    def stop(self) -> None:
        workers = {pid: _start_time(pid) for pid in self.worker_pids()}
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        for pid, started in workers.items():  # orphans of a hung master, if still the same processes
            if started is not None and _start_time(pid) == started:
                os.kill(pid, signal.SIGKILL)


def _start_time(pid: int) -> int | None:
    """Start time in clock ticks since boot: tells our worker from a later process that reuses its pid."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def _send(base: str, method: str, spec: tuple[str, str, str, str], timeout: float = 30) -> int:
    path, cookie, client, body = spec
    host, port = base.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        headers = {"Cookie": cookie, "X-Bench-Client": client}
        if body:
            headers["Content-Type"] = FORM
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _status(base: str, method: str, path: str) -> int | None:
    try:
        return _send(base, method, (path, "", "", ""), timeout=5)
    except OSError:
        return None


def warm_up(base: str, specs: list[tuple[str, str, str, str]]) -> None:
    """Load every worker's lazy parts (templates, analyzers) before timing; each answer must be a redirect."""
    for spec in specs:
        status = _send(base, "POST", spec)
        if status != 302:
            raise RuntimeError(f"warm-up submission answered {status}, expected 302")
        _send(base, "GET", ("/_bench/hello", "", "", ""))


def run(base: str, method: str, specs: list, args, workdir: Path) -> dict:  # noqa: ANN001
    if shutil.which("wrk"):
        return _run_wrk(base, method, specs, args, workdir)
    return _run_python(base, method, specs, args)


def _run_wrk(base: str, method: str, specs: list, args, workdir: Path) -> dict:  # noqa: ANN001
    script, data = workdir / "replay.lua", workdir / f"requests-{method}.tsv"
    script.write_text(WRK_SCRIPT)
    data.write_text("".join("\t".join(spec) + "\n" for spec in specs))
    out = subprocess.run(["wrk", "-t1", f"-c{args.connections}", f"-d{args.seconds:g}s", "--latency", "-s", str(script),
                          f"http://{base}/", "--", str(data), method],
                         capture_output=True, text=True, timeout=args.seconds + 60, check=True).stdout
    latency = {q: _ms(v, unit) for q, v, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\b", out, re.M)}
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket_errors = re.search(r"Socket errors: (.*)", out)
    errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1))) if socket_errors else 0
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "p50_ms": latency["50"], "p99_ms": latency["99"], "errors": errors, "generator": "wrk -t1"}


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _run_python(base: str, method: str, specs: list, args) -> dict:  # noqa: ANN001
    """A closed loop of `connections` threads; slower than wrk (the GIL), so ratios are less exact."""
    lock, latencies, errors, position = threading.Lock(), [], [0], [0]
    deadline = time.monotonic() + args.seconds

    def worker() -> None:
        while time.monotonic() < deadline:
            with lock:
                spec, position[0] = specs[position[0] % len(specs)], position[0] + 1
            started = time.perf_counter()
            try:
                ok = _send(base, method, spec) < 400
            except OSError:
                ok = False
            with lock:
                latencies.append(time.perf_counter() - started)
                errors[0] += not ok

    threads = [threading.Thread(target=worker) for _ in range(args.connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    pick = lambda q: 1000 * latencies[min(int(q * len(latencies)), len(latencies) - 1)]  # noqa: E731
    return {"rps": len(latencies) / args.seconds, "requests": len(latencies), "p50_ms": pick(0.50),
            "p99_ms": pick(0.99), "errors": errors[0], "generator": "Python threads (wrk not installed)"}
