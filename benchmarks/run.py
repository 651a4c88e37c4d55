#!/usr/bin/env python3
"""Benchmark harness: `hygiene scan` against vulture, pylint (duplicate-code) and skylos.

Run by hand, never from the test suite. Standard library only; the measured tools are run as
whole processes (found next to this interpreter, or on PATH, or in --bin-dir). See
benchmarks/README.md for how to run it and what every figure means.

Method (the one of shared/research/perf-baselines.md):
- every tool is a whole process; wall time is time.perf_counter() around fork/exec/wait;
- peak RSS is `ru_maxrss` of the rusage returned by os.wait4() for that child: the largest
  single process among the child and the descendants it reaped (not their sum); the sum over the
  process tree is sampled from /proc during the (untimed) warm-up run and shown beside it;
- stdout and stderr go to files, so terminal cost is excluded;
- one warm-up run per tool, then N rounds; in each round every tool runs once, in an order that
  rotates from round to round; the figure reported is the median;
- exit codes are recorded and never abort the run.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import json
import os
import platform
import pstats
import re
import shutil
import signal
import statistics
import subprocess
import sys
import sysconfig
import tarfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPORA = HERE / ".corpora"
OUT = CORPORA / "_out"
DOWNLOADS = CORPORA / "_downloads"
WORKDIR = OUT / "cwd"  # the working directory of every measured process (they may drop files)
DEFAULT_RESULTS = HERE / "RESULTS.md"
QUICK_RESULTS = OUT / "RESULTS.quick.md"

DJANGO_SPEC = "django==5.2.*"
CACHE_DIR_NAME = ".hygiene_cache"
STDLIB_EXCLUDE_TOP = {"test", "idlelib", "site-packages", "lib-dynload"}
STDLIB_EXCLUDE_REL = {"lib2to3/tests"}
ALL_CORPORA = ("django", "stdlib", "chat_app")
LARGE_CORPORA = ("django", "stdlib")  # where the targets are judged (chat_app is start-up bound)
SCALES = (1, 2, 4)
NOISE = 0.10  # differences under about 10 % are noise on this machine (perf-baselines.md)

# Modes, in the order they appear in the tables.
STARTUP, COLD, WARM, EDIT, VULTURE, PYLINT, SKYLOS = (
    "hygiene on an empty directory (start-up)",
    "hygiene cold",
    "hygiene warm (no change)",
    "hygiene warm (1 file edited)",
    "vulture",
    "pylint duplicate-code",
    "skylos",
)

TARGETS = {
    "cold": 1.5,  # hygiene cold / vulture <=
    "edit": 0.25,  # hygiene warm after a one-file edit / vulture <=
    "warm_s": 0.5,  # no-change warm on django, seconds <=
    "pylint": 5.0,  # pylint / hygiene cold >=
    "skylos": 10.0,  # skylos / hygiene cold >=
    "x2": 2.2,  # 2x tree time / 1x <=
    "x4": 4.5,  # 4x tree time / 1x <=
    "rss_mib": 500.0,  # peak RSS on stdlib <=
}


def log(message: str) -> None:
    stamp = time.strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Measuring one process


@dataclass
class Run:
    wall: float
    rc: int | None
    maxrss_kib: int
    cpu: float  # user + sys of the child and its reaped descendants
    tree_peak_kib: int | None = None  # sampled sum over the process tree (warm-up only)
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return not self.timed_out and self.rc is not None and self.rc >= 0


def _children_map() -> dict[int, list[int]]:
    """ppid -> [pid] from /proc/*/stat (the kernel here has no /proc/PID/task/TID/children)."""
    result: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # pid (comm) state ppid ...; comm may contain spaces and parentheses.
        tail = stat[stat.rfind(b")") + 2 :].split()
        if len(tail) > 1:
            result.setdefault(int(tail[1]), []).append(int(entry.name))
    return result


def _tree_rss_kib(root_pid: int) -> int:
    children = _children_map()
    total, stack, seen = 0, [root_pid], set()
    page_kib = os.sysconf("SC_PAGE_SIZE") // 1024
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            with open(f"/proc/{pid}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * page_kib
        except (OSError, IndexError, ValueError):
            pass
        stack.extend(children.get(pid, ()))
    return total


class TreeSampler(threading.Thread):
    """Samples the summed RSS of a process tree every `interval` seconds (shared pages count once
    per process, so this is an upper bound of what the tree really holds)."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak = pid, interval, 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            with contextlib.suppress(Exception):  # sampling is best effort
                self.peak = max(self.peak, _tree_rss_kib(self.pid))
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def measure(
    cmd: list[str], out_path: Path, *, sample_tree: bool = False, timeout: float | None = None,
    sample_interval: float = 0.05, extra_env: dict[str, str] | None = None,
) -> Run:
    """Run `cmd` once as a whole process, output to `out_path`; wall, exit code, rusage."""
    WORKDIR.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, COLUMNS="120", NO_COLOR="1", **(extra_env or {}))
    env.pop("PYTHONUNBUFFERED", None)  # any value turns it on: tools write their output buffered, as usual
    with open(out_path, "wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, cwd=WORKDIR, env=env,
            start_new_session=True,
        )
        sampler = TreeSampler(proc.pid, sample_interval) if sample_tree else None
        if sampler:
            sampler.start()
        killer = None
        timed_out = threading.Event()
        if timeout:
            def _kill() -> None:
                timed_out.set()
                with contextlib.suppress(OSError):
                    os.killpg(proc.pid, signal.SIGKILL)
            killer = threading.Timer(timeout, _kill)
            killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)
            raise
        wall = time.perf_counter() - started
        if killer:
            killer.cancel()
        if sampler:
            sampler.stop()
        rc = os.waitstatus_to_exitcode(status)
        proc.returncode = rc  # already reaped: keep Popen from waiting again
    return Run(
        wall=wall,
        rc=rc,
        maxrss_kib=usage.ru_maxrss,
        cpu=usage.ru_utime + usage.ru_stime,
        tree_peak_kib=sampler.peak if sampler else None,
        timed_out=timed_out.is_set(),
    )


# --------------------------------------------------------------------------------------------
# Tools


def find_tool(name: str, bin_dir: Path | None) -> Path | None:
    candidates = []
    if bin_dir is not None:
        candidates.append(bin_dir / name)
    candidates.append(Path(sys.executable).parent / name)
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(name)
    return Path(found) if found else None


def tool_python(hygiene: Path) -> str:
    """The interpreter that runs `hygiene` (from its shebang), for cProfile and versions."""
    try:
        first = hygiene.read_bytes().split(b"\n", 1)[0].decode()
        if first.startswith("#!"):
            candidate = first[2:].strip().split()[0]
            if os.access(candidate, os.X_OK):
                return candidate
    except OSError:
        pass
    sibling = hygiene.parent / "python"
    return str(sibling) if sibling.exists() else sys.executable


def capture(cmd: list[str], timeout: float = 120, extra_env: dict[str, str] | None = None) -> str:
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, cwd=WORKDIR,
            env=dict(os.environ, COLUMNS="200", NO_COLOR="1", **(extra_env or {})),
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"<{error}>"
    return (done.stdout + done.stderr).strip()


@dataclass
class Tools:
    hygiene: Path
    python: str
    vulture: Path | None
    pylint: Path | None
    skylos: Path | None
    no_cache_flag: bool
    jobs: int | None
    versions: dict[str, str] = field(default_factory=dict)
    hygiene_env: dict[str, str] = field(default_factory=dict)  # PYTHONPATH of the snapshot, if any
    live_package: Path | None = None  # where `import analyzer` resolves without the snapshot
    package: Path | None = None  # the analyzer package that is measured

    def hygiene_cmd(self, corpus: Path, *, cold: bool) -> list[str]:
        cmd = [str(self.hygiene), "scan", str(corpus), "--format", "json"]
        if self.jobs is not None:
            cmd += ["--jobs", str(self.jobs)]
        if cold and self.no_cache_flag:
            cmd.append("--no-cache")
        return cmd


def _package_dir(python: str, extra_env: dict[str, str]) -> Path | None:
    where = capture([python, "-c", "import analyzer, os; print(os.path.dirname(os.path.abspath(analyzer.__file__)))"],
                    extra_env=extra_env).strip().splitlines()
    path = Path(where[-1]) if where else None
    return path if path is not None and path.is_dir() else None


def _fingerprint_dir(root: Path | None) -> str:
    import hashlib

    if root is None or not root.is_dir():
        return "?"
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix in (".py", ".json", ".toml"):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def snapshot_package(live: Path, python: str) -> tuple[Path | None, dict[str, str]]:
    """Copy the analyzer package as it is now to .corpora/_snapshot/<hash>/analyzer and byte-compile it.

    The tree may be edited while a run of an hour goes on; every measured hygiene process then imports this
    copy (PYTHONPATH comes before the editable install on sys.path), so all rounds measure one build."""
    fingerprint = _fingerprint_dir(live)
    parent = CORPORA / "_snapshot" / fingerprint
    target = parent / "analyzer"
    if not target.is_dir():
        shutil.rmtree(parent, ignore_errors=True)
        parent.mkdir(parents=True)
        shutil.copytree(live, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        diff = capture(["git", "-C", str(REPO), "diff", "HEAD", "--", str(live.relative_to(REPO))]) \
            if live.is_relative_to(REPO) else ""
        (parent / "HEAD.diff").write_text(diff + "\n")
        subprocess.run([python, "-m", "compileall", "-q", str(target)], check=False, cwd=WORKDIR,
                       stdout=subprocess.DEVNULL)
    env = {"PYTHONPATH": str(parent)}
    if _package_dir(python, env) != target.resolve():
        log(f"warning: PYTHONPATH={parent} does not take precedence over the installed analyzer; measuring {live}")
        return live, {}
    log(f"measuring a snapshot of {live}: {target}")
    return target, env


def detect_tools(args: argparse.Namespace) -> Tools:
    WORKDIR.mkdir(parents=True, exist_ok=True)
    hygiene = find_tool("hygiene", args.bin_dir)
    if hygiene is None:
        sys.exit("hygiene not found: run this with the venv's python, or pass --bin-dir")
    python = tool_python(hygiene)
    live = _package_dir(python, {})
    hygiene_env: dict[str, str] = {}
    package = live
    if not args.live and live is not None:
        package, hygiene_env = snapshot_package(live, python)
    help_text = capture([str(hygiene), "scan", "--help"], extra_env=hygiene_env)
    tools = Tools(
        hygiene=hygiene,
        python=tool_python(hygiene),
        vulture=find_tool("vulture", args.bin_dir),
        pylint=find_tool("pylint", args.bin_dir),
        skylos=find_tool("skylos", args.bin_dir),
        no_cache_flag="--no-cache" in help_text,
        jobs=args.jobs,
        hygiene_env=hygiene_env,
        live_package=live,
        package=package,
    )
    py = tools.python
    meta = capture(extra_env=hygiene_env, cmd=[py, "-c", (
        "import importlib.metadata as m, platform\n"
        "def v(n):\n"
        "    try: return m.version(n)\n"
        "    except Exception: return '-'\n"
        "print(platform.python_version(), v('code-hygiene'), v('libcst'), v('networkx'), sep='|')"
    )]).split("|")
    if len(meta) == 4:
        tools.versions["python"], tools.versions["code-hygiene"] = meta[0], meta[1]
        tools.versions["libcst"], tools.versions["networkx"] = meta[2], meta[3]
    head = capture(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    dirty = capture(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"])
    tools.versions["hygiene commit"] = head + (" + uncommitted changes" if dirty and not dirty.startswith("<") else "")
    if hygiene_env:
        rel = package.parent.relative_to(REPO) if package and package.is_relative_to(REPO) else package
        tools.versions["measured build"] = (
            f"a snapshot of `{live}` taken at the start, in `{rel}` (run with PYTHONPATH there, byte-compiled "
            "like a pip install), so edits made to the tree during the run do not leak into it"
        )
    else:
        tools.versions["measured build"] = f"the live package `{live}` (--live or no snapshot possible)"
    jobs_default = re.search(r"--jobs.*?\[default:\s*(\d+)\]", help_text, re.S)
    tools.versions["hygiene --jobs"] = (
        str(args.jobs) if args.jobs else f"default ({jobs_default.group(1) if jobs_default else '?'})"
    )
    tools.versions["hygiene --no-cache"] = "supported" if tools.no_cache_flag else (
        f"not supported: cold runs delete <corpus>/{CACHE_DIR_NAME} first"
    )
    for name in ("vulture", "pylint", "skylos"):
        exe = getattr(tools, name)
        if exe is None:
            tools.versions[name] = "not installed"
            continue
        text = capture([str(exe), "--version"])
        lines = [line for line in text.splitlines() if line.strip()]
        if name == "pylint":
            tools.versions[name] = "; ".join(line.strip() for line in lines[:2])
        else:
            tools.versions[name] = lines[-1].strip() if lines else "?"
    return tools


# --------------------------------------------------------------------------------------------
# Corpora


def _count(root: Path) -> tuple[int, int, int]:
    files = lines = size = 0
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in (CACHE_DIR_NAME, "__pycache__")]
        for name in filenames:
            if name.endswith(".py"):
                data = (Path(directory) / name).read_bytes()
                files += 1
                lines += data.count(b"\n")
                size += len(data)
    return files, lines, size


def _ready(marker: Path, target: Path, rebuild: bool) -> bool:
    if rebuild:
        shutil.rmtree(target, ignore_errors=True)
        marker.unlink(missing_ok=True)
        return False
    return marker.exists() and target.is_dir()


def ensure_corpora_repo() -> None:
    """Make benchmarks/.corpora a git repository of its own (empty, never committed to).

    The project's .gitignore ignores benchmarks/.corpora/, and skylos lists a tree's files with
    `git ls-files --others --exclude-standard` in the enclosing repository: inside the project's repo it
    would find no file at all. In a repository of their own the corpora are plain untracked files."""
    CORPORA.mkdir(parents=True, exist_ok=True)
    if not (CORPORA / ".git").exists():
        subprocess.run(["git", "init", "-q", str(CORPORA)], check=False, stdout=subprocess.DEVNULL)


def prepare_django(tools: Tools, rebuild: bool) -> tuple[Path, str]:
    target, marker = CORPORA / "django", CORPORA / "django.ready"
    if _ready(marker, target, rebuild):
        return target, marker.read_text().strip()
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    tarballs = sorted(DOWNLOADS.glob("[Dd]jango-5.2.*.tar.gz"))
    if not tarballs:
        log(f"downloading the {DJANGO_SPEC} sdist")
        subprocess.run(
            [tools.python, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", DJANGO_SPEC,
             "-d", str(DOWNLOADS)],
            check=True, cwd=WORKDIR, stdout=subprocess.DEVNULL,
        )
        tarballs = sorted(DOWNLOADS.glob("[Dd]jango-5.2.*.tar.gz"))
    if not tarballs:
        sys.exit(f"no Django sdist in {DOWNLOADS}")
    tarball = tarballs[-1]
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    log(f"extracting django/ from {tarball.name}")
    with tarfile.open(tarball) as archive:
        for member in archive.getmembers():
            parts = member.name.split("/")
            if len(parts) < 3 or parts[1] != "django" or not (member.isfile() or member.isdir()):
                continue
            member.name = "/".join(parts[2:])
            archive.extract(member, target, filter="data")
    version = tarball.name[len("django-"): -len(".tar.gz")]
    marker.write_text(f"Django {version} sdist, django/\n")
    return target, marker.read_text().strip()


def prepare_stdlib(rebuild: bool) -> tuple[Path, str]:
    target, marker = CORPORA / "stdlib", CORPORA / "stdlib.ready"
    source = Path(sysconfig.get_paths()["stdlib"])
    if _ready(marker, target, rebuild):
        return target, marker.read_text().strip()
    shutil.rmtree(target, ignore_errors=True)
    log(f"copying the stdlib from {source}")

    def ignore(directory: str, names: list[str]) -> set[str]:
        rel = Path(directory).relative_to(source).as_posix()
        skipped = {name for name in names if name == "__pycache__"}
        if rel == ".":
            skipped |= STDLIB_EXCLUDE_TOP & set(names)
        skipped |= {name for name in names if (f"{rel}/{name}" if rel != "." else name) in STDLIB_EXCLUDE_REL}
        return skipped

    shutil.copytree(source, target, ignore=ignore, symlinks=True)
    marker.write_text(
        f"Python {platform.python_version()} stdlib ({source}) without test/, idlelib/, lib2to3/tests/, "
        "site-packages/, lib-dynload/, __pycache__/\n"
    )
    return target, marker.read_text().strip()


def prepare_chat_app() -> tuple[Path, str]:
    """A copy, so that the cache and the edited file never touch the fixture in the repo."""
    target = CORPORA / "chat_app"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(
        REPO / "fixtures" / "chat_app", target,
        ignore=shutil.ignore_patterns("__pycache__", CACHE_DIR_NAME, ".pytest_cache"),
    )
    return target, "fixtures/chat_app (copied)"


def prepare_scaling(django: Path, rebuild: bool) -> dict[int, Path]:
    """x1: django/; xK: django/ plus django_copy1..K-1/, copies as new top-level packages."""
    roots = {}
    for k in SCALES:
        root, marker = CORPORA / "scale" / f"x{k}", CORPORA / "scale" / f"x{k}.ready"
        roots[k] = root
        if _ready(marker, root, rebuild):
            continue
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        for i in range(k):
            name = "django" if i == 0 else f"django_copy{i}"
            shutil.copytree(django, root / name, ignore=shutil.ignore_patterns(CACHE_DIR_NAME, "__pycache__"))
        marker.write_text(f"{k} copies\n")
    return roots


def pick_edit_file(root: Path) -> Path:
    """The median-sized .py file (by lines, ties by path): a typical file to edit."""
    sized = []
    for path in sorted(root.rglob("*.py")):
        if CACHE_DIR_NAME in path.parts or "__pycache__" in path.parts:
            continue
        sized.append((path.read_bytes().count(b"\n"), path.relative_to(root).as_posix(), path))
    sized.sort()
    return sized[len(sized) // 2][2]


# --------------------------------------------------------------------------------------------
# One corpus


@dataclass
class CorpusResult:
    name: str
    root: Path
    origin: str
    files: int
    lines: int
    size: int
    edit_file: str | None = None
    runs: dict[str, list[Run]] = field(default_factory=dict)
    warmups: dict[str, Run] = field(default_factory=dict)
    commands: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    load_before: str = ""
    load_after: str = ""


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def _cache_dir(corpus: Path) -> Path:
    return corpus / CACHE_DIR_NAME


def _drop_cache(corpus: Path) -> None:
    shutil.rmtree(_cache_dir(corpus), ignore_errors=True)


def _short(cmd: list[str], corpus: Path) -> str:
    text = " ".join(Path(c).name if i == 0 else c for i, c in enumerate(cmd))
    return text.replace(str(corpus), "<corpus>").replace(str(REPO) + "/", "")


def summarise(mode: str, out: Path) -> str:
    """`findings_summary` in a helper process: parsing a large JSON report here would grow this process,
    and Linux counts the parent's peak RSS into every later child's ru_maxrss (fork + exec)."""
    try:
        done = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--summarise", mode, str(out)],
            capture_output=True, text=True, timeout=600,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"? ({error})"
    return done.stdout.strip() or f"? ({done.stderr.strip().splitlines()[-1:] or 'no output'})"


def findings_summary(mode: str, out: Path) -> str:
    """A rough count of what the tool printed, to show it did the work."""
    try:
        text = out.read_text(errors="replace")
    except OSError:
        return "?"
    if mode.startswith("hygiene"):
        try:
            data = json.loads(text[text.index("{"):])
        except ValueError:
            return "unparsable JSON: " + text.strip().splitlines()[-1][:80] if text.strip() else "empty"
        stats = data.get("stats", {})
        rules: dict[str, int] = {}
        for finding in data.get("findings", []):
            rules[finding.get("rule", "?")] = rules.get(finding.get("rule", "?"), 0) + 1
        per_rule = ", ".join(f"{k} {v}" for k, v in sorted(rules.items()))
        return (f"{stats.get('files', '?')} files, {stats.get('lines', '?')} lines; "
                f"{len(data.get('findings', []))} findings ({per_rule or 'none'}); "
                f"{len(data.get('diagnostics', []))} diagnostics")
    if mode == VULTURE:
        return f"{sum(1 for line in text.splitlines() if line.strip())} lines"
    if mode == PYLINT:
        return f"{text.count('R0801')} R0801 blocks"
    if mode == SKYLOS:
        try:
            data = json.loads(text[text.index("{"):])
        except ValueError:
            return f"{len(text.splitlines())} lines (not JSON)"
        counts = {k: len(v) for k, v in data.items() if k.startswith("unused") and isinstance(v, list) and v}
        analysed = (data.get("analysis_summary") or {}).get("total_files", "?")
        text = f"{analysed} files analysed; {sum(counts.values())} unused_* entries" + (
            " (" + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + ")" if counts else ""
        )
        for error in data.get("analysis_errors") or []:
            if isinstance(error, dict) and error.get("kind") == "grep_budget_exhausted":
                # skylos stops its grep verification at a time budget (SKYLOS_GREP_BUDGET, 120 s by default):
                # part of its wall time is then that budget, not work that scales with the tree.
                text += (f"; its grep verification hit its time budget ({error.get('unverified_candidate_count', '?')}"
                         f" of {error.get('candidate_count', '?')} candidates unverified)")
        return text
    return ""


def bench_corpus(
    name: str, root: Path, origin: str, tools: Tools, args: argparse.Namespace, rounds: int,
    pylint_rounds: int, skylos_rounds: int,
) -> CorpusResult:
    files, lines, size = _count(root)
    result = CorpusResult(name, root, origin, files, lines, size)
    OUT.mkdir(parents=True, exist_ok=True)

    # Prime the cache once (untimed) and see whether this build has one.
    _drop_cache(root)
    log(f"{name}: priming run (untimed) to see whether hygiene writes {CACHE_DIR_NAME}/")
    result.load_before = loadavg()
    prime_out = OUT / f"{name}-prime.out"
    prime = measure(tools.hygiene_cmd(root, cold=False), prime_out, sample_tree=True, timeout=args.timeout,
                    extra_env=tools.hygiene_env)
    log(f"{name}:   {prime.wall:.3f} s rc={prime.rc} rss={prime.maxrss_kib / 1024:.0f} MiB")
    has_cache = _cache_dir(root).exists()
    if not has_cache:
        result.notes.append(
            f"hygiene wrote no `{CACHE_DIR_NAME}/` into the corpus (priming run exit {prime.rc}): this build has no "
            "cache, so the two warm modes were not measured; the priming run (a cold run) served as the warm-up "
            "of `hygiene cold`."
        )
    edit_path = pick_edit_file(root) if has_cache else None
    if edit_path is not None:
        result.edit_file = edit_path.relative_to(root).as_posix()

    modes: list[tuple[str, list[str], int]] = [(COLD, tools.hygiene_cmd(root, cold=True), rounds)]
    if has_cache:
        modes += [
            (WARM, tools.hygiene_cmd(root, cold=False), rounds), (EDIT, tools.hygiene_cmd(root, cold=False), rounds)
        ]
    if tools.vulture:
        modes.append((VULTURE, [str(tools.vulture), str(root)], rounds))
    empty = CORPORA / "empty"
    if name == "chat_app":  # the fixed cost (interpreter, imports, rule set-up), beside the smallest corpus
        shutil.rmtree(empty, ignore_errors=True)
        empty.mkdir(parents=True)
        modes.insert(0, (STARTUP, tools.hygiene_cmd(empty, cold=True), rounds))
    if tools.pylint and not args.quick:
        modes.append((
            PYLINT, [str(tools.pylint), "--recursive=y", "--disable=all", "--enable=duplicate-code", str(root)],
            pylint_rounds,
        ))
    if tools.skylos and not args.quick:
        modes.append((SKYLOS, [str(tools.skylos), str(root), "--json", "--no-upload"], skylos_rounds))
    for mode, cmd, _ in modes:
        result.commands[mode] = _short(cmd, root)
        result.runs[mode] = []
    if not tools.no_cache_flag:
        result.commands[COLD] += f"   (after deleting <corpus>/{CACHE_DIR_NAME})"
    if has_cache:
        result.commands[EDIT] += f"   (after appending a comment line to {result.edit_file}; restored after)"

    def out_file(mode: str) -> Path:
        return OUT / f"{name}-{re.sub(r'[^a-z0-9]+', '-', mode.lower()).strip('-')}.out"

    def run_mode(mode: str, cmd: list[str], warmup: bool, interval: float = 0.05) -> Run:
        out = out_file(mode)
        if not mode.startswith("hygiene"):
            # Peers see the corpus without hygiene's cache: moved aside (a rename) and back, untimed.
            stash = CORPORA / f"_stash-{name}"
            shutil.rmtree(stash, ignore_errors=True)
            moved = _cache_dir(root).exists()
            if moved:
                _cache_dir(root).rename(stash)
            try:
                return measure(cmd, out, sample_tree=warmup, timeout=args.timeout, sample_interval=interval)
            finally:
                if moved:
                    stash.rename(_cache_dir(root))
        env = tools.hygiene_env
        if mode == COLD and not tools.no_cache_flag:
            _drop_cache(root)
        if mode == STARTUP and not tools.no_cache_flag:
            _drop_cache(empty)
        if mode == EDIT:
            assert edit_path is not None
            original, st = edit_path.read_bytes(), edit_path.stat()
            try:
                sep = b"" if original.endswith(b"\n") or not original else b"\n"
                edit_path.write_bytes(original + sep + f"# benchmark edit {time.time_ns()}\n".encode())
                run = measure(cmd, out, sample_tree=warmup, timeout=args.timeout, sample_interval=interval,
                              extra_env=env)
            finally:
                edit_path.write_bytes(original)
                os.utime(edit_path, ns=(st.st_atime_ns, st.st_mtime_ns))
            # Bring the cache back in line with the restored file (untimed).
            measure(tools.hygiene_cmd(root, cold=False), OUT / f"{name}-reprime.out", timeout=args.timeout,
                    extra_env=env)
        else:
            run = measure(cmd, out, sample_tree=warmup, timeout=args.timeout, sample_interval=interval,
                          extra_env=env)
        return run

    if not has_cache:
        # The priming run was a cold run (no cache to find): it is the warm-up of the cold mode.
        result.warmups[COLD] = prime
    # Warm-up: every mode that runs all the rounds (the slow peers with fewer rounds get none).
    for mode, cmd, n in modes:
        if n < rounds or mode in result.warmups:
            continue
        log(f"{name}: warm-up {mode}")
        run = run_mode(mode, cmd, warmup=True)
        result.warmups[mode] = run
        log(f"{name}:   {run.wall:.3f} s rc={run.rc} rss={run.maxrss_kib / 1024:.0f} MiB")
    for r in range(rounds):
        start = r % len(modes)
        order = modes[start:] + modes[:start]
        for mode, cmd, n in order:
            if r >= n:
                continue
            # A slow peer with no warm-up samples its tree RSS in its first timed run instead, at 4 Hz
            # (one sample costs about 0.6 ms of CPU).
            sample = mode not in result.warmups and r == 0
            run = run_mode(mode, cmd, warmup=sample, interval=0.25)
            result.runs[mode].append(run)
            log(f"{name} round {r + 1}/{rounds}: {mode}: {run.wall:.3f} s cpu {run.cpu:.2f} s rc={run.rc} "
                f"rss={run.maxrss_kib / 1024:.0f} MiB" + (" TIMEOUT" if run.timed_out else ""))
    result.load_after = loadavg()
    for mode, _, _ in modes:
        out = out_file(mode)
        if mode == COLD and not has_cache and not result.runs[COLD]:
            out = prime_out
        if out.exists():
            result.outputs[mode] = summarise(mode, out)
        if mode == SKYLOS and result.outputs.get(mode, "").startswith("0 files analysed"):
            result.notes.append("skylos analysed no file (see its output), so its times are left out.")
            for run in result.runs[mode]:
                run.rc = None
    if has_cache:
        _drop_cache(root)
    return result


# --------------------------------------------------------------------------------------------
# Scaling


@dataclass
class ScalingResult:
    roots: dict[int, Path]
    files: dict[int, int] = field(default_factory=dict)
    lines: dict[int, int] = field(default_factory=dict)
    runs: dict[int, list[Run]] = field(default_factory=dict)
    warmups: dict[int, Run] = field(default_factory=dict)
    outputs: dict[int, str] = field(default_factory=dict)
    load_before: str = ""
    load_after: str = ""


def bench_scaling(roots: dict[int, Path], tools: Tools, args: argparse.Namespace, rounds: int) -> ScalingResult:
    result = ScalingResult(roots)
    for k, root in roots.items():
        result.files[k], result.lines[k], _ = _count(root)
        result.runs[k] = []

    def one(k: int, sample: bool, interval: float = 0.05) -> Run:
        root = roots[k]
        if not tools.no_cache_flag:
            _drop_cache(root)
        out = OUT / f"scale-x{k}.out"
        return measure(tools.hygiene_cmd(root, cold=True), out, sample_tree=sample, timeout=args.timeout,
                       sample_interval=interval, extra_env=tools.hygiene_env)

    result.load_before = loadavg()
    # One warm-up, on 1x only: the process-level warm state (interpreter, libraries, page cache of the
    # tool) is shared by all three trees, and the copies were just written, so they are in the page cache.
    keys = list(roots)
    log(f"scaling: warm-up x{keys[0]}")
    result.warmups[keys[0]] = one(keys[0], sample=True)
    log(f"scaling:   {result.warmups[keys[0]].wall:.3f} s")
    for r in range(rounds):
        start = r % len(keys)
        for k in keys[start:] + keys[:start]:
            # Trees without a warm-up sample their tree RSS in their first timed run, at 4 Hz.
            run = one(k, sample=(r == 0 and k not in result.warmups), interval=0.25)
            result.runs[k].append(run)
            log(
                f"scaling round {r + 1}/{rounds}: x{k}: {run.wall:.3f} s rc={run.rc} "
                f"rss={run.maxrss_kib / 1024:.0f} MiB"
            )
    result.load_after = loadavg()
    for k in roots:
        result.outputs[k] = summarise(COLD, OUT / f"scale-x{k}.out")
    for root in roots.values():
        _drop_cache(root)
    return result


# --------------------------------------------------------------------------------------------
# Profile


@dataclass
class ProfileResult:
    wall: float
    rc: int | None
    total: float
    top_cumulative: list[tuple]
    top_tottime: list[tuple]
    stages: list[tuple[str, float]]
    path: Path


def _fn_label(key: tuple) -> str:
    filename, line, func = key
    if filename == "~":
        return func
    path = filename.replace("\\", "/")
    for marker in ("/analyzer/", "/site-packages/", "/lib/python3"):
        if marker in path:
            path = path[path.index(marker) + 1 :]
            break
    if path.startswith("lib/python3"):
        path = "stdlib/" + path.split("/", 2)[-1]
    return f"{path}:{line}({func})"


def profile_django(root: Path, tools: Tools, args: argparse.Namespace) -> ProfileResult:
    prof = OUT / "django-cold.prof"
    _drop_cache(root)
    cmd = [tools.python, "-m", "cProfile", "-o", str(prof), "-m", "analyzer", "scan", str(root),
           "--format", "json", "--jobs", "1"]
    if tools.no_cache_flag:
        cmd.append("--no-cache")
    log("profiling one cold scan of django (cProfile, --jobs 1)")
    run = measure(cmd, OUT / "django-profile.out", timeout=args.timeout, extra_env=tools.hygiene_env)
    _drop_cache(root)
    stats = pstats.Stats(str(prof))
    rows = stats.stats  # type: ignore[attr-defined]  # key -> (cc, nc, tt, ct, callers)
    total = max(ct for (_, _, _, ct, _) in rows.values())  # the outermost frame: the whole run

    def dispatch(label: str) -> bool:
        """Frames that only hand control down (runpy, typer/click, exec, the import machinery)."""
        return (
            label.startswith(("<frozen runpy>", "<frozen importlib", "site-packages/typer/", "site-packages/click/",
                              "<string>:1(<module>)"))
            or label in ("<built-in method builtins.exec>", "<built-in method _imp.exec_dynamic>")
            or label.startswith("analyzer/__main__.py")
            or (label.startswith("analyzer/cli.py") and label.endswith("(main)"))
        )

    def top(index: int, n: int, skip_dispatch: bool) -> list[tuple]:
        ranked = sorted(rows.items(), key=lambda item: item[1][index], reverse=True)
        picked = []
        for key, (_cc, nc, tt, ct, _) in ranked:
            label = _fn_label(key)
            if skip_dispatch and dispatch(label):
                continue
            picked.append((label, nc, tt, ct))
            if len(picked) == n:
                break
        return picked

    def cumulative(suffix: str, func: str) -> float | None:
        best = None
        for (filename, _, name), (_, _, _, ct, _) in rows.items():
            if name == func and filename.replace("\\", "/").endswith(suffix) and (best is None or ct > best):
                best = ct
        return best

    # Pipeline stages, when the names are there (nested ones are indented).
    wanted = [
        ("<frozen importlib._bootstrap>", "_find_and_load", "imports (every module, also lazy ones)"),
        ("analyzer/discovery.py", "discover", "discover files"),
        ("analyzer/scan.py", "collect_facts", "extract facts, all files"),
        ("analyzer/facts/tokens.py", "scan_tokens", "- token pass (`scan_tokens`)"),
        ("analyzer/facts/tokens.py", "lex", "- lexer pass (`tokens.lex`)"),
        ("/ast.py", "parse", "- `ast.parse`"),
        ("libcst/_parser/entrypoints.py", "parse_module", "- `libcst.parse_module`"),
        ("libcst/metadata/wrapper.py", "visit", "- `MetadataWrapper.visit` (metadata + facts visitor)"),
        ("libcst/metadata/wrapper.py", "resolve_many", "  - of which metadata resolution (`resolve_many`)"),
        ("analyzer/facts/extract.py", "facts", "- `_FactsVisitor.facts`"),
        ("analyzer/index.py", "__init__", "`ProjectIndex(...)`"),
        ("analyzer/scan.py", "run_checks", "run all checks"),
    ]
    stages = []
    for suffix, func, label in wanted:
        value = cumulative(suffix, func)
        if value is not None:
            stages.append((label, value))
    for (filename, _, name), (_, _, _, ct, _) in sorted(rows.items(), key=lambda i: -i[1][3]):
        path = filename.replace("\\", "/")
        if "/analyzer/checks/" in path and name == "check":
            stages.append((f"- rule `{Path(path).stem.replace('_', '-')}`", ct))
    value = cumulative("analyzer/cli.py", "_emit")
    if value is not None:
        stages.append(("render output (`_emit`)", value))
    return ProfileResult(run.wall, run.rc, total, top(3, 15, True), top(2, 10, False), stages, prof)


# --------------------------------------------------------------------------------------------
# Report


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def med_wall(runs: list[Run]) -> float | None:
    return median([r.wall for r in runs if r.ok])


def peak_mib(runs: list[Run], warmup: Run | None = None) -> float | None:
    values = [r.maxrss_kib for r in runs if r.ok] + ([warmup.maxrss_kib] if warmup and warmup.ok else [])
    return max(values) / 1024 if values else None


def fmt(value: float | None, digits: int = 2, suffix: str = "") -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}{suffix}"


def status(measured: float | None, threshold: float, at_most: bool) -> str:
    if measured is None:
        return "not measured"
    ok = measured <= threshold if at_most else measured >= threshold
    word = "**met**" if ok else "**missed**"
    if abs(measured / threshold - 1) < NOISE:
        word += " (within 10 % noise of the threshold)"
    return word


def machine_info() -> list[tuple[str, str]]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    return [
        ("host", platform.node()),
        ("kernel", f"{platform.system()} {platform.release()}"),
        ("CPU", cpu),
        ("nproc", f"{os.cpu_count()} (usable: {affinity})"),
        ("memory", mem),
    ]


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def write_report(
    path: Path, args: argparse.Namespace, tools: Tools, started: str, load_start: str,
    corpora: list[CorpusResult], scaling: ScalingResult | None, profile: ProfileResult | None,
    complete: bool, rounds: int, pylint_rounds: int, skylos_rounds: int,
) -> None:
    w: list[str] = []
    title = "Benchmark results" + ("" if complete else " (INCOMPLETE: the run is still going or was interrupted)")
    w += [f"# {title}", ""]
    w.append(f"Written by `benchmarks/run.py` ({' '.join(sys.argv[1:]) or 'no options'}). Started {started}, "
             f"finished {_dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z') if complete else '–'}. "
             "How to read and rerun it: `benchmarks/README.md`.")
    w.append("")
    slow = ("" if args.quick else f" (pylint: {pylint_rounds} and skylos: {skylos_rounds} on django and stdlib, with "
            "no warm-up there)")
    w.append(f"Method: whole processes; median wall time of {rounds} round{'s' if rounds != 1 else ''} after 1 "
             f"warm-up{slow}; in each "
             "round every tool runs once, in an order that rotates from round to round; output goes to files. "
             "Peak RSS is `ru_maxrss` from `os.wait4` (the largest single process among the tool and the workers "
             "it reaped, not their sum); the tree sum was sampled every 50 ms from /proc during the warm-up run "
             "(in the first timed run, every 250 ms, for a peer without warm-up; shared pages are counted once per "
             "process, so it is an upper bound). CPU is user+sys of the process and its "
             "workers. Differences under about 10 % are noise on this machine.")
    w.append("")
    w += ["## Machine and software", "", "| | |", "|---|---|"]
    for key, value in machine_info():
        w.append(f"| {key} | {value} |")
    load_end = loadavg() if complete else "–"
    w.append(f"| load average (1/5/15 min) | before {load_start}; after {load_end} |")
    for key, value in tools.versions.items():
        w.append(f"| {key} | {value} |")
    prints = getattr(args, "fingerprints", [])
    if prints:
        w.append(f"| measured analyzer sources (sha256, 12 hex) | {_fingerprint_dir(tools.package)} |")
        distinct = {value for _, value in prints}
        text = prints[0][1] + " (unchanged)" if len(distinct) == 1 else (
            "edited during the run: " + ", ".join(f"{k} {v}" for k, v in prints)
            + ("; the run measured the snapshot throughout" if tools.hygiene_env else
               "; THE RUN MEASURED A MIX OF BUILDS")
        )
        w.append(f"| live analyzer sources in the tree | {text} |")
    hwm = getattr(args, "harness_hwm_kib", None) or harness_hwm_kib()
    w.append(f"| harness peak RSS (VmHWM) | {hwm / 1024:.0f} MiB: the floor of every peak RSS figure below "
             "(Linux counts the parent's RSS at fork into the child's ru_maxrss) |")
    w.append("")

    # Corpora
    if corpora:
        w += ["## Corpora", "", "| corpus | source | .py files | lines (wc -l) | MB |", "|---|---|---:|---:|---:|"]
        for c in corpora:
            w.append(f"| {c.name} | {c.origin} | {c.files:,} | {c.lines:,} | {c.size / 1e6:.2f} |")
        w.append("")

    # Per-corpus tables
    summary: dict[str, dict[str, float | None]] = {}
    for c in corpora:
        w += [f"## {c.name}", ""]
        w.append(f"Load average before {c.load_before}, after {c.load_after or '–'}.")
        if c.edit_file:
            w.append(f"Edited file for the warm-after-edit mode: `{c.edit_file}` (the median-sized file).")
        for note in c.notes:
            w.append(note)
        w += ["", "| tool | runs | median wall s | min–max s | median CPU s | peak RSS MiB | tree RSS MiB (sampled) "
                  "| exit codes | output (last run) |",
              "|---|---:|---:|---:|---:|---:|---:|---|---|"]
        s: dict[str, float | None] = {}
        for mode, runs in c.runs.items():
            ok = [r for r in runs if r.ok]
            warm = c.warmups.get(mode)
            tree = warm.tree_peak_kib if warm else next((r.tree_peak_kib for r in runs if r.tree_peak_kib), None)
            codes = sorted({("timeout" if r.timed_out else str(r.rc)) for r in runs})
            wall = med_wall(runs)
            s[mode] = wall
            s[mode + " rss"] = peak_mib(runs, warm)
            w.append(
                f"| {mode} | {len(runs)} | {fmt(wall, 3)} | "
                f"{fmt(min(r.wall for r in ok), 2) if ok else '–'}–{fmt(max(r.wall for r in ok), 2) if ok else '–'} | "
                f"{fmt(median([r.cpu for r in ok]), 2)} | {fmt(peak_mib(runs, warm), 0)} | "
                f"{fmt(tree / 1024 if tree else None, 0)} | {', '.join(codes) or '–'} | {c.outputs.get(mode, '')} |"
            )
        summary[c.name] = s
        corpus = c.root.relative_to(REPO) if c.root.is_relative_to(REPO) else c.root
        w += ["", "Commands (`<corpus>` = " + f"`{corpus}`):", ""]
        for mode, cmd in c.commands.items():
            w.append(f"- {mode}: `{cmd}`")
        w += ["", "Raw wall times (s), in run order:", ""]
        for mode, runs in c.runs.items():
            w.append(f"- {mode}: " + (", ".join(f"{r.wall:.3f}" for r in runs) or "–"))
        w.append("")

    # Ratios
    if corpora:
        w += ["## Ratios (same run, medians)", "",
              "| ratio | " + " | ".join(c.name for c in corpora) + " |",
              "|---|" + "---:|" * len(corpora)]
        rows = [
            ("hygiene cold / vulture", lambda s: ratio(s.get(COLD), s.get(VULTURE))),
            ("hygiene warm after 1-file edit / vulture", lambda s: ratio(s.get(EDIT), s.get(VULTURE))),
            ("hygiene warm, no change (s)", lambda s: s.get(WARM)),
            ("hygiene start-up on an empty directory (s)", lambda s: s.get(STARTUP)),
            ("pylint duplicate-code / hygiene cold", lambda s: ratio(s.get(PYLINT), s.get(COLD))),
            ("skylos / hygiene cold", lambda s: ratio(s.get(SKYLOS), s.get(COLD))),
        ]
        for label, fn in rows:
            digits = 3 if label.endswith("(s)") else 2
            w.append(f"| {label} | " + " | ".join(fmt(fn(summary[c.name]), digits) for c in corpora) + " |")
        w += ["", "chat_app is tiny: interpreter start-up and imports dominate it, so its ratios are shown but the "
                  "targets are judged on django and stdlib.", ""]

    # Scaling
    scale_ratio: dict[int, float | None] = {}
    if scaling is not None:
        w += ["## Scaling: hygiene cold on Django replicated 1×, 2×, 4×", "",
              f"{len(next(iter(scaling.runs.values()), []))} rounds after one warm-up on 1×, in an order that rotates "
              "from round to round; the roots are `benchmarks/.corpora/scale/x1`, `x2`, `x4`.", "",
              "Each copy is a new top-level package (`django/`, `django_copy1/`, ...; nothing rewritten, so the "
              "copies' absolute imports still name `django`). Every copy is an exact duplicate of `django/`, so the "
              "duplicate-module rule has work (and findings) that grow with the number of copies.",
              "", f"Load average before {scaling.load_before}, after {scaling.load_after or '–'}.", "",
              "| tree | .py files | lines | runs | median wall s | min–max s | ratio to 1× | peak RSS MiB "
              "| tree RSS MiB (sampled) | exit codes | output (last run) |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"]
        base = med_wall(scaling.runs.get(1, []))
        for k in scaling.roots:
            runs = scaling.runs[k]
            ok = [r for r in runs if r.ok]
            wall = med_wall(runs)
            scale_ratio[k] = ratio(wall, base)
            warm = scaling.warmups.get(k)
            tree = warm.tree_peak_kib if warm else next((r.tree_peak_kib for r in runs if r.tree_peak_kib), None)
            codes = sorted({("timeout" if r.timed_out else str(r.rc)) for r in runs})
            w.append(
                f"| {k}× | {scaling.files[k]:,} | {scaling.lines[k]:,} | {len(runs)} | {fmt(wall, 3)} | "
                f"{fmt(min(r.wall for r in ok), 2) if ok else '–'}–{fmt(max(r.wall for r in ok), 2) if ok else '–'} | "
                f"{fmt(scale_ratio[k], 2)} | {fmt(peak_mib(runs, warm), 0)} | "
                f"{fmt(tree / 1024 if tree else None, 0)} | "
                f"{', '.join(codes) or '–'} | {scaling.outputs.get(k, '')} |"
            )
        w += ["", "Raw wall times (s): " + "; ".join(
            f"{k}×: " + ", ".join(f"{r.wall:.3f}" for r in scaling.runs[k]) for k in scaling.roots), ""]

    # Targets
    not_measured = "not measured (no cache in this build)"
    w += ["## Targets", "", "| target | corpus | measured | status |", "|---|---|---:|---|"]
    for c in corpora:
        if c.name not in LARGE_CORPORA:
            continue
        s = summary[c.name]
        w.append(f"| hygiene cold ≤ {TARGETS['cold']}× vulture | {c.name} | "
                 f"{fmt(ratio(s.get(COLD), s.get(VULTURE)), 2, '×')} | "
                 f"{status(ratio(s.get(COLD), s.get(VULTURE)), TARGETS['cold'], True)} |")
    for c in corpora:
        if c.name not in LARGE_CORPORA:
            continue
        s = summary[c.name]
        measured = ratio(s.get(EDIT), s.get(VULTURE))
        w.append(f"| warm after a one-file edit ≤ {TARGETS['edit']}× vulture | {c.name} | {fmt(measured, 2, '×')} | "
                 f"{status(measured, TARGETS['edit'], True) if EDIT in c.runs else not_measured} |")
    for c in corpora:
        if c.name != "django":
            continue
        s = summary[c.name]
        w.append(f"| no-change warm ≤ {TARGETS['warm_s']} s | django | {fmt(s.get(WARM), 3, ' s')} | "
                 f"{status(s.get(WARM), TARGETS['warm_s'], True) if WARM in c.runs else not_measured} |")
    for key, mode, label in (("pylint", PYLINT, "pylint duplicate-code"), ("skylos", SKYLOS, "skylos")):
        for c in corpora:
            if c.name not in LARGE_CORPORA:
                continue
            s = summary[c.name]
            measured = ratio(s.get(mode), s.get(COLD))
            why = "not measured" if mode in c.runs else "not measured (not run: --quick or not installed)"
            w.append(f"| {label} ≥ {TARGETS[key]}× slower than hygiene cold | {c.name} | {fmt(measured, 2, '×')} | "
                     f"{status(measured, TARGETS[key], False) if measured is not None else why} |")
    if scaling is not None:
        for k, key in ((2, "x2"), (4, "x4")):
            w.append(f"| {k}× tree ≤ {TARGETS[key]}× time | django | {fmt(scale_ratio.get(k), 2, '×')} | "
                     f"{status(scale_ratio.get(k), TARGETS[key], True)} |")
    else:
        w.append("| 2× / 4× tree ≤ 2.2× / 4.5× time | django | – | not measured (scaling skipped) |")
    stdlib = next((c for c in corpora if c.name == "stdlib"), None)
    if stdlib is not None:
        rss = max((v for m in (COLD, WARM, EDIT) if (v := summary["stdlib"].get(m + " rss")) is not None), default=None)
        tree = stdlib.warmups.get(COLD).tree_peak_kib if stdlib.warmups.get(COLD) else None
        extra = f" (tree sum sampled: {tree / 1024:.0f} MiB)" if tree else ""
        w.append(f"| peak RSS ≤ {TARGETS['rss_mib']:.0f} MiB | stdlib | {fmt(rss, 0, ' MiB')}{extra} | "
                 f"{status(rss, TARGETS['rss_mib'], True)} (largest process) |")
    else:
        w.append("| peak RSS ≤ 500 MiB | stdlib | – | not measured (stdlib not run) |")
    w.append("")

    # Profile
    if profile is not None:
        w += ["## Profile: one cold scan of django, cProfile, `--jobs 1`", "",
              f"`python -m cProfile -m analyzer scan <django> --format json --jobs 1`: wall {profile.wall:.2f} s under "
              f"the profiler (exit {profile.rc}), {profile.total:.2f} s of profiled time. cProfile slows Python-heavy "
              f"code by up to about 2×, so read the shares, not the absolute seconds. The stats file: "
              f"`{profile.path.relative_to(REPO) if profile.path.is_relative_to(REPO) else profile.path}`.", ""]
        if profile.stages:
            w += ["Pipeline stages (cumulative time; `-` rows are inside the row above them):", "",
                  "| stage | s | share |", "|---|---:|---:|"]
            for label, ct in profile.stages:
                w.append(f"| {label} | {ct:.2f} | {100 * ct / profile.total:.0f} % |")
            w.append("")
        w += ["Top 15 by cumulative time (the frames that only dispatch are left out: runpy, typer/click, `exec`, "
              "`analyzer/__main__`, `cli.main` and the import machinery, whose total is the `imports` stage above):",
              "", "| # | function | calls | own s | cumulative s | share |",
              "|---:|---|---:|---:|---:|---:|"]
        for i, (label, nc, tt, ct) in enumerate(profile.top_cumulative, 1):
            w.append(f"| {i} | `{label}` | {nc:,} | {tt:.2f} | {ct:.2f} | {100 * ct / profile.total:.0f} % |")
        w += ["", "Top 10 by own time:", "", "| # | function | calls | own s | share |", "|---:|---|---:|---:|---:|"]
        for i, (label, nc, tt, _ct) in enumerate(profile.top_tottime, 1):
            w.append(f"| {i} | `{label}` | {nc:,} | {tt:.2f} | {100 * tt / profile.total:.0f} % |")
        w.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(w).rstrip() + "\n", encoding="utf-8")
    tmp.replace(path)


# --------------------------------------------------------------------------------------------
# Main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark `hygiene scan` (cold, warm, warm after a one-file edit) against vulture, pylint "
                    "duplicate-code and skylos on Django, the stdlib and fixtures/chat_app; "
                    "write benchmarks/RESULTS.md.",
    )
    parser.add_argument("--corpora", default=",".join(ALL_CORPORA),
                        help="comma-separated subset of django,stdlib,chat_app (default: all)")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per tool after 1 warm-up (default 5)")
    parser.add_argument("--pylint-rounds", type=int, default=1,
                        help="pylint rounds on django and stdlib, no warm-up (default 1; chat_app uses --rounds)")
    parser.add_argument("--skylos-rounds", type=int, default=1,
                        help="skylos rounds on django and stdlib, no warm-up (default 1; chat_app uses --rounds)")
    parser.add_argument("--scaling-rounds", type=int, default=None,
                        help="rounds of the 1x/2x/4x Django scaling runs, after one warm-up on 1x "
                             "(default: --rounds, at most 3: a 4x cold scan takes minutes)")
    parser.add_argument("--no-scaling", action="store_true", help="skip the 1x/2x/4x Django scaling runs")
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile run of a cold Django scan")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: 1 round, chat_app and django only, no pylint/skylos, no scaling, no profile; "
                             f"writes {QUICK_RESULTS.relative_to(REPO)} unless --output is given")
    parser.add_argument("--jobs", type=int, default=None, help="pass --jobs N to hygiene (default: its own default)")
    parser.add_argument("--timeout", type=float, default=1800.0, help="kill a single run after this many seconds")
    parser.add_argument("--bin-dir", type=Path, default=None,
                        help="where hygiene, vulture, pylint and skylos live (default: next to this python, then PATH)")
    parser.add_argument("--output", type=Path, default=None,
                        help=f"report path (default {DEFAULT_RESULTS.relative_to(REPO)})")
    parser.add_argument("--rebuild-corpora", action="store_true", help="re-extract/re-copy the corpora")
    parser.add_argument("--live", action="store_true",
                        help="measure the live analyzer package instead of a snapshot taken at the start")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.corpora.split(",") if n.strip()]
    unknown = set(names) - set(ALL_CORPORA)
    if unknown:
        parser.error(f"unknown corpora: {', '.join(sorted(unknown))}")
    if args.quick:
        names = [n for n in ("chat_app", "django")]
        args.rounds = 1
        args.no_scaling = args.no_profile = True
    args.names = names
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


def harness_hwm_kib() -> int:
    """This process's own peak RSS (VmHWM). Every child's ru_maxrss is at least this much on Linux."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def analyzer_fingerprint(tools: Tools) -> str:
    """A hash of the live analyzer sources, to notice edits made while the run goes on."""
    return _fingerprint_dir(tools.live_package)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--summarise"] and len(argv) == 3:  # helper mode, see summarise()
        print(findings_summary(argv[1], Path(argv[2])))
        return 0
    args = parse_args(argv)

    def _terminate(signum, frame):  # SIGTERM: unwind, so that measure() kills the running tool's group
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _terminate)
    output = args.output or (QUICK_RESULTS if args.quick else DEFAULT_RESULTS)
    started = _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    load_start = loadavg()
    if float(load_start.split()[0]) > 0.5 * (os.cpu_count() or 1):
        log(f"warning: load average {load_start} before the start; results will be noisy")
    ensure_corpora_repo()
    tools = detect_tools(args)
    fingerprints = [("start", analyzer_fingerprint(tools))]
    args.fingerprints = fingerprints
    log(f"hygiene: {tools.hygiene} (--no-cache {'supported' if tools.no_cache_flag else 'not supported'}); "
        f"vulture: {tools.vulture}; pylint: {tools.pylint}; skylos: {tools.skylos}")

    corpora: list[CorpusResult] = []
    scaling: ScalingResult | None = None
    profile: ProfileResult | None = None
    rounds = args.rounds
    scaling_rounds = args.scaling_rounds or min(rounds, 3)

    def report(complete: bool) -> None:
        write_report(output, args, tools, started, load_start, corpora, scaling, profile, complete, rounds,
                     args.pylint_rounds, args.skylos_rounds)

    django_root: Path | None = None
    if "django" in args.names or not args.no_scaling or not args.no_profile:
        django_root, _ = prepare_django(tools, args.rebuild_corpora)
    for name in args.names:
        if name == "django":
            root, origin = django_root, (CORPORA / "django.ready").read_text().strip()
        elif name == "stdlib":
            root, origin = prepare_stdlib(args.rebuild_corpora)
        else:
            root, origin = prepare_chat_app()
        small = name == "chat_app"
        result = bench_corpus(
            name, root, origin, tools, args, rounds,
            pylint_rounds=rounds if small else min(args.pylint_rounds, rounds),
            skylos_rounds=rounds if small else min(args.skylos_rounds, rounds),
        )
        corpora.append(result)
        fingerprints.append((f"after {name}", analyzer_fingerprint(tools)))
        report(complete=False)
    if not args.no_scaling:
        assert django_root is not None
        roots = prepare_scaling(django_root, args.rebuild_corpora)
        scaling = bench_scaling(roots, tools, args, scaling_rounds)
        fingerprints.append(("after scaling", analyzer_fingerprint(tools)))
        report(complete=False)
    args.harness_hwm_kib = harness_hwm_kib()  # before pstats grows this process (nothing is measured after)
    if not args.no_profile:
        assert django_root is not None
        profile = profile_django(django_root, tools, args)
        fingerprints.append(("after profile", analyzer_fingerprint(tools)))
    report(complete=True)
    log(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
