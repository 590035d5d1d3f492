"""A bounded load generator: P processes × T threads, each thread with its own keep-alive connection to
a loopback address, a fixed number of requests in all and a time cap.

The generator shares the machine's two cores with the server it measures, so it is kept lean: each
thread sends the same request bytes, prepared once, over a raw socket and reads the answer by its
Content-Length (http.client built and parsed every request in Python, and took a large share of the CPU
from the server). Processes, not only threads, so that the generator's own Python does not become the
bottleneck that hides the server's speed. Only loopback addresses are accepted: this is a benchmark of
the local machine, never a load test of anything else.
"""
from __future__ import annotations

import http.client
import multiprocessing
import re
import socket
import threading
import time
from dataclasses import dataclass, field

LOOPBACK = ("127.0.0.1", "localhost", "::1")

# Each thread opens a new connection after this many requests. The server's workers accept connections
# from one shared socket and keep them while they stay open: eight connections opened at one moment
# could all land on the same worker and leave the other idle for the whole run, which measured the
# luck of the first accept rather than the server. Users come and go; so do these connections.
REQUESTS_PER_CONNECTION = 50


@dataclass
class Result:
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    statuses: dict = field(default_factory=dict)
    latencies: list = field(default_factory=list)
    capped: bool = False  # the time cap ended the run before every request was sent
    first_error: str = ""

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)")


class _Connection:
    """One keep-alive HTTP/1.1 connection that sends prepared request bytes and reads whole answers."""

    def __init__(self, host: str, port: int):
        self.address = (host, port)
        self.sock: socket.socket | None = None
        self.buffer = b""

    def ask(self, request: bytes) -> int:
        """Send the request, read the whole answer; its status."""
        if self.sock is None:
            self.sock = socket.create_connection(self.address, timeout=120)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.buffer = b""
        self.sock.sendall(request)
        head = self._until(b"\r\n\r\n").lower()
        status = int(head[9:12])
        length = _LENGTH.search(head)
        if b"\r\ntransfer-encoding: chunked" in head:
            while True:
                size = int(self._until(b"\r\n").split(b";")[0], 16)
                self._exactly(size + 2)
                if size == 0:
                    break
        elif length:
            self._exactly(int(length.group(1)))
        if b"\r\nconnection: close" in head:
            self.close()
        return status

    def _until(self, end: bytes) -> bytes:
        while (at := self.buffer.find(end)) < 0:
            self._more()
        found, self.buffer = self.buffer[:at], self.buffer[at + len(end):]
        return found

    def _exactly(self, n: int) -> bytes:
        while len(self.buffer) < n:
            self._more()
        found, self.buffer = self.buffer[:n], self.buffer[n:]
        return found

    def _more(self) -> None:
        chunk = self.sock.recv(262144)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buffer += chunk

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def _request_bytes(host, port, method, path, headers, body) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")


def _thread(host, port, method, path, headers, body, count, expect, deadline, out, lock):
    conn = _Connection(host, port)
    request = _request_bytes(host, port, method, path, headers, body)
    done = errors = 0
    statuses: dict = {}
    latencies = []
    first_error = ""
    capped = False
    for _ in range(count):
        if time.monotonic() > deadline:
            capped = True
            break
        started = time.monotonic()
        if done and done % REQUESTS_PER_CONNECTION == 0:
            conn.close()
        try:
            status = conn.ask(request)
        except (OSError, ValueError) as exc:
            conn.close()
            status = type(exc).__name__
        latencies.append(time.monotonic() - started)
        statuses[status] = statuses.get(status, 0) + 1
        done += 1
        if status not in expect:
            errors += 1
            first_error = first_error or f"{method} {path} → {status}"
    conn.close()
    with lock:
        out.append((done, errors, statuses, latencies, capped, first_error))


def _process(args):
    (host, port, method, path, headers, body, counts, expect, cap, start_at) = args
    # Every process waits for the same moment, so that the clock measures them running together.
    time.sleep(max(0.0, start_at - time.time()))
    deadline = time.monotonic() + cap
    out, lock = [], threading.Lock()
    started = time.time()
    threads = [threading.Thread(target=_thread, args=(host, port, method, path, headers, body, n, expect,
                                                      deadline, out, lock)) for n in counts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return started, time.time(), out


def run(url_host: str, port: int, path: str, *, total: int, processes: int = 2, threads: int = 4,
        method: str = "GET", headers: dict | None = None, body: bytes | None = None,
        expect=(200,), cap: float = 20.0) -> Result:
    """Send `total` requests (split over processes × threads), stopping at `cap` seconds."""
    if url_host not in LOOPBACK:
        raise ValueError("the benchmark only loads loopback addresses")
    workers = processes * threads
    per = [total // workers + (1 if i < total % workers else 0) for i in range(workers)]
    start_at = time.time() + 0.3
    jobs = [(url_host, port, method, path, headers or {}, body, per[p * threads:(p + 1) * threads], tuple(expect),
             cap, start_at) for p in range(processes)]
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(processes) as pool:
        parts = pool.map(_process, jobs)
    result = Result()
    begin = min(p[0] for p in parts)
    end = max(p[1] for p in parts)
    result.seconds = end - begin
    for _, _, out in parts:
        for done, errors, statuses, latencies, capped, first_error in out:
            result.requests += done
            result.errors += errors
            result.latencies.extend(latencies)
            result.capped |= capped
            result.first_error = result.first_error or first_error
            for k, v in statuses.items():
                result.statuses[k] = result.statuses.get(k, 0) + v
    return result


def one(host: str, port: int, method: str, path: str, headers: dict | None = None, body: bytes | None = None):
    """A single request: (status, headers (lower-case name → value; Set-Cookie values joined by
    newlines), body bytes, seconds)."""
    if host not in LOOPBACK:
        raise ValueError("the benchmark only talks to loopback addresses")
    conn = http.client.HTTPConnection(host, port, timeout=300)
    started = time.perf_counter()
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        seen: dict = {}
        for k, v in response.getheaders():
            k = k.lower()
            seen[k] = seen[k] + "\n" + v if k in seen else v
        return response.status, seen, data, time.perf_counter() - started
    finally:
        conn.close()
