"""Player benchmark, measured in real headless Chromium from file://.

    python bench/player.py                  # builds the sample production in a temp folder
    python bench/player.py --project DIR    # a project already built (its build/)

Prints the weight of a role page before audio (HTML + every script and
stylesheet it loads, the production's data.js included; target <= 150 KB) and the time from pressing
play to the audio element's ``playing`` event (target <= 150 ms).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from common import copy_sample  # noqa: E402

from runthru_build.commands.build import build  # noqa: E402


def page_weight(build_dir: Path, production: str, role: str) -> dict[str, int]:
    """The page and every script and stylesheet it loads (the player is several classic scripts)."""
    page = build_dir / production / role / "index.html"
    files = {"role page": page}
    for ref in re.findall(r'<(?:script src|link rel="stylesheet" href)="([^"]+)"', page.read_text()):
        target = (page.parent / ref).resolve()
        files[target.name] = target
    return {name: path.stat().st_size for name, path in files.items()}


def play_latency(page_url: str, runs: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    timings = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        for _ in range(runs):
            page.goto(page_url)
            page.wait_for_function("() => window.runthruPlayer !== undefined")
            page.evaluate("""() => {
                const a = document.getElementById('audio');
                window.__t = {};
                document.getElementById('play').addEventListener('click',
                    () => { window.__t.click = performance.now(); }, { capture: true });
                a.addEventListener('playing', () => { window.__t.playing = performance.now(); }, { once: true });
            }""")
            page.click("#play")
            page.wait_for_function("() => window.__t.playing !== undefined", timeout=10000)
            t = page.evaluate("window.__t")
            timings.append(t["playing"] - t["click"])
            page.evaluate("localStorage.clear()")
        browser.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", type=Path, help="a built project (default: build the sample in a temp folder)")
    parser.add_argument("--role", default="juliet")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = args.project
        if project is None:
            project = copy_sample(Path(tmp))
            build(project)
        build_dir = project / "build"
        production = next(p.name for p in build_dir.iterdir() if p.is_dir() and p.name != "assets")
        weight = page_weight(build_dir, production, args.role)
        total = sum(weight.values())
        print(f"role page {production}/{args.role}: " + ", ".join(f"{k} {v / 1000:.1f} KB" for k, v in weight.items()))
        print(f"  total before audio: {total / 1000:.1f} KB (target <= 150 KB)")
        url = (build_dir / production / args.role / "index.html").as_uri()
        timings = play_latency(url, args.runs)
        print(f"press play -> audio playing, from file:// ({len(timings)} runs): median "
              f"{statistics.median(timings):.0f} ms, worst {max(timings):.0f} ms (target <= 150 ms)")


if __name__ == "__main__":
    main()
