"""Time to first image of a 200-slice series in the study viewer, on loopback (the issue's anchor: the
OHIF viewer takes seconds; the aim is under one second).

Builds make_panel_world() and a stored 200-slice MR study shared with its panel (synthetic DICOM files,
cpms/imaging/tests/factories.py) in a temporary CPMS_VAR_DIR on the embedded SQLite, serves CPMS on a
loopback port (Django's live-server thread, static files included: the esbuild bundle must be built,
`npm run build:viewer`), and measures in Debian's Chromium through Playwright, signed in as a member:

- cold: a new browser context each run (no cached bundle); warm: the same context, the page opened
  again (the bundle and the slices in the browser's cache, as for a returning user). For each,
  navigation start → "viewer drawn": the viewer's first image (the page's `data-first-image-at`, set
  on Cornerstone's first IMAGE_RENDERED), and → "first slice shown": the first slice on the screen,
  the server's drawing of it (the page's <img elementtiming>, painted while the bundle loads) or the
  viewer's, whichever came first;
- bare signed-in page: navigation start → load event, in the same browser (the yardstick);
- the cold load's phases (medians): when the HTML, the JS the first image needs (and its size) and the
  first slice arrived, when the bundle ran, Cornerstone was initialised, the first slice was decoded
  and drawn (the viewer's performance marks), and how many codec .wasm files were fetched (none for
  an uncompressed series). BENCH_DEBUG=1 prints every request of each cold load;

and in-process through the whole middleware stack, BENCH_RUNS GETs each: the image endpoint
(imaging:instance-file, one 32 kB slice) and the server's drawing of a slice (imaging:instance-preview,
a PNG) against the bare signed-in view.
Prints median and p95 (ms) and the ratio to the bare page of each measure's own kind.

    uv run python bench/bench_imaging_first_image.py
    BENCH_BROWSER_RUNS=30 BENCH_RUNS=500 uv run python bench/bench_imaging_first_image.py
"""

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from support import bench_urls, p95

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_RUNS", "300"))
BROWSER_RUNS = int(os.environ.get("BENCH_BROWSER_RUNS", "15"))
SLICES = 200
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def configure(folder: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["CPMS_EMBEDDED"] = "1"
    os.environ["CPMS_VAR_DIR"] = folder
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop
    import django

    django.setup()


def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "p95": p95(values)}


def time_get(client, url: str) -> dict:
    for _ in range(10):
        client.get(url)
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return summary(timings)


# When the server's drawing of the first slice (the page's <img elementtiming>) was painted: NaN when
# it never was (the viewer drew the slice first and removed it).
PREVIEW_PAINTED_JS = """() => new Promise((resolve) => {
  new PerformanceObserver((list) => {
    const entry = list.getEntries().find((e) => e.identifier === "cpms-first-slice");
    if (entry) resolve(entry.renderTime || entry.loadTime);
  }).observe({ type: "element", buffered: true });
  setTimeout(() => resolve(NaN), 500);
})"""


def first_image_ms(page, url: str) -> tuple[float, float]:
    """(the first slice shown: the server's drawing or the viewer's, whichever was painted first;
    the viewer's own first drawing), in ms since navigation start."""
    page.goto(url)
    viewer = page.locator("#cpms-viewer")
    viewer.locator("[data-viewport][data-rendered]").first.wait_for(timeout=30_000)
    if viewer.get_attribute("data-state") == "failed":
        raise SystemExit("The viewer failed to start in Chromium: see the page's message.")
    drawn = float(viewer.get_attribute("data-first-image-at"))
    preview = page.evaluate(PREVIEW_PAINTED_JS)
    return (drawn if preview != preview else min(preview, drawn)), drawn


PHASES_JS = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const resources = performance.getEntriesByType("resource");
  const mark = (name) => performance.getEntriesByName(name)[0]?.startTime ?? NaN;
  const first = mark("cpms-viewer:first-image");
  const scripts = resources.filter((r) => /build\\/viewer\\/.*\\.js/.test(r.name) && r.startTime < first);
  const images = resources.filter((r) => r.name.includes("/instances/") && !r.name.endsWith("preview.png"));
  const preview = resources.find((r) => r.name.endsWith("preview.png"));
  const firstImage = images.reduce((a, b) => (a && a.startTime <= b.startTime ? a : b), null);
  return {
    "HTML received": nav.responseEnd,
    "server's drawing received": preview ? preview.responseEnd : NaN,
    "JS received (before the image)": Math.max(...scripts.map((r) => r.responseEnd)),
    "JS kB (before the image)": scripts.reduce((sum, r) => sum + r.transferSize, 0) / 1024,
    "bundle evaluated": mark("cpms-viewer:evaluated"),
    "Cornerstone initialised": mark("cpms-viewer:initialised"),
    "first slice asked": firstImage ? firstImage.startTime : NaN,
    "first slice received": firstImage ? firstImage.responseEnd : NaN,
    "first slice loaded and decoded": mark("cpms-viewer:stack-set"),
    "slices asked before the image": images.filter((r) => r.startTime < first).length,
    "first image drawn": first,
  };
}"""


RESOURCES_JS = """() => performance.getEntriesByType("resource").map(
  (r) => [r.name, r.initiatorType, Math.round(r.startTime), Math.round(r.responseEnd)])"""


def phases(page, wasm_requests: list) -> dict:
    found = page.evaluate(PHASES_JS)
    if os.environ.get("BENCH_DEBUG"):  # every request of the page, with its start and end
        print(page.evaluate(RESOURCES_JS))
    found["codec wasm fetched"] = len(wasm_requests)
    return found


def load_ms(page, url: str) -> float:
    page.goto(url, wait_until="load")
    return page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd")


def browser_runs(site: str, cookie: dict, viewer_url: str) -> dict:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        raise SystemExit("Debian's chromium is missing (apt-get install chromium).")
    results = {
        "first slice shown, cold": [],
        "viewer drawn, cold": [],
        "first slice shown, warm": [],
        "viewer drawn, warm": [],
        "bare signed-in page": [],
    }
    cold_phases = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)

        def context():
            made = browser.new_context(base_url=site, viewport={"width": 1400, "height": 1000})
            made.add_cookies([{**cookie, "url": site}])
            return made

        warm = context()
        page = warm.new_page()
        first_image_ms(page, viewer_url)  # warm-up: the bundle in this context's cache
        load_ms(page, "/bench/bare/")
        for _ in range(BROWSER_RUNS):
            cold = context()
            wasm = []
            cold.on("request", lambda request, wasm=wasm: request.url.endswith(".wasm") and wasm.append(1))
            cold_page = cold.new_page()
            shown, drawn = first_image_ms(cold_page, viewer_url)
            results["first slice shown, cold"].append(shown)
            results["viewer drawn, cold"].append(drawn)
            cold_phases.append(phases(cold_page, wasm))
            cold.close()
            shown, drawn = first_image_ms(page, viewer_url)
            results["first slice shown, warm"].append(shown)
            results["viewer drawn, warm"].append(drawn)
            results["bare signed-in page"].append(load_ms(page, "/bench/bare/"))
        warm.close()
        browser.close()
    summaries = {name: summary(values) for name, values in results.items()}
    return summaries, {name: statistics.median(run[name] for run in cold_phases) for name in cold_phases[0]}


def main() -> None:
    folder = tempfile.mkdtemp(prefix="cpms-bench-imaging-")
    try:
        run(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(folder: str) -> None:
    configure(folder)
    from django.conf import settings
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.management import call_command
    from django.test import Client
    from django.test.testcases import LiveServerThread
    from django.test.utils import override_settings
    from django.urls import reverse

    from cpms.imaging.tests.factories import make_stored_study
    from cpms.panels.tests.factories import make_panel_world
    from cpms.test import sign_in

    if not (ROOT / "static/build/viewer/viewer.js").exists():
        raise SystemExit("The viewer is not built: npm run build:viewer (or make install).")
    override_settings(ROOT_URLCONF=bench_urls("bench_imaging_first_image"), ALLOWED_HOSTS=["*"]).enable()
    call_command("migrate", verbosity=0)
    world = make_panel_world()
    study = make_stored_study(world.patient, slices=SLICES, panels=[world.panel], size=128)
    instance = study.series.get().instances.order_by("slice_position")[SLICES // 2]
    client = sign_in(Client(), world.expert)
    viewer_url = reverse("imaging:study-viewer", args=[study.pk])
    file_url = reverse("imaging:instance-file", args=[study.pk, instance.pk])
    preview_url = reverse("imaging:instance-preview", args=[study.pk, instance.pk])

    endpoint = {
        "bare signed-in view": time_get(client, "/bench/bare/"),
        "image endpoint": time_get(client, file_url),
        "server's drawing (PNG)": time_get(client, preview_url),
    }

    server = LiveServerThread("localhost", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    site = f"http://localhost:{server.port}"
    name = settings.SESSION_COOKIE_NAME
    cookie = {"name": name, "value": client.cookies[name].value}
    try:
        browser, cold_phases = browser_runs(site, cookie, viewer_url)
    finally:
        server.terminate()

    size = instance.size_bytes // 1024
    print(f"SQLite, a {SLICES}-slice MR series (128×128, {size} kB a slice), loopback:")
    print(f"{'in Chromium (' + str(BROWSER_RUNS) + ' runs)':<34}{'median ms':>10}{'p95 ms':>9}{'×bare':>7}")
    bare = browser["bare signed-in page"]["median"]
    for name, result in browser.items():
        print(f"{name:<34}{result['median']:>10.1f}{result['p95']:>9.1f}{result['median'] / bare:>7.2f}")
    print("the cold load's phases (medians; ms since navigation start unless said):")
    for name, value in cold_phases.items():
        print(f"  {name:<32}{value:>10.1f}")
    print(f"{'in-process (' + str(RUNS) + ' GETs)':<34}{'median ms':>10}{'p95 ms':>9}{'×bare':>7}")
    bare = endpoint["bare signed-in view"]["median"]
    for name, result in endpoint.items():
        print(f"{name:<34}{result['median']:>10.2f}{result['p95']:>9.2f}{result['median'] / bare:>7.2f}")


if __name__ == "__main__":
    main()
