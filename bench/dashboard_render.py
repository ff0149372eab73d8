"""The public dashboard on the whole Table 1 history, in a real browser: how long the
worker takes to compute its figures, what the page weighs, and how soon Chromium shows it
at phone and desktop width; and whether the open data's yearly CSV holds Table 1's counts.

    python bench/dashboard_render.py                 # SQLite, /tmp/crm-bench-1m.db
    python bench/dashboard_render.py --db postgresql+psycopg://postgres@127.0.0.1:5432/crm_bench_1m

The page is served as the Procfile's `public` line serves it (gunicorn, its own process);
Chromium (Debian's, through its chromedriver) loads it RUNS times per width with its cache
off, and the Navigation and Paint Timing APIs say when the response ended, when the first
content was painted and when the page finished loading.
"""

import argparse
import csv
import io
import statistics
import subprocess
import time
import urllib.request

import common

RUNS = 7
SIZES = {"phone 412×915": (412, 915, True), "desktop 1280×900": (1280, 900, False)}
PAGES = ("/dashboard", "/dashboard?by=month", "/dashboard?lang=en&peta=resolution_rate")
TIMING = """
const nav = performance.getEntriesByType('navigation')[0];
const paint = performance.getEntriesByName('first-contentful-paint')[0];
return {response_end: nav.responseEnd, first_paint: paint ? paint.startTime : null,
        loaded: nav.loadEventEnd, bytes: nav.transferSize, body: nav.decodedBodySize};
"""


def refresh_figures(url: str) -> float:
    """Seconds the worker's stats job takes on the store (it runs at start, then every 5
    minutes)."""
    from bot import create_app
    from bot.worker import worker_resources
    from scheduler import jobs

    app = create_app({**common.app_env(url), "DATABASE_URL": url})
    started = time.perf_counter()
    jobs.refresh_stats(worker_resources(app))
    elapsed = time.perf_counter() - started
    app.extensions["crm.engine"].dispose()
    return elapsed


def serve_public(url: str, port: int) -> subprocess.Popen:
    env = common.app_env(url, CRM_SURFACE="public", PUBLIC_RATE_LIMIT="100000 per second")
    env["TWILIO_WHATSAPP_FROM"] = "whatsapp:+14155238886"
    process = subprocess.Popen(
        [common.GUNICORN, "--bind", f"127.0.0.1:{port}", "--workers", "2", "bot:create_app()"],
        cwd=common.ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    common.wait_for_http(f"http://127.0.0.1:{port}/healthz")
    return process


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    return driver


def measure(driver, address: str, size: tuple[int, int, bool]) -> list[dict]:
    width, height, phone = size
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 2 if phone else 1, "mobile": phone},
    )
    runs = []
    for _ in range(RUNS):
        driver.get("about:blank")
        driver.get(address)
        timing = driver.execute_script(TIMING)
        while timing["first_paint"] is None or not timing["loaded"]:  # painted after load
            time.sleep(0.02)
            timing = driver.execute_script(TIMING)
        runs.append(timing)
    return runs


def yearly_csv_holds_table_1(base: str) -> str:
    from store.history import TABLE_1

    with urllib.request.urlopen(f"{base}/data/years.csv") as response:
        rows = list(csv.DictReader(io.StringIO(response.read().decode())))
    found = {int(row["period"]): (int(row["reports"]), int(row["resolved"])) for row in rows}
    wrong = {year: found.get(year) for year, counts in TABLE_1.items() if found.get(year) != counts}
    total = sum(reports for reports, _ in found.values())
    return f"{total:,} reports in {len(found)} years; " + (
        "every year's reports and resolved equal Table 1's" if not wrong else f"DIFFER: {wrong}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=common.SQLITE_1M)
    parser.add_argument("--reports", type=int, default=None, help="default: Table 1")
    args = parser.parse_args()
    print(f"store: {args.db}: {common.ensure_history(args.db, args.reports)}")
    print(f"worker's figures (stats job): {refresh_figures(args.db):.1f} s; {common.load()}")
    port = common.free_port()
    server = serve_public(args.db, port)
    base = f"http://127.0.0.1:{port}"
    driver = browser()
    try:
        print(f"open data: {yearly_csv_holds_table_1(base)}")
        print("\n| page | width | bytes (HTML) | response end | first paint | loaded |")
        print("|---|---|---|---|---|---|")
        for page in PAGES:
            for name, size in SIZES.items():
                runs = measure(driver, base + page, size)
                median = {
                    key: statistics.median(run[key] for run in runs)
                    for key in ("response_end", "first_paint", "loaded")
                }
                print(
                    f"| `{page}` | {name} | {runs[0]['body']:,} | "
                    f"{median['response_end']:.0f} ms | {median['first_paint']:.0f} ms | "
                    f"{median['loaded']:.0f} ms |"
                )
        print(f"\nmedians of {RUNS} loads each, cache off; {common.load()}")
    finally:
        driver.quit()
        common.stop(server)


if __name__ == "__main__":
    main()
