"""The web page at ``/ui/``, end to end: the real service, and headless Chromium driving the page.

Chromium and its driver come from Debian's packages (``chromium``, ``chromium-driver``), driven by
Selenium with both paths given, so that Selenium's own manager never looks for or downloads a
browser. Without them (or without the ``selenium`` package) the browser tests are skipped with the
reason; the tests of what the server sends (paths, headers, the key rule) and of the page's files
run everywhere.

The page marks its progress in the DOM for readers like these tests: ``body[data-state]`` (idle,
busy, done, error), the verdict and score on ``#result``, the number of face boxes drawn on
``#overlay[data-faces]``, and the seconds plotted on ``#timeline[data-seconds]``.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "service" / "web"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WAIT_S = 60

#: Two drawn faces in a picture wider than the browser window shows it, so that boxes must be scaled.
FACES = [(100, 40, 300), (560, 160, 300)]


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A picture with two faces, a 2 s tone, a 2 s clip with a moving face and sound, a text file, a big file."""
    import media_factory as mf

    folder = tmp_path_factory.mktemp("web_media")
    frames = [mf.face_scene(320, 240, [(60 + 2 * i, 30, 180)]) for i in range(20)]
    text = folder / "notes.txt"
    text.write_text("this is text, not media\n" * 20)
    big = folder / "big.mp4"
    big.write_bytes(bytes(250_000))  # over the test server's 200 kB upload limit
    return {
        "image": mf.write_jpeg(folder, "two_faces.jpg", pixels=mf.face_scene(1000, 500, FACES)),
        "audio": mf.write_flac(folder, "tone.flac", seconds=2.0),
        "video": mf.write_video(
            folder, "mp4", name="talk.mp4", frames=frames, fps=10, width=320, height=240, audio=True
        ),
        "text": text,
        "big": big,
    }


# --------------------------------------------------------------------------- the page's files and routes


def test_page_files_are_package_data():
    """A wheel without the page would start a service whose /ui/ is a 404: every file must be declared."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    patterns = config.get("fakeguard.service", [])
    files = [p.relative_to(ROOT / "service") for p in WEB.rglob("*") if p.is_file()]
    assert {"index.html", "app.js", "style.css"} <= {f.name for f in files}
    missing = [str(f) for f in files if not any(f.match(pattern) for pattern in patterns)]
    assert not missing, f"add to [tool.setuptools.package-data] 'fakeguard.service': {missing}"


def test_every_element_the_script_uses_is_in_the_page():
    script = (WEB / "app.js").read_text()
    page = (WEB / "index.html").read_text()
    used = set(re.findall(r'\$\("([\w-]+)"\)', script))
    declared = set(re.findall(r'\bid="([\w-]+)"', page))
    assert used and not used - declared, f"app.js asks for ids missing in index.html: {sorted(used - declared)}"
    for name in ("app.js", "style.css"):
        assert f'"{name}"' in page  # relative links: they resolve under /ui/ behind any path prefix


def test_page_is_served_without_the_key_but_scoring_still_needs_it(server):
    redirect = httpx.get(f"{server.url}/ui", timeout=10)
    assert redirect.status_code == 307 and redirect.headers["location"].endswith("/ui/")
    page = httpx.get(f"{server.url}/ui/", timeout=10)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script-src" not in page.headers["content-security-policy"]  # default-src 'self' governs scripts
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["x-request-id"]
    for asset, kind in (("app.js", "javascript"), ("style.css", "text/css")):
        response = httpx.get(f"{server.url}/ui/{asset}", timeout=10)
        assert response.status_code == 200 and kind in response.headers["content-type"]
        assert response.text == (WEB / asset).read_text()
    assert httpx.get(f"{server.url}/ui/%2e%2e/gate.py", timeout=10).status_code == 404  # nothing outside web/
    assert httpx.get(f"{server.url}/ui-not/", timeout=10).status_code == 401  # the prefix is /ui/, not /ui*
    assert httpx.post(f"{server.url}/score", timeout=10).status_code == 401


# --------------------------------------------------------------------------- the page in a browser


class Page:
    """The web page in one Chromium tab, with the steps a person takes on it."""

    def __init__(self, driver: Any, url: str) -> None:
        self.driver = driver
        self.url = url

    def find(self, element_id: str) -> Any:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.ID, element_id)

    def text(self, element_id: str) -> str:
        """The element's text as in the markup (CSS may show it upper-cased)."""
        return self.find(element_id).get_attribute("textContent").strip()

    def open(self, key: str | None) -> None:
        """Load ``/ui`` (the redirect to ``/ui/`` included) and type the key, or clear the stored one."""
        self.driver.get(f"{self.url}/ui")
        self.driver.execute_script("sessionStorage.clear()")
        self.driver.refresh()
        if key is not None:
            self.find("key-box").find_element("tag name", "summary").click()
            self.find("api-key").send_keys(key)

    def score(self, path: Path, heatmaps: bool = False) -> str:
        """Choose ``path`` in the file input, submit, and wait for the page to be done or show an error."""
        self.find("file").send_keys(str(path))
        if self.find("heatmaps").is_selected() != heatmaps:  # a reload may keep the box as it was
            self.find("heatmaps").click()
        return self.submit()

    def submit(self) -> str:
        """Press Score and wait for the page's state to be done or error; that state."""
        from selenium.webdriver.support.ui import WebDriverWait

        self.find("submit").click()
        body = self.driver.find_element("tag name", "body")
        WebDriverWait(self.driver, WAIT_S).until(lambda _: body.get_attribute("data-state") in ("done", "error"))
        return body.get_attribute("data-state")

    def report(self) -> dict[str, Any]:
        """The report the page received, from its 'Full report (JSON)' section."""
        return json.loads(self.text("raw"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium from Debian's packages; skipped with the reason where it cannot run."""
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not shutil.which(path):
            pytest.skip(f"{path} is missing: apt-get install {package} (Debian) to run the web page tests")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("the selenium package is missing: pip install -e '.[dev]' to run the web page tests")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    # --no-sandbox: Chromium's sandbox cannot start as root in a container, which is how CI runs it.
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=900,1000"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def page(browser: Any, server) -> Page:
    return Page(browser, server.url)


def test_image_shows_verdict_score_and_a_scaled_box_per_face(page, server, media):
    page.open(server.key)
    assert page.score(media["image"], heatmaps=True) == "done"
    report = page.report()
    assert report["sha256"] == hashlib.sha256(media["image"].read_bytes()).hexdigest()  # the bytes chosen went up
    assert page.text("verdict") == report["verdict"] == page.find("result").get_attribute("data-verdict")
    verdict = page.find("verdict")
    assert verdict.get_attribute("class") == f"verdict {report['verdict']}"  # coloured by verdict
    assert verdict.value_of_css_property("color") != verdict.value_of_css_property("background-color")  # readable
    assert page.text("score") == f"{report['score']:.2f}" and page.text("face-score") == f"{report['face_score']:.2f}"
    assert page.text("voice-score") == "–"
    assert [li.text for li in page.find("reasons").find_elements("tag name", "li")] == report["reasons"]

    overlay = page.find("overlay")
    assert len(report["faces"]) == len(FACES) and overlay.get_attribute("data-faces") == str(len(FACES))
    # Where the boxes are, read back from the canvas's pixels at positions computed from the layout: a
    # box's left edge is drawn (opaque), its middle is not. The picture is shown smaller than it is.
    geometry = page.driver.execute_script(
        """const img = document.getElementById('picture'), c = document.getElementById('overlay');
        const a = img.getBoundingClientRect(), b = c.getBoundingClientRect();
        return {scale: a.width / img.naturalWidth,
                img: [a.x, a.y, a.width, a.height], canvas: [b.x, b.y, b.width, b.height]};"""
    )
    assert geometry["img"] == pytest.approx(geometry["canvas"], abs=0.5)
    assert 0.5 < geometry["scale"] < 0.95
    points = []
    for face in report["faces"]:
        box, s = face["box"], geometry["scale"]
        middle_y = (box["y0"] + box["y1"]) / 2 * s
        points += [(box["x0"] * s, middle_y), (box["x1"] * s, middle_y), ((box["x0"] + box["x1"]) / 2 * s, middle_y)]
    alpha = page.driver.execute_script(
        """const c = document.getElementById('overlay'), r = window.devicePixelRatio || 1;
        const at = ([x, y]) => c.getContext('2d').getImageData(Math.round(x * r), Math.round(y * r), 1, 1);
        return arguments[0].map((point) => at(point).data[3]);""",
        points,
    )
    assert all(a > 0 for a in alpha[0::3]) and all(a > 0 for a in alpha[1::3]), alpha  # left and right edges
    assert all(a == 0 for a in alpha[2::3]), alpha  # the face itself stays visible

    thumbs = page.find("faces").find_elements("css selector", "li img")
    assert len(thumbs) == len(FACES) and all(t.get_attribute("naturalWidth") != "0" for t in thumbs)
    assert page.find("timeline-box").get_attribute("hidden") is not None  # no timeline for a still image


def test_audio_shows_a_per_second_voice_timeline(page, server, media):
    page.open(server.key)
    assert page.score(media["audio"]) == "done"
    report = page.report()
    assert report["kind"] == "audio" and page.text("verdict") == report["verdict"]
    assert page.text("score") == f"{report['score']:.2f}" and page.text("face-score") == "–"
    timeline = page.find("timeline")
    assert timeline.get_attribute("data-seconds") == str(len(report["timeline"])) == "2"
    assert timeline.get_attribute("data-voice-points") == "2" and timeline.get_attribute("data-face-points") == "0"
    assert page.find("tracks-box").get_attribute("hidden") is not None  # no faces in a sound file
    flagged = [s for s in report["speech_segments"] if s["speech"] and s["score"] >= 0.7]
    assert len(page.find("segments").find_elements("tag name", "li")) == len(flagged)
    assert page.text("segments-summary").startswith(f"{len(flagged)} of ")
    assert (
        page.find("image-box").get_attribute("hidden") is not None
        and page.find("overlay").get_attribute("data-faces") is None
    )


def test_video_shows_face_and_voice_over_time_and_the_tracks(page, server, media):
    page.open(server.key)
    assert page.score(media["video"]) == "done"
    report = page.report()
    assert report["kind"] == "video" and page.text("verdict") == report["verdict"]
    assert page.find("result").get_attribute("data-score") == f"{report['score']:.2f}" == page.text("score")
    timeline = page.find("timeline")
    faces_plotted = sum(e["face_score"] is not None for e in report["timeline"])
    assert timeline.get_attribute("data-seconds") == str(len(report["timeline"])) and faces_plotted >= 1
    assert timeline.get_attribute("data-face-points") == str(faces_plotted)
    tracks = [li.text for li in page.find("tracks").find_elements("tag name", "li")]
    assert len(tracks) == len(report["face_tracks"]) >= 1 and tracks[0].startswith("Track ")


@pytest.mark.parametrize(
    ("which", "status", "code", "title"),
    [("text", 415, "unsupported", "Not a file fakeguard can read"), ("big", 413, "too_large", "The file is too large")],
)
def test_a_refused_file_shows_the_reason_not_a_blank_page(page, server, media, which, status, code, title):
    page.open(server.key)
    assert page.score(media[which]) == "error"
    error = page.find("error")
    assert error.is_displayed() and error.get_attribute("data-status") == str(status)
    assert error.get_attribute("data-error") == code and page.text("error-title") == title
    # The server's own words, as the API answers them for the same file (byte counts differ by the
    # multipart envelope each client writes).
    direct = server.post("score", media[which]).json()["reason"]
    assert re.sub(r"\d+", "N", page.text("error-reason")) == re.sub(r"\d+", "N", direct)
    assert f"HTTP {status} · {code}" in page.text("error-detail")
    assert not page.find("result").is_displayed()


def test_without_the_key_the_page_says_so_and_works_once_it_is_typed(page, server, media):
    page.open(None)
    assert page.score(media["audio"]) == "error"
    assert page.find("error").get_attribute("data-status") == "401"
    assert page.text("error-title") == "This server needs an API key"
    key_field = page.find("api-key")
    assert key_field.is_displayed() and page.driver.switch_to.active_element == key_field  # opened, focused
    key_field.send_keys(server.key)
    assert page.submit() == "done" and page.report()["kind"] == "audio"
    page.driver.refresh()  # the key is kept for the tab (sessionStorage), not typed again on each load
    assert page.find("api-key").get_attribute("value") == server.key


def test_every_control_has_a_label_and_the_file_chooser_takes_the_keyboard(page, server):
    page.open(None)
    unlabelled = page.driver.execute_script(
        """return [...document.querySelectorAll('input, button')]
            .filter((e) => !e.labels?.length && !e.textContent.trim()).map((e) => e.id);"""
    )
    assert unlabelled == []
    file_input = page.find("file")
    # Hidden from sight only: display:none or visibility:hidden would take it out of the tab order.
    style = page.driver.execute_script(
        "const s = getComputedStyle(arguments[0]); return [s.display, s.visibility]", file_input
    )
    assert style[0] != "none" and style[1] == "visible" and file_input.get_attribute("tabIndex") == "0"
