"""CPU time per `STATUS <number>` message, in process: the real app through its test
client, every message signed like Twilio's, on a fresh SQLite store with 100 reports.
What the webhook's own work costs (understanding, the store, TwiML), without a server,
so that two trees can be compared in one run (run it in each, alternately):

    python bench/status_cpu.py
    python bench/status_cpu.py --messages 3000

Prints CPU microseconds per message (`time.process_time`) of each of 5 rounds, and
their median."""

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

from messages_per_report import Phone, build_app, commit

REPORTS = 100
ROUNDS = 5
FILING = ("LAPOR", "1", "Jalan berlubang besar di depan sekolah", "Jl. Kramat 10", "Kramat, Senen")
FILING += ("LEWATI", "YA")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000, help="STATUS messages per round")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        client = build_app(Path(folder)).test_client()
        phones, numbers = [], []
        for index in range(REPORTS):
            phones.append(Phone(client, f"+62812{index:07d}", "Siti"))
            replies = [phones[-1].send(body) for body in FILING]
            numbers.append(re.search(r"CRM-\d{2}-\d{6}-\d", " ".join(replies[-1])).group())
        per_message = []
        for _ in range(ROUNDS):  # each phone asks after another's report, under the limit
            started = time.process_time()
            for index in range(args.messages):
                phones[index % REPORTS].send(f"STATUS {numbers[(index + 1) % REPORTS]}")
            per_message.append((time.process_time() - started) / args.messages * 1e6)
    rounds = ", ".join(f"{value:.0f}" for value in per_message)
    median = statistics.median(per_message)
    print(f"tree {commit()}: STATUS CPU per message, µs: {rounds}; median {median:.0f}")


if __name__ == "__main__":
    main()
