"""Storefront first render on loopback, in Debian's Chromium (issue 14: under 200 ms).

    .venv/bin/python bench/bench_storefront.py [--runs 40]

Each cold run opens a fresh browser context (empty cache, empty storage), loads the demo
bakery's page and reads the page's own ``comptoir:rendered`` mark (set when the product
list is in the DOM, in ms since navigation start) and the browser's first contentful
paint. Warm runs reload in the same context (ETag revalidation, 304s). Also prints the
bytes transferred for one cold load (headers and bodies, as the network sees them).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from marketplace.embedded import EmbeddedMarketplace  # noqa: E402
from marketplace.storefront import storefront_url  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
RENDERED = """() => new Promise(resolve => {
    const look = () => {
        const mark = performance.getEntriesByName('comptoir:rendered')[0];
        const paint = performance.getEntriesByName('first-contentful-paint')[0];
        if (mark && paint) resolve([mark.startTime, paint.startTime]);
        else setTimeout(look, 5);
    };
    look();
})"""


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _line(name: str, values: list[float]) -> str:
    return (f"{name:<34} median {statistics.median(values):7.1f} ms   p99 {_pct(values, 99):7.1f}"
            f" ms   min {min(values):7.1f}   max {max(values):7.1f}   (n={len(values)})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, \
            EmbeddedMarketplace(Path(tmp) / "marketplace.db") as market, \
            sync_playwright() as playwright:
        shop_id, code = market.seed_demo_shop()
        httpx.post(f"{market.url}/v1/pair", json={"pairing_code": code,
                                                  "device_name": "bench"}).raise_for_status()
        url = f"{storefront_url(market.url)}#/b/{shop_id}"
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        cold_render, cold_paint, warm_render, transferred = [], [], [], 0
        for run in range(args.runs + 2):  # two warm-up runs are not counted
            context = browser.new_context(viewport={"width": 360, "height": 640})
            page = context.new_page()
            finished: list = []
            page.on("requestfinished", lambda request, finished=finished: finished.append(request))
            page.goto(url, wait_until="networkidle")
            rendered, paint = page.evaluate(RENDERED)
            cold_requests = list(finished)
            page.reload(wait_until="networkidle")
            warm, _ = page.evaluate(RENDERED)
            if run >= 2:
                cold_render.append(rendered)
                cold_paint.append(paint)
                warm_render.append(warm)
                if not transferred:
                    transferred = sum(r.sizes()["responseBodySize"]
                                      + r.sizes()["responseHeadersSize"] for r in cold_requests)
            context.close()
        browser.close()
    print(f"storefront on loopback, shop page at 360x640, {args.runs} runs, headless Chromium;"
          f" page weight (one cold load): {transferred} bytes")
    print(_line("cold: products in the DOM", cold_render))
    print(_line("cold: first contentful paint", cold_paint))
    print(_line("warm reload: products in the DOM", warm_render))
    return 0


if __name__ == "__main__":
    sys.exit(main())
