"""Load generator of the webhook benchmark, run in its own process.

    python bench/loadgen.py open --url URL --requests FILE --rate 100 --duration 20
    python bench/loadgen.py closed --url URL --requests FILE --concurrency 32 --duration 15

FILE holds one precomputed request a line: "<X-Twilio-Signature>\\t<form body>\\t<expect>",
where <expect> is a text the answer must contain (empty: any 200 text/xml answer).

`open` is open-loop: request i is due at t0 + i/rate and sent then, whatever happened
to the earlier ones (a pool of threads, so a slow answer never delays the next send);
latency counts from the due time, so a late send is charged to the figures. `closed`
keeps `concurrency` requests in flight (the fallback when wrk is not installed; in
Python it can be the bottleneck itself). Both print one JSON line.
"""

import argparse
import http.client
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit


def read_requests(path: str) -> list[tuple[str, bytes, str]]:
    rows = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            signature, body, expect = line.rstrip("\n").split("\t")
            rows.append((signature, body.encode(), expect))
    return rows


class Client:
    """One keep-alive connection per thread (reopened when the server closes it)."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.host, self.port, self.path = parts.hostname, parts.port, parts.path
        self.local = threading.local()

    def post(self, signature: str, body: bytes, expect: str) -> tuple[bool, str]:
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = self.local.connection = http.client.HTTPConnection(
                self.host, self.port, timeout=30
            )
        try:
            connection.request(
                "POST",
                self.path,
                body=body,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Twilio-Signature": signature,
                },
            )
            response = connection.getresponse()
            data = response.read().decode("utf-8", "replace")
            if response.will_close:
                connection.close()
        except (OSError, http.client.HTTPException) as problem:
            connection.close()
            self.local.connection = None
            return False, f"network: {type(problem).__name__}"
        if response.status != 200:
            return False, f"status {response.status}"
        if not response.getheader("Content-Type", "").startswith("text/xml"):
            return False, "not text/xml"
        if expect and expect not in data:
            return False, "unexpected answer"
        return True, ""


def summarise(latencies: list[float], errors: dict[str, int], elapsed: float, sent: int) -> dict:
    ordered = sorted(latencies)

    def pick(percent: float) -> float:
        if not ordered:
            return float("nan")
        rank = max(1, -(-len(ordered) * percent // 100))
        return ordered[min(int(rank), len(ordered)) - 1] * 1000

    return {
        "sent": sent,
        "ok": len(ordered),
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "elapsed_s": round(elapsed, 3),
        "throughput": round(len(ordered) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(pick(50), 2),
        "p90_ms": round(pick(90), 2),
        "p99_ms": round(pick(99), 2),
        "max_ms": round(ordered[-1] * 1000, 2) if ordered else float("nan"),
    }


def open_loop(url: str, requests: list, rate: float, duration: float, threads: int) -> dict:
    client = Client(url)
    count = min(int(rate * duration), len(requests))
    latencies: list[float] = []
    late_sends: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()

    def fire(index: int, due: float) -> None:
        started = time.perf_counter()
        ok, why = client.post(*requests[index])
        finished = time.perf_counter()
        with lock:
            late_sends.append(started - due)
            if ok:
                latencies.append(finished - due)
            else:
                errors[why] = errors.get(why, 0) + 1

    with ThreadPoolExecutor(threads) as pool:
        t0 = time.perf_counter() + 0.1
        for index in range(count):
            due = t0 + index / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(fire, index, due)
        # Throughput over the offered window plus whatever the last answers took.
    elapsed = time.perf_counter() - t0
    result = summarise(latencies, errors, elapsed, count)
    result["offered_rate"] = rate
    late = sorted(late_sends)
    result["send_lag_p99_ms"] = round(late[int(len(late) * 0.99) - 1] * 1000, 2) if late else None
    return result


def closed_loop(url: str, requests: list, concurrency: int, duration: float) -> dict:
    client = Client(url)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()
    next_index = iter(range(len(requests)))
    started = time.perf_counter()
    deadline = started + duration

    def worker() -> None:
        while time.perf_counter() < deadline:
            with lock:
                index = next(next_index, None)
            if index is None:
                return
            begun = time.perf_counter()
            ok, why = client.post(*requests[index])
            took = time.perf_counter() - begun
            with lock:
                if ok:
                    latencies.append(took)
                else:
                    errors[why] = errors.get(why, 0) + 1

    workers = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    elapsed = time.perf_counter() - started
    return summarise(latencies, errors, elapsed, len(latencies) + sum(errors.values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["open", "closed"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--requests", required=True)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--threads", type=int, default=64)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    requests = read_requests(args.requests)
    if args.mode == "open":
        result = open_loop(args.url, requests, args.rate, args.duration, args.threads)
    else:
        result = closed_loop(args.url, requests, args.concurrency, args.duration)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
