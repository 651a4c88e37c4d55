"""Warm `fix` and `report` against a warm `scan` (target: at most 2x), run by hand.

    /work/venv/bin/python benchmarks/commands.py                 # chat_app, then stdlib
    /work/venv/bin/python benchmarks/commands.py --corpora chat_app --rounds 3

Each command runs as a whole process, on a corpus whose cache a `scan` has just filled (the
warm-up round), with the defaults a user gets (`--jobs` one per CPU, the cache on). `fix` is the
dry run (it plans every fix and prints the diff), `report` the audit (it plans, applies the plan
to a temporary copy and verifies it: the copy's scans reuse the cache). The result is the median
wall time of the rounds, and its ratio to the warm scan; it goes to
`benchmarks/RESULTS-commands.md`. Corpora are those of `run.py` (built there if missing).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import (  # noqa: E402 - run.py is the harness next to this file, not a package
    OUT,
    ensure_corpora_repo,
    find_tool,
    log,
    machine_info,
    measure,
    prepare_chat_app,
    prepare_stdlib,
)

TARGET = 2.0  # warm fix or report / warm scan <=
RESULTS = HERE / "RESULTS-commands.md"


def commands(hygiene: Path, corpus: Path) -> dict[str, list[str]]:
    return {
        "scan": [str(hygiene), "scan", str(corpus), "--format", "json", "--exit-zero"],
        "fix": [str(hygiene), "fix", str(corpus)],
        "report": [str(hygiene), "report", str(corpus), "-o", str(OUT / "report.md")],
    }


def bench(hygiene: Path, corpus: Path, rounds: int) -> dict[str, list[float]]:
    runs = commands(hygiene, corpus)
    walls: dict[str, list[float]] = {name: [] for name in runs}
    OUT.mkdir(parents=True, exist_ok=True)
    for name, cmd in runs.items():  # warm-up: the scan fills the cache, the others load their code
        measure(cmd, OUT / f"commands-{name}.out")
    for number in range(rounds):
        order = list(runs)[number % 3:] + list(runs)[: number % 3]
        for name in order:
            run = measure(runs[name], OUT / f"commands-{name}.out")
            if run.rc not in {0, 1}:
                sys.exit(f"{name} failed (exit {run.rc}): see {OUT / f'commands-{name}.out'}")
            walls[name].append(run.wall)
        log(f"{corpus.name}: round {number + 1}/{rounds}")
    return walls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpora", default="chat_app,stdlib")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--bin-dir", type=Path)
    args = parser.parse_args(argv)
    hygiene = find_tool("hygiene", args.bin_dir)
    if hygiene is None:
        sys.exit("hygiene is not installed next to this interpreter (or in --bin-dir, or on PATH)")
    ensure_corpora_repo()
    prepare = {"chat_app": prepare_chat_app, "stdlib": lambda: prepare_stdlib(False)}
    rows = []
    for name in args.corpora.split(","):
        corpus, description = prepare[name]()
        walls = bench(hygiene, corpus, args.rounds)
        scan = statistics.median(walls["scan"])
        for command in ("scan", "fix", "report"):
            wall = statistics.median(walls[command])
            ratio = wall / scan
            verdict = "" if command == "scan" else ("✅" if ratio <= TARGET else "❌")
            rows.append(f"| {name} | {command} | {wall:.2f} | {ratio:.1f}× {verdict} | "
                        f"{', '.join(f'{w:.2f}' for w in walls[command])} |")
        log(f"{name} ({description}): done")
    lines = [
        "# Warm fix and report against a warm scan",
        "",
        f"Run by `benchmarks/commands.py` on {time.strftime('%Y-%m-%d')}: whole processes, median wall time of "
        f"{args.rounds} rounds after one warm-up, the cache filled by the warm-up's scan. Target: fix and "
        f"report at most {TARGET:.0f}× the warm scan.",
        "",
        "| corpus | command | median (s) | / warm scan | rounds (s) |",
        "|---|---|---|---|---|",
        *rows,
        "",
        "Machine: " + "; ".join(f"{key} {value}" for key, value in machine_info()),
        "",
    ]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
