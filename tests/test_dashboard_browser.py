"""`GET /dashboard`: the public page of the figures (issue 5).

Through the test client: the table in Table 1's form, the month view, no reporter's phone
or name anywhere, 422 for a bad `by`. Then in a real headless browser (Debian's `chromium`
driven by Selenium through `/usr/bin/chromedriver`): the table and the chart are visible,
a phone-sized window has no horizontal overflow outside the table's own scroll box, chart
labels are readable and apart, and screenshots go to `test-artifacts/`.
"""

import base64
import itertools
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlmodel import select
from test_history_and_stats import stats_table

from conftest import BOT_NUMBER, refresh_figures, serving
from store.clock import to_wib, utcnow
from store.db import new_session
from store.models import Report
from store.places import match_kelurahan
from store.reports import NewReport, create_report

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
PHONE = (390, 844)
SMALL_PHONE = (320, 640)
DESKTOP = (1280, 900)
NAMED_REPORTER = {"reporter_name": "Siti Aminah", "reporter_phone": "+6281234567890"}


def generate(app, reports: int) -> None:
    result = app.test_cli_runner().invoke(args=["crm", "generate", "--reports", str(reports)])
    assert result.exit_code == 0, result.output


def file_named_report(app) -> None:
    """One report with a reporter's name and phone, as the other channels file them."""
    new = NewReport(
        category="sampah",
        description="Sampah menumpuk di pinggir kali",
        kelurahan=match_kelurahan("Kramat").chosen,
        channel="jaki",
        **NAMED_REPORTER,
    )
    with new_session(app.extensions["crm.engine"]) as db:
        create_report(new, session=db, now=utcnow())
        db.commit()


def reporter_phones(app) -> set[str]:
    with new_session(app.extensions["crm.engine"]) as db:
        return set(db.exec(select(Report.reporter_phone).distinct()).all()) - {None}


class _TableRows(HTMLParser):
    """The text of each cell of each row of the `<tbody>` and `<tfoot>` of the page's
    first table (Table 1; the breakdowns follow it)."""

    def __init__(self):
        super().__init__()
        self.body: list[list[str]] = []
        self.foot: list[list[str]] = []
        self._section: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self._done = False

    def handle_starttag(self, tag, attrs):
        if self._done:
            return
        if tag == "tbody":
            self._section = self.body
        elif tag == "tfoot":
            self._section = self.foot
        elif tag == "tr" and self._section is not None:
            self._section.append([])
        elif tag == "td" and self._section is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._done = True
        if tag in {"tbody", "tfoot"}:
            self._section = None
        elif tag == "td" and self._cell is not None:
            self._section[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table_of(html: str) -> _TableRows:
    parser = _TableRows()
    parser.feed(html)
    return parser


def dotted(number: int) -> str:
    """Indonesian thousands: 112.164."""
    return f"{number:,}".replace(",", ".")


def comma(value: float) -> str:
    """Indonesian decimals: 93,10."""
    return f"{value:.2f}".replace(".", ",")


def two(value, suffix=""):
    return "–" if value is None else f"{comma(value)}{suffix}"


def expected_rows(figures: dict, *, missing: tuple[str, ...] = ()) -> list[list[str]]:
    """The dashboard's rows for the API's figures, as the page formats them, with a row
    saying "Data tidak ditemukan" for each year in `missing`."""
    rows = [
        [
            period["period"],
            dotted(period["reports"]),
            dotted(period["resolved"]),
            f"{comma(period['resolution_rate'])}%",
            dotted(period["rejected"]),
            dotted(period["still_open"]),
            two(period["mean_days"]),
            two(period["median_days"]),
            two(period["validation_rate"], "%"),
            two(period["daily_target_rate"], "%"),
            rating(period),
        ]
        for period in figures["periods"]
    ]
    rows += [[year, "Data tidak ditemukan"] for year in missing]
    return sorted(rows, key=lambda row: row[0])


def rating(figures: dict) -> str:
    """The mean of the citizens' ratings and how many there were: 4,20 (12)."""
    if not figures["ratings"]:
        return "–"
    return f"{comma(figures['rating_mean'])} ({dotted(figures['ratings'])})"


# --- Through the test client ----------------------------------------------------------------


@pytest.fixture
def history_of_500(app):
    generate(app, 500)
    file_named_report(app)
    refresh_figures(app)
    return app


def test_dashboard_shows_the_yearly_table_of_the_figures(client, history_of_500):
    response = client.get("/dashboard")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    figures = client.get("/api/v1/stats?by=year").get_json()
    table = table_of(html)
    this_year = to_wib(utcnow()).year  # the one named report, filed today
    gap = tuple(str(year) for year in range(2024, this_year))
    assert [row[0] for row in table.body] == [
        *("2016", "2017", "2018", "2019", "2020", "2021", "2022", "2023"),
        *gap,
        str(this_year),
    ]
    assert table.body == expected_rows(figures, missing=("2020", *gap))
    assert table.foot == [
        [
            "Jumlah",
            dotted(figures["reports"]),
            dotted(figures["resolved"]),
            f"{comma(figures['weighted_rate'])}%",
            dotted(figures["rejected"]),
            dotted(figures["still_open"]),
            two(figures["mean_days"]),
            "",
            two(figures["validation_rate"], "%"),
            two(figures["daily_target_rate"], "%"),
            rating(figures),
        ]
    ]
    assert f"{comma(figures['mean_of_rates'])}%" in html
    assert html.count('class="bar"') == len(figures["periods"])  # one bar per year
    assert html.count('class="gap"') == 1 + len(gap)  # 2020 hatched, as the paper prints it
    assert "<th>Tahun</th>" in html


def test_dashboard_shows_no_reporter_phone_or_name(client, history_of_500):
    html = client.get("/dashboard").get_data(as_text=True)
    month_html = client.get("/dashboard?by=month").get_data(as_text=True)
    phones = reporter_phones(history_of_500)
    assert NAMED_REPORTER["reporter_phone"] in phones
    assert len(phones) > 50  # a few hundred reports share a smaller pool of reporters
    assert all(phone.startswith("+62812") for phone in phones - {"+6281234567890"})
    for page in (html, month_html):
        leaked = [
            phone
            for phone in phones
            # as stored, as bare digits, and as Indonesians write them (0812…)
            if phone in page
            or phone.removeprefix("+") in page
            or "0" + phone.removeprefix("+62") in page
        ]
        assert leaked == []
        assert "+62" not in page
        assert "Siti" not in page and "Aminah" not in page


def test_dashboard_by_month_has_a_row_per_month(client, history_of_500):
    response = client.get("/dashboard?by=month")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    figures = client.get("/api/v1/stats?by=month").get_json()
    table = table_of(html)
    have = [period["period"] for period in figures["periods"]]
    first, last = int(have[0][:4]), int(have[-1][:4])
    every = [f"{year}-{month:02d}" for year in range(first, last + 1) for month in range(1, 13)]
    missing = [month for month in every if have[0] <= month <= have[-1] and month not in have]
    assert table.body == expected_rows(figures, missing=tuple(missing))
    assert "2020-01" in missing and "2020-12" in missing
    assert len(table.body) > 7 * 12 - 5  # nearly every month of seven years has reports
    assert "<th>Bulan</th>" in html
    assert 'aria-current="page">Per bulan' in html


def test_dashboard_of_a_window_says_so_and_keeps_it_when_switching(client, history_of_500):
    html = client.get("/dashboard?by=year&from=2021&to=2022").get_data(as_text=True)

    assert "(2021 s.d. 2022)" in html
    assert 'href="?by=month&amp;from=2021&amp;to=2022"' in html
    assert [row[0] for row in table_of(html).body[:2]] == ["2021", "2022"]


def test_a_month_windows_link_per_year_takes_the_years_it_touches(client, history_of_500):
    html = client.get("/dashboard?by=month&from=2021-03&to=2022-08").get_data(as_text=True)
    assert 'href="?by=year&amp;from=2021&amp;to=2022"' in html
    assert client.get("/dashboard?by=year&from=2021&to=2022").status_code == 200


@pytest.mark.parametrize("by", ["week", "", "YEAR"])
def test_dashboard_answers_422_for_an_unknown_by(client, by):
    response = client.get("/dashboard", query_string={"by": by})
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "by"


def test_dashboard_of_an_empty_store_says_so(app, client):
    refresh_figures(app)
    response = client.get("/dashboard")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert table_of(html).body == [["Belum ada laporan."]]
    assert "0,00%" not in html and "<b>–</b>" in html  # no rate, rather than a rate of zero


# --- In a real browser ------------------------------------------------------------------------


@pytest.fixture
def browser(tmp_path, monkeypatch):
    """Headless Chromium through Debian's chromedriver. Selenium Manager is never run (the
    driver's path is given) and, should it be, may not go online."""
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.skip(
            f"the browser test needs {CHROMIUM} and {CHROMEDRIVER} "
            "(Debian: apt-get install chromium chromium-driver; .ci/run installs them)"
        )
    webdriver = pytest.importorskip(
        "selenium.webdriver", reason="selenium is missing: install the project's [dev] extras"
    )
    from selenium.webdriver.chrome.service import Service

    monkeypatch.setenv("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    yield driver
    driver.quit()


def show(driver, url: str, size: tuple[int, int], *, phone: bool) -> None:
    """Open `url` in a viewport of `size` CSS pixels; a phone also honours the page's
    viewport meta tag, as a real one does."""
    width, height = size
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {
            "width": width,
            "height": height,
            "deviceScaleFactor": 2 if phone else 1,
            "mobile": phone,
        },
    )
    driver.get(url)
    assert driver.execute_script("return window.innerWidth") == width


def save_full_page(driver, name: str) -> Path:
    """A screenshot of the whole page, not only the viewport."""
    ARTIFACTS.mkdir(exist_ok=True)
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}
    )
    path = ARTIFACTS / name
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


# Everything that sticks out of the viewport, leaving out what is inside the table's own
# horizontal scroll box; that box's geometry; and whether, scrolled all the way right, the
# period column is still in view.
LAYOUT = """
const width = window.innerWidth;
const wrap = document.querySelector('.table-wrap');
const wraps = [...document.querySelectorAll('.table-wrap')];
const outside = [];
for (const element of document.body.querySelectorAll('*')) {
  if (wraps.some(box => box.contains(element) && element !== box)) continue;
  const box = element.getBoundingClientRect();
  if (box.width && (box.left < -0.5 || box.right > width + 0.5)) {
    outside.push(element.tagName.toLowerCase() + '.' + element.className + ' ' +
                 Math.round(box.left) + '..' + Math.round(box.right));
  }
}
const wrapBox = wrap.getBoundingClientRect();
const headers = [...wrap.querySelectorAll('thead th')];
const table1Right = headers[3].getBoundingClientRect().right;
wrap.scrollLeft = wrap.scrollWidth;
const periodCell = wrap.querySelector('tbody td').getBoundingClientRect();
const result = {
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: width,
  outside: outside,
  wrapOverflowX: getComputedStyle(wrap).overflowX,
  wrapFits: wrapBox.left >= -0.5 && wrapBox.right <= width + 0.5,
  tableScrolls: wrap.scrollWidth > wrap.clientWidth,
  table1ColumnsInView: table1Right <= wrapBox.right + 0.5,
  periodInViewScrolled: Math.abs(periodCell.left - wrapBox.left) < 1,
};
wrap.scrollLeft = 0;
return result;
"""

# Each axis label on screen: its font size in CSS pixels (the SVG is scaled from its
# viewBox) and its horizontal extent.
LABELS = """
const svg = document.querySelector('svg.chart');
const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
return [...svg.querySelectorAll('text')].map(label => {
  const box = label.getBoundingClientRect();
  return {text: label.textContent, left: box.left, right: box.right,
          kind: label.getAttribute('class'),
          px: parseFloat(getComputedStyle(label).fontSize) * scale,
          inside: box.left >= svg.getBoundingClientRect().left - 0.5 &&
                  box.right <= svg.getBoundingClientRect().right + 0.5};
});
"""


def check_page(driver, periods: int) -> dict:
    """The table, the cards and the chart are shown; nothing sticks out of the viewport
    but the table inside its scroll box; chart labels are readable, inside the chart and
    apart. Returns the layout figures for the caller's own checks."""
    from selenium.webdriver.common.by import By

    table = driver.find_element(By.CSS_SELECTOR, "main table")
    chart = driver.find_element(By.CSS_SELECTOR, "svg.chart")
    assert table.is_displayed() and chart.is_displayed()
    assert driver.find_element(By.CSS_SELECTOR, ".cards").is_displayed()
    rows = len(table.find_elements(By.CSS_SELECTOR, "tbody tr"))
    assert rows == periods + len(chart.find_elements(By.CSS_SELECTOR, "rect.gap"))
    assert len(chart.find_elements(By.CSS_SELECTOR, "rect.bar")) == periods
    assert chart.size["width"] >= 280 and chart.size["height"] >= 120, chart.size

    layout = driver.execute_script(LAYOUT)
    assert layout["scrollWidth"] <= layout["innerWidth"], layout
    assert layout["outside"] == []
    assert layout["wrapOverflowX"] in {"auto", "scroll"}
    assert layout["wrapFits"]
    assert layout["periodInViewScrolled"]

    labels = driver.execute_script(LABELS)
    assert labels
    for label in labels:
        assert label["px"] >= 11, f"chart label too small to read: {label}"
        assert label["inside"], f"chart label cut off: {label}"
    under_the_bars = [label for label in labels if label["kind"] == "x"]
    for left, right in itertools.pairwise(under_the_bars):
        assert left["right"] + 4 <= right["left"], f"chart labels overlap: {left} {right}"
    return layout


@pytest.fixture
def served_history(served):
    """The app behind a real server, with a 3,000-report history."""
    generate(served["app"], 3000)
    refresh_figures(served["app"])
    return served


# One browser run is enough: the page is the same on either database (the figures behind
# it are compared on both above and in test_history_and_stats.py).
only_sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@only_sqlite
def test_dashboard_on_a_phone_fits_the_screen_and_shows_table_and_chart(browser, served_history):
    base = served_history["base"]
    show(browser, f"{base}/dashboard", PHONE, phone=True)
    save_full_page(browser, "dashboard-phone.png")  # before the checks: kept when they fail
    layout = check_page(browser, periods=7)
    assert layout["tableScrolls"]  # seven columns: the rest scroll inside the table's box
    assert layout["table1ColumnsInView"]  # Tahun, Jumlah, Penyelesaian, Persentase

    show(browser, f"{base}/dashboard?by=month", PHONE, phone=True)
    save_full_page(browser, "dashboard-phone-month.png")
    check_page(browser, periods=7 * 12)


@only_sqlite
def test_dashboard_fits_even_the_smallest_phones(browser, served_history):
    base = served_history["base"]
    for query, periods in (("", 7), ("?by=month", 7 * 12), ("?by=month&from=2022-06", 19)):
        show(browser, f"{base}/dashboard{query}", SMALL_PHONE, phone=True)
        check_page(browser, periods=periods)


@only_sqlite
def test_dashboard_on_a_desktop_shows_table_and_chart(browser, served_history):
    base = served_history["base"]
    show(browser, f"{base}/dashboard", DESKTOP, phone=False)
    save_full_page(browser, "dashboard-desktop.png")
    layout = check_page(browser, periods=7)
    assert not layout["tableScrolls"]

    show(browser, f"{base}/dashboard?by=month", DESKTOP, phone=False)
    save_full_page(browser, "dashboard-desktop-month.png")
    check_page(browser, periods=7 * 12)


@pytest.fixture
def served_with_number(database_url):
    """The app behind a real server, with the service's WhatsApp number and a 3,000-report
    history."""
    with serving(database_url, TWILIO_WHATSAPP_FROM=BOT_NUMBER) as holder:
        generate(holder["app"], 3000)
        refresh_figures(holder["app"])
        yield holder


# The map on screen: its kelurahan drawn and shaded, and whether it fits the viewport.
MAP = """
const svg = document.querySelector('svg.map');
const box = svg.getBoundingClientRect();
const paths = [...svg.querySelectorAll('path')];
return {
  paths: paths.length,
  shaded: paths.filter(path => /^s\\d$/.test(path.getAttribute('class'))).length,
  visible: paths.filter(path => path.getBoundingClientRect().width > 0).length,
  width: box.width, fits: box.left >= -0.5 && box.right <= window.innerWidth + 0.5,
};
"""


@only_sqlite
@pytest.mark.parametrize(("size", "phone"), [(PHONE, True), (DESKTOP, False)])
def test_a_reader_checks_the_figures_sees_the_map_reports_and_looks_a_report_up(
    browser, served_with_number, size, phone
):
    from selenium.webdriver.common.by import By

    app, base = served_with_number["app"], served_with_number["base"]
    show(browser, f"{base}/dashboard", size, phone=phone)
    save_full_page(browser, f"dashboard-acts-{'phone' if phone else 'desktop'}.png")

    printed = {row["period"]: row for row in stats_table(app).periods}  # `crm stats`
    table_1 = browser.find_element(By.CSS_SELECTOR, "main table")
    for row in table_1.find_elements(By.CSS_SELECTOR, "tbody tr"):
        cells = [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
        if cells[1] == "Data tidak ditemukan":
            assert cells[0] == "2020" and "2020" not in printed
            continue
        line = printed[cells[0]]
        assert cells[1].replace(".", "") == line["reports"].replace(",", "")
        assert cells[2].replace(".", "") == line["resolved"].replace(",", "")
        assert cells[3] == line["rate"].replace(".", ",") + "%"

    drawn = browser.execute_script(MAP)
    assert drawn["paths"] == drawn["visible"] == 267, drawn
    assert drawn["shaded"] > 200 and drawn["fits"] and drawn["width"] >= 300, drawn

    link = browser.find_element(By.CSS_SELECTOR, "a.whatsapp")
    assert link.is_displayed()
    assert link.get_attribute("href") == "https://wa.me/14155238886?text=LAPOR"

    with new_session(app.extensions["crm.engine"]) as db:
        number = db.exec(select(Report.number).order_by(Report.id)).first()
    box = browser.find_element(By.ID, "nomor")
    box.send_keys(number)
    box.submit()
    page = browser.find_element(By.TAG_NAME, "main").text
    assert browser.current_url.startswith(f"{base}/cek?nomor=")
    assert number in page and "Tahap saat ini:" in page and "Riwayat" in page
