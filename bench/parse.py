"""Parse time of a generated 5,000-line script (should be well under a second).

    python bench/parse.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import generated_script

from runthru_build.script.play import parse_markdown


def main() -> None:
    source = generated_script(5000)
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        script = parse_markdown(source, "generated.md")
        runs.append(time.perf_counter() - start)
    lines = sum(1 for _ in script.lines())
    print(f"source lines: {source.count(chr(10))}, spoken lines: {lines}, scenes: {len(script.scenes)}")
    print(f"parse time: best {min(runs) * 1000:.0f} ms, median {sorted(runs)[2] * 1000:.0f} ms (target < 1000 ms)")


if __name__ == "__main__":
    main()
