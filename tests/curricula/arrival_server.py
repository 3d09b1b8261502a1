"""A one-process, one-thread HTTP server that notes when each request's first bytes arrive.

On Linux the time is the kernel's receive timestamp of the segment (SO_TIMESTAMP), which no
scheduling delay of this process can blur (a loaded machine descheduled it for tens of ms);
elsewhere it is the time of reading.

Run as `python -m tests.curricula.arrival_server`: it prints its port, serves until its stdin
closes, then prints the arrival times (epoch seconds) as JSON. It runs
in a process of its own so that the checker's threads in the test process cannot delay its
clock readings (the GIL switches every 5 ms)."""

from __future__ import annotations

import heapq
import itertools
import json
import re
import selectors
import socket
import struct
import sys
import threading
import time

SO_TIMESTAMP = getattr(socket, "SO_TIMESTAMP", 29)  # Linux's value; Python does not name it


class ArrivalServer:
    """A one-thread HTTP server that notes when each request's first bytes arrive.

    One event loop, no thread per connection: a thread-per-connection server would itself add
    tens of milliseconds of jitter under load (a new connection waits for its thread) and blur
    the gaps it is meant to measure. Answers are delayed without blocking the loop; every
    third one closes its connection, so the next request on it needs a new one."""

    def __init__(self) -> None:
        self.arrivals: list[float] = []
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.setblocking(False)
        if sys.platform.startswith("linux"):
            # On the listening socket, so that accepted sockets inherit it and the first
            # request of a new connection (sent before the accept) is timestamped too.
            self.sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMP, 1)
        self.port = self.sock.getsockname()[1]
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.sock, selectors.EVENT_READ)
        self.buffers: dict[socket.socket, bytes] = {}
        self.replies: list[tuple[float, int, socket.socket, bool]] = []
        self.count = itertools.count()
        self.stopping = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def url(self, i: int) -> str:
        return f"http://127.0.0.1:{self.port}/p?i={i}"

    def _loop(self) -> None:
        while not self.stopping:
            timeout = 0.01
            if self.replies:
                timeout = max(0.0, min(timeout, self.replies[0][0] - time.monotonic()))
            for key, _ in self.selector.select(timeout):
                if key.fileobj is self.sock:
                    conn, _ = self.sock.accept()
                    conn.setblocking(False)
                    self.selector.register(conn, selectors.EVENT_READ)
                    self.buffers[conn] = b""
                else:
                    self._read(key.fileobj)  # type: ignore[arg-type]
            while self.replies and self.replies[0][0] <= time.monotonic():
                _, _, conn, close = heapq.heappop(self.replies)
                headers = "Connection: close\r\n" if close else ""
                try:
                    conn.sendall(
                        f"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n{headers}\r\nok".encode()
                    )
                except OSError:
                    close = True
                if close:
                    self._drop(conn)

    def _read(self, conn: socket.socket) -> None:
        try:
            data, ancdata, _, _ = conn.recvmsg(65536, socket.CMSG_SPACE(16))
        except OSError:
            data, ancdata = b"", []
        if not data:
            self._drop(conn)
            return
        if not self.buffers[conn]:
            when = time.time()
            for level, kind, raw in ancdata:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMP and len(raw) >= 16:
                    seconds, micros = struct.unpack("qq", raw[:16])
                    when = seconds + micros / 1e6
            self.arrivals.append(when)
        self.buffers[conn] += data
        if b"\r\n\r\n" in self.buffers[conn]:
            head = self.buffers[conn].split(b"\r\n\r\n", 1)[0].decode()
            self.buffers[conn] = b""
            n = int(re.search(r"i=(\d+)", head).group(1))  # type: ignore[union-attr]
            due = time.monotonic() + 0.05 * (n % 4)
            heapq.heappush(self.replies, (due, next(self.count), conn, n % 3 == 0))

    def _drop(self, conn: socket.socket) -> None:
        if conn in self.buffers:
            self.selector.unregister(conn)
            del self.buffers[conn]
            conn.close()

    def stop(self) -> None:
        self.stopping = True
        self.thread.join(5)
        for conn in list(self.buffers):
            self._drop(conn)
        self.sock.close()


def main() -> None:
    server = ArrivalServer()
    print(server.port, flush=True)
    sys.stdin.read()
    server.stop()
    print(json.dumps(server.arrivals), flush=True)


if __name__ == "__main__":
    main()
