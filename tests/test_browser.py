"""The reviewer report in a real browser (Debian chromium + chromedriver via selenium).

Skips only when /usr/bin/chromium is absent; CI installs it (`apt-get install -y chromium
chromium-driver`), so there this runs.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from outfolder_fixture import HOSTILE_IMG, HOSTILE_SCRIPT, ID_HOSTILE, build_out_folder

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOT_COPY = Path(__file__).resolve().parents[1] / "bench" / "results" / "report-screenshot.png"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium: apt-get install -y chromium chromium-driver"),
]


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium: pip install -e '.[dev]'")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1400,1000",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver_path = str(CHROMEDRIVER) if CHROMEDRIVER.exists() else shutil.which("chromedriver")
    assert driver_path, "chromium is installed but chromedriver is not: apt-get install -y chromium-driver"
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from xlate.report import build_report

    out = build_out_folder(tmp_path_factory.mktemp("run") / "OUT")
    return build_report(out)


def _severe(driver) -> list[dict]:
    return [entry for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"]


def _open_article(driver, site: Path, title: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(site.as_uri())
    driver.find_element(By.LINK_TEXT, title).click()


def test_cluster_page_holds_both_ashgabat_reports(browser, site):
    from selenium.webdriver.common.by import By

    browser.get(site.as_uri())
    assert browser.title == "Reviewer report"
    assert browser.find_element(By.CSS_SELECTOR, "svg.chart").is_displayed()
    browser.find_element(By.LINK_TEXT, "c0001").click()
    assert browser.title == "Cluster c0001"
    members = {a.text for a in browser.find_elements(By.CSS_SELECTOR, "table.summary a")}
    assert members == {"UE-Asie centrale : 20e réunion ministérielle à Achgabat",
                       "Réunion ministérielle UE-Asie centrale à Achgabat"}
    shared = browser.find_elements(By.CSS_SELECTOR, "table.aligned tr.shared")
    assert len(shared) == 1 and shared[0].is_displayed()
    assert any("connectivity and energy" in row.text for row in shared)
    only = [row.text for row in browser.find_elements(By.CSS_SELECTOR, "table.aligned tr.only")]
    assert any("critical raw materials" in text for text in only)
    assert _severe(browser) == []


def test_glossary_terms_are_highlighted_and_violations_flagged(browser, site):
    from selenium.webdriver.common.by import By

    _open_article(browser, site, "UE-Asie centrale : 20e réunion ministérielle à Achgabat")
    marks = browser.find_elements(By.CSS_SELECTOR, "mark.term")
    assert sorted(m.text for m in marks) == sorted(
        ["Achgabat", "Ashgabat", "Kaja Kallas", "Kaja Kallas", "Samarcande", "Samarkand"])
    for mark in marks:
        assert mark.is_displayed() and mark.size["width"] > 0
        # The highlight is really painted: the mark's background is not transparent.
        assert mark.value_of_css_property("background-color") not in ("rgba(0, 0, 0, 0)", "transparent")
    removed_table = browser.find_element(By.CSS_SELECTOR, "table.removed")
    assert not removed_table.is_displayed()
    browser.find_element(By.CSS_SELECTOR, "details summary").click()
    assert removed_table.is_displayed() and "spot_img" in removed_table.text
    assert _severe(browser) == []

    _open_article(browser, site, "Réunion ministérielle UE-Asie centrale à Achgabat")
    flagged = browser.find_elements(By.CSS_SELECTOR, "tr.violation")
    assert len(flagged) == 1 and flagged[0].is_displayed()
    assert "violation" in flagged[0].text and "Asgabat" in flagged[0].text
    assert _severe(browser) == []


def test_hostile_article_runs_nothing_and_shows_text(browser, site):
    from selenium.webdriver.common.by import By

    browser.get(site.as_uri())
    assert browser.execute_script("return window.__pwned === undefined")
    _open_article(browser, site, "<script>window.__pwned=4</script>Titre piégé")
    assert browser.execute_script("return window.__pwned === undefined")
    assert browser.title == "<script>window.__pwned=4</script>Titre piégé \u2014 article"
    body = browser.find_element(By.TAG_NAME, "body").text
    assert HOSTILE_SCRIPT in body and HOSTILE_IMG in body
    assert "javascript:window.__pwned=5" in body
    assert browser.find_elements(By.CSS_SELECTOR, "main script, main img, main svg") == []
    assert browser.find_elements(By.CSS_SELECTOR, "a[href^='javascript']") == []
    browser.find_element(By.CSS_SELECTOR, "details summary").click()
    assert "<script>window.__pwned=3</script>" in browser.find_element(By.CSS_SELECTOR, "table.removed").text
    assert browser.execute_script("return window.__pwned === undefined")
    assert _severe(browser) == []
    assert ID_HOSTILE in browser.find_element(By.CSS_SELECTOR, "nav.crumbs").text


def test_screenshot_of_the_index(browser, site, tmp_path):
    browser.get(site.as_uri())
    shot = tmp_path / "report-index.png"
    assert browser.save_screenshot(str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # The README's copy is made once (or on request) so test runs leave the tree clean.
    if not SCREENSHOT_COPY.exists() or os.environ.get("XLATE_UPDATE_SCREENSHOT") == "1":
        SCREENSHOT_COPY.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT_COPY)


SEEDS = Path(__file__).resolve().parents[1] / "seeds"
ASHGABAT = ("000_2c8e8df7cb3b87a9", "002_3e9d996f7f80b2c1")


@pytest.fixture(scope="module")
def seeds_site(tmp_path_factory):
    """The real run of the seeds (apertium fr->es->en, the seeds' glossary) and its report."""
    from xlate.pipeline import RunConfig, run
    from xlate.report import build_report

    if shutil.which("apertium") is None:
        pytest.fail("apertium is not installed: run the project's system-deps installer (apertium apertium-fr-es apertium-eng-spa)")
    glossary = SEEDS / "glossary.tsv"
    out = tmp_path_factory.mktemp("seeds") / "OUT"
    run(SEEDS, out, RunConfig(engine="apertium", glossary=str(glossary) if glossary.is_file() else None))
    return build_report(out)


@pytest.mark.slow
def test_seeds_report_in_browser(browser, seeds_site, tmp_path):
    from selenium.webdriver.common.by import By

    clusters = [json.loads(line) for line in (seeds_site.parent.parent / "clusters.jsonl").read_text(encoding="utf-8").splitlines()]
    ashgabat = next(c for c in clusters if ASHGABAT[0] in c["members"])
    assert set(ASHGABAT) <= set(ashgabat["members"]), "the two Ashgabat reports must share a cluster"

    browser.get(seeds_site.as_uri())
    browser.find_element(By.LINK_TEXT, ashgabat["cluster"]).click()
    hrefs = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "table.summary a")]
    assert all(any(safe in h for h in hrefs) for safe in ASHGABAT)
    assert browser.find_elements(By.CSS_SELECTOR, "table.aligned tr.shared"), "the two reports share no sentence"
    assert _severe(browser) == []
    browser.find_element(By.CSS_SELECTOR, "table.summary a").click()
    marks = browser.find_elements(By.CSS_SELECTOR, "mark.term")
    if (SEEDS / "glossary.tsv").is_file():
        assert marks and all(m.is_displayed() for m in marks)
    assert browser.execute_script("return window.__pwned === undefined")
    assert _severe(browser) == []
    assert browser.save_screenshot(str(tmp_path / "seeds-article.png"))
