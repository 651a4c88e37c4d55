"""Recall yardstick: real problems from the public history of FastAPI/Flask applications.

Each case in cases.toml is a problem that existed at a commit (`parent`) and was fixed by a
later one (`fix`). For every case this script materialises the parent tree from a local mirror
(a bare git repository brought in with the search tool's `fetch`), runs `hygiene scan` on it
and checks whether the expected finding is reported: with confidence `high` (found at the
default level), only `uncertain` (found with --strict), or not at all (missed).

    python benchmarks/recall/run.py                     # every case, 2 in parallel
    python benchmarks/recall/run.py --rule missing-method --jobs 4
    python benchmarks/recall/run.py --case mealie-admin-group-router
    python benchmarks/recall/run.py --heads             # precision: every finding at HEAD

Standard library only (Python 3.11). Fetched code is written under .checkouts/ (gitignored)
and never committed.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
RULES = ["duplicate-module", "unrouted-router", "shadowed-class", "missing-method", "orphan-module"]
MAX_BLOB = 2 * 1024 * 1024  # bigger files are not needed to analyse Python code


def default_hygiene() -> str:
    here = Path(sys.executable).parent / "hygiene"
    if here.exists():
        return str(here)
    return shutil.which("hygiene") or "hygiene"


def mirror_dir(mirrors: Path, repo: str) -> Path:
    return mirrors / repo.replace("/", "+") / "repo"


def git(repo_dir: Path, *args: str, input: bytes | None = None) -> bytes:
    r = subprocess.run(["git", "-C", str(repo_dir), *args], input=input, capture_output=True)
    if r.returncode:
        raise RuntimeError(f"git {' '.join(args)}: {r.stderr.decode(errors='replace').strip()}")
    return r.stdout


def materialise(repo_dir: Path, rev: str, dest: Path) -> Path:
    """Write the tree of `rev` into dest (files under MAX_BLOB that the mirror has; a mirror
    lacks files of 4 MiB and more). Reused when already complete."""
    done = dest / ".recall-complete"
    if done.exists():
        return dest
    tmp = dest.with_name(dest.name + ".part")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    listing = git(repo_dir, "ls-tree", "-r", "-l", "-z", rev).split(b"\0")
    wanted: list[tuple[str, str]] = []
    for row in listing:
        if not row:
            continue
        meta, _, path = row.partition(b"\t")
        mode, kind, sha, size = meta.split()
        if kind != b"blob" or mode == b"120000" or not size.isdigit() or int(size) > MAX_BLOB:
            continue  # symbolic links, submodules and big files are left out
        wanted.append((sha.decode(), path.decode("utf-8", errors="surrogateescape")))
    if wanted:
        proc = subprocess.Popen(
            ["git", "-C", str(repo_dir), "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert proc.stdin and proc.stdout
        import threading

        def feed() -> None:
            for sha, _ in wanted:
                proc.stdin.write(sha.encode() + b"\n")
            proc.stdin.close()

        threading.Thread(target=feed, daemon=True).start()
        for _sha, path in wanted:
            header = proc.stdout.readline().split()
            if len(header) < 3 or header[1] == b"missing":
                continue
            data = proc.stdout.read(int(header[2]))
            proc.stdout.read(1)
            target = tmp / path
            if ".." in Path(path).parts:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        proc.wait()
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)
    (dest / ".recall-complete").write_text(rev + "\n")
    return dest


@dataclass
class Scan:
    ok: bool
    findings: list[dict] = field(default_factory=list)
    diagnostics: list = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0


def run_scan(hygiene: str, root: Path, scan_root: str, timeout: int) -> Scan:
    target = root / scan_root if scan_root not in ("", ".") else root
    t0 = time.monotonic()
    try:
        r = subprocess.run(
            [hygiene, "scan", str(target), "--format", "json", "--no-cache"],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return Scan(False, error=f"timeout after {timeout}s", seconds=time.monotonic() - t0)
    except OSError as e:
        return Scan(False, error=f"cannot run {hygiene}: {e}", seconds=time.monotonic() - t0)
    dt = time.monotonic() - t0
    if r.returncode not in (0, 1):
        return Scan(False, error=(r.stderr or r.stdout).strip()[-500:], seconds=dt)
    try:
        data = json.loads(r.stdout)
    except json.JSONDecodeError as e:
        return Scan(False, error=f"bad JSON: {e}", seconds=dt)
    prefix = "" if scan_root in ("", ".") else scan_root.strip("/") + "/"
    findings = []
    for f in data.get("findings", []):
        f = dict(f)
        f["path"] = prefix + f.get("path", "")  # repository-relative
        findings.append(f)
    return Scan(True, findings, data.get("diagnostics", []), seconds=dt)


def path_matches(case: dict, reported: str) -> bool:
    want = case["path"].strip("/")
    if reported == want:
        return True
    if case["rule"] == "orphan-module" and not want.endswith(".py"):
        # a whole package: its folder, its __init__.py or a module inside it
        return reported == want + "/__init__.py" or reported.startswith(want + "/")
    if case["rule"] == "duplicate-module" and case.get("either_way") and case.get("survivor"):
        return reported == case["survivor"]
    return False


def expand(findings: list[dict]) -> list[dict]:
    """Top-level findings plus the ones folded into them (details.folded: a router or a stale class
    inside a module reported as orphan is told inside that finding). A folded finding takes the
    confidence of the finding that carries it and remembers it in `folded_into`."""
    out = []
    for f in findings:
        out.append(f)
        for sub in (f.get("details") or {}).get("folded", []) or []:
            g = dict(sub)
            g.setdefault("confidence", f.get("confidence"))
            g["folded_into"] = f.get("rule")
            g["path"] = g.get("path") or f["path"]
            out.append(g)
    return out


def judge(case: dict, scan: Scan, prefix: str = "") -> dict:
    everything = expand(scan.findings)
    for g in everything:
        if g.get("folded_into") and prefix and not g["path"].startswith(prefix):
            g["path"] = prefix + g["path"]
    hits = [
        f
        for f in everything
        if f.get("rule") == case["rule"]
        and path_matches(case, f.get("path", ""))
        and (case.get("symbol") in (None, "") or f.get("symbol") == case["symbol"])
    ]
    direct = [f for f in hits if not f.get("folded_into")]
    best = direct or hits
    if any(f.get("confidence") == "high" for f in best):
        outcome = "high"
    elif best:
        outcome = "uncertain"
    else:
        outcome = "missed"
    folded = bool(hits) and not direct
    near = []
    if outcome == "missed":
        files = {case["path"].strip("/"), case.get("survivor") or ""}
        for f in scan.findings:
            if f.get("path") in files or (
                f.get("symbol") and f.get("symbol") == case.get("symbol") and f.get("rule") == case["rule"]
            ):
                near.append({k: f.get(k) for k in ("rule", "path", "symbol", "confidence", "message")})
        for d in scan.diagnostics:
            text = json.dumps(d)
            if case["path"] in text:
                near.append({"diagnostic": d})
    return {
        "outcome": outcome,
        "folded_into": best[0].get("folded_into") if folded else None,
        "hits": [{k: f.get(k) for k in ("rule", "path", "line", "symbol", "confidence", "folded_into")} for f in hits],
        "near": near[:5],
    }


def load_cases(path: Path) -> tuple[list[dict], list[dict]]:
    data = tomllib.loads(path.read_text())
    cases = data.get("case", [])
    seen = set()
    for c in cases:
        for key in ("id", "repo", "parent", "rule", "path", "why"):
            if key not in c:
                raise SystemExit(f"case {c.get('id', '?')}: missing {key}")
        if c["id"] in seen:
            raise SystemExit(f"duplicate case id {c['id']}")
        seen.add(c["id"])
        if c["rule"] not in RULES:
            raise SystemExit(f"case {c['id']}: unknown rule {c['rule']}")
    return cases, data.get("rejected", [])


def tool_version(hygiene: str) -> str:
    """`hygiene --version`, plus the commit of the source tree when it is an editable install."""
    try:
        version = subprocess.run([hygiene, "--version"], capture_output=True, text=True, timeout=60).stdout.strip()
    except Exception as e:  # noqa: BLE001
        return f"unknown ({e})"
    try:
        first = Path(shutil.which(hygiene) or hygiene).read_text(errors="replace").splitlines()[0]
        python = first[2:].strip() if first.startswith("#!") else sys.executable
        where = subprocess.run(
            [python, "-c", "import analyzer, os; print(os.path.dirname(analyzer.__file__))"],
            capture_output=True,
            text=True,
            timeout=60,
            cwd="/",
        ).stdout.strip()
        if where:
            src = Path(where).parent
            sha = subprocess.run(
                ["git", "-C", str(src), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
            ).stdout.strip()
            dirty = subprocess.run(
                ["git", "-C", str(src), "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True
            ).stdout.strip()
            if sha:
                version += f" ({src} @ {sha}{' + local changes' if dirty else ''})"
    except Exception:  # noqa: BLE001 - the version stays as reported
        pass
    return version


def scan_targets(args, items: list[tuple[str, str, str]]) -> dict:
    """items: (repo, rev, scan_root). Returns {(repo, rev, scan_root): Scan or str (not run)}."""
    results: dict = {}
    checkouts = Path(args.checkouts)

    def one(item):
        repo, rev, scan_root = item
        mdir = mirror_dir(Path(args.mirrors), repo)
        if not (mdir / "HEAD").exists() and not (mdir / ".git").exists():
            return item, f"no mirror at {mdir}: fetch github:{repo}"
        try:
            sha = git(mdir, "rev-parse", rev + "^{commit}").decode().strip()
            root = materialise(mdir, sha, checkouts / f"{repo.replace('/', '+')}@{sha[:12]}")
        except Exception as e:  # noqa: BLE001 - any failure makes the case "not run"
            return item, f"checkout failed: {e}"
        return item, run_scan(args.hygiene, root, scan_root, args.timeout)

    with cf.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for item, res in pool.map(one, items):
            results[item] = res
    return results


def recall(args) -> int:
    cases, rejected = load_cases(Path(args.cases))
    if args.rule:
        cases = [c for c in cases if c["rule"] == args.rule]
    if args.case:
        cases = [c for c in cases if c["id"] in args.case]
    if not cases:
        print("no case selected", file=sys.stderr)
        return 2
    t0 = time.monotonic()
    targets = sorted({(c["repo"], c["parent"], c.get("scan_root", ".")) for c in cases})
    scans = scan_targets(args, targets)
    rows = []
    for c in cases:
        s = scans[(c["repo"], c["parent"], c.get("scan_root", "."))]
        row = {k: c.get(k) for k in ("id", "repo", "parent", "fix", "rule", "path", "symbol", "survivor", "scan_root")}
        if isinstance(s, str):
            row.update(outcome="not-run", reason=s)
        elif not s.ok:
            row.update(outcome="not-run", reason=f"hygiene failed: {s.error}", seconds=round(s.seconds, 1))
        else:
            root = c.get("scan_root", ".")
            row.update(
                judge(c, s, "" if root in ("", ".") else root.strip("/") + "/"),
                seconds=round(s.seconds, 1),
                findings_in_scan=len(s.findings),
            )
        rows.append(row)
    elapsed = time.monotonic() - t0
    version = tool_version(args.hygiene)
    table = summarise(rows)
    text = render(rows, table, version, elapsed, len(rejected))
    print(text)
    if not args.no_write:
        (HERE / "RESULTS.md").write_text(text)
        (HERE / "results.json").write_text(
            json.dumps(
                {
                    "tool": version,
                    "hygiene": args.hygiene,
                    "seconds": round(elapsed, 1),
                    "summary": table,
                    "cases": rows,
                },
                indent=1,
            )
            + "\n"
        )
    return 0


def summarise(rows: list[dict]) -> dict:
    table: dict = {}
    for rule in [*RULES, "all"]:
        sel = [r for r in rows if rule == "all" or r["rule"] == rule]
        if not sel:
            continue
        ran = [r for r in sel if r["outcome"] != "not-run"]
        high = sum(r["outcome"] == "high" for r in ran)
        unc = sum(r["outcome"] == "uncertain" for r in ran)
        folded = sum(bool(r.get("folded_into")) for r in ran if r["outcome"] in ("high", "uncertain"))
        table[rule] = {
            "cases": len(sel),
            "run": len(ran),
            "high": high,
            "uncertain": unc,
            "folded": folded,
            "missed": len(ran) - high - unc,
            "not_run": len(sel) - len(ran),
            "recall_default": round(high / len(ran), 3) if ran else None,
            "recall_strict": round((high + unc) / len(ran), 3) if ran else None,
        }
    return table


def pct(x) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def render(rows, table, version, elapsed, n_rejected) -> str:
    out = [
        "# Recall on real fixed problems",
        "",
        f"Tool: `{version}`; {len(rows)} cases, {elapsed:.0f} s wall time "
        f"({sum(r.get('seconds', 0) for r in rows):.0f} s of scans counted per case). "
        f"Generated by `benchmarks/recall/run.py`; {n_rejected} candidates were rejected (see cases.toml).",
        "",
        "| rule | cases | run | found (default) | found (--strict) | of which folded | missed | not run | recall default | recall strict |",  # noqa: E501
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for rule, t in table.items():
        out.append(
            f"| {rule} | {t['cases']} | {t['run']} | {t['high']} | {t['high'] + t['uncertain']} | {t['folded']} | {t['missed']} "  # noqa: E501
            f"| {t['not_run']} | {pct(t['recall_default'])} | {pct(t['recall_strict'])} |"
        )
    out += [
        "",
        "*Folded*: the expected finding is reported inside another finding's `details.folded` (a router "
        "or a stale class inside a module reported as orphan-module); it counts as found, with the carrying "
        "finding's confidence.",
    ]
    out += ["", "## Cases", "", "| case | repo | rule | expected | outcome | scan s |", "|---|---|---|---|---|---|"]
    for r in rows:
        exp = r["path"] + (f" `{r['symbol']}`" if r.get("symbol") else "")
        if r.get("survivor"):
            exp += f" (copy of {r['survivor']})"
        oc = r["outcome"] + (f" (folded into {r['folded_into']})" if r.get("folded_into") else "")
        other = sorted(
            {
                n["rule"]
                for n in r.get("near", [])
                if n.get("rule") and n.get("rule") != r["rule"] and n.get("path") == r["path"]
            }
        )
        if r["outcome"] == "missed" and other:
            oc += f" (file reported as {', '.join(other)})"
        if oc == "not-run":
            oc += f": {r.get('reason', '')[:120]}"
        out.append(f"| {r['id']} | {r['repo']} | {r['rule']} | {exp} | {oc} | {r.get('seconds', '-')} |")
    missed = [r for r in rows if r["outcome"] == "missed" and r.get("near")]
    if missed:
        out += ["", "## Near misses (what the tool said about the expected file)", ""]
        for r in missed:
            for n in r["near"]:
                out.append(f"- {r['id']}: `{json.dumps(n)[:300]}`")
    return "\n".join(out) + "\n"


# --- precision at HEAD -------------------------------------------------------------------------


def rerender_heads(args, judgments: dict) -> int:
    """HEADS.md again from heads.json with the current judgments (no scan)."""
    dump = json.loads((HERE / "heads.json").read_text())
    old = (HERE / "HEADS.md").read_text().splitlines() if (HERE / "HEADS.md").exists() else []
    tool_line = next((line for line in old if line.startswith("Tool:")), "Tool: (unknown)")
    lines = ["# Findings at HEAD of the applications used by the recall cases", "", tool_line, ""]
    counts = {"true": 0, "false": 0, "disputed": 0, "unreviewed": 0}
    body = []
    for repo in sorted({d["repo"] for d in dump}):
        rows = [d for d in dump if d["repo"] == repo]
        body += [
            f"## {repo} @ {rows[0]['head'][:12]}",
            "",
            f"{len(rows)} findings.",
            "",
            "| rule | path | symbol | confidence | verdict | reason |",
            "|---|---|---|---|---|---|",
        ]
        for d in rows:
            j = judgments.get(judgment_key(repo, d["rule"], d["path"], d.get("symbol")))
            d["verdict"] = j["verdict"] if j else "unreviewed"
            counts[d["verdict"]] = counts.get(d["verdict"], 0) + 1
            reason = (j or {}).get("reason", "").replace("|", "/").replace("\n", " ")
            body.append(
                f"| {d['rule']} | {d['path']} | {d.get('symbol') or ''} | {d.get('confidence')} | {d['verdict']} | {reason} |"  # noqa: E501
            )
        body.append("")
    judged = counts["true"] + counts["false"]
    lines.append(
        f"Verdicts: {counts['true']} true, {counts['false']} false, {counts.get('disputed', 0)} disputed, "
        f"{counts['unreviewed']} unreviewed; precision on judged findings "
        f"{pct(counts['true'] / judged) if judged else '-'} (disputed left out)."
    )
    lines += [
        "",
        "| rule | confidence | findings | true | false | disputed | unreviewed | precision (judged) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for rule in RULES:
        for conf in ("high", "uncertain", "all"):
            sel = [d for d in dump if d["rule"] == rule and (conf == "all" or d.get("confidence") == conf)]
            if not sel:
                continue
            c = {v: sum(d["verdict"] == v for d in sel) for v in ("true", "false", "disputed", "unreviewed")}
            j = c["true"] + c["false"]
            lines.append(
                f"| {rule} | {conf} | {len(sel)} | {c['true']} | {c['false']} | {c['disputed']} | {c['unreviewed']} | "
                f"{pct(c['true'] / j) if j else '-'} |"
            )
    text = "\n".join([*lines, "", *body]) + "\n"
    print("\n".join(lines))
    if not args.no_write:
        (HERE / "HEADS.md").write_text(text)
        (HERE / "heads.json").write_text(json.dumps(dump, indent=1) + "\n")
    return 0


def judgment_key(repo, rule, path, symbol) -> tuple:
    return (repo, rule, path, symbol or "")


def heads(args) -> int:
    cases, _ = load_cases(Path(args.cases))
    judg_path = Path(args.judgments)
    judgments = {}
    if judg_path.exists():
        for j in tomllib.loads(judg_path.read_text()).get("judgment", []):
            judgments[judgment_key(j["repo"], j["rule"], j["path"], j.get("symbol"))] = j
    repos: dict[str, str] = {}
    for c in cases:
        repos.setdefault(c["repo"], c.get("head_scan_root", c.get("scan_root", ".")))
    if args.repo:
        repos = {r: s for r, s in repos.items() if r in args.repo}
    t0 = time.monotonic()
    items = [(repo, "HEAD", root) for repo, root in sorted(repos.items())]
    if args.reuse:
        return rerender_heads(args, judgments)
    scans = scan_targets(args, items)
    lines = [
        "# Findings at HEAD of the applications used by the recall cases",
        "",
        f"Tool: `{tool_version(args.hygiene)}`; generated by `run.py --heads` "
        f"in {time.monotonic() - t0:.0f} s. Verdicts come from judgments.toml.",
        "",
    ]
    counts = {"true": 0, "false": 0, "disputed": 0, "unreviewed": 0}
    dump = []
    for item in items:
        repo = item[0]
        s = scans[item]
        mdir = mirror_dir(Path(args.mirrors), repo)
        try:
            sha = git(mdir, "rev-parse", "HEAD").decode().strip()
        except RuntimeError:
            sha = "?"
        lines.append(f"## {repo} @ {sha[:12]}")
        lines.append("")
        if isinstance(s, str) or not s.ok:
            lines += [f"not run: {s if isinstance(s, str) else s.error}", ""]
            continue
        lines.append(f"{len(s.findings)} findings, {s.seconds:.0f} s.")
        lines.append("")
        lines += ["| rule | path | symbol | confidence | verdict | reason |", "|---|---|---|---|---|---|"]
        for f in s.findings:
            j = judgments.get(judgment_key(repo, f["rule"], f["path"], f.get("symbol")))
            verdict = j["verdict"] if j else "unreviewed"
            counts[verdict] = counts.get(verdict, 0) + 1
            reason = (j or {}).get("reason", "").replace("|", "/").replace("\n", " ")
            lines.append(
                f"| {f['rule']} | {f['path']} | {f.get('symbol') or ''} | {f.get('confidence')} | {verdict} | {reason} |"  # noqa: E501
            )
            dump.append(
                {
                    "repo": repo,
                    "head": sha,
                    "rule": f["rule"],
                    "path": f["path"],
                    "symbol": f.get("symbol"),
                    "confidence": f.get("confidence"),
                    "line": f.get("line"),
                    "message": f.get("message"),
                    "verdict": verdict,
                }
            )
        lines.append("")
    judged = counts["true"] + counts["false"]
    summary = (
        f"Verdicts: {counts['true']} true, {counts['false']} false, {counts.get('disputed', 0)} disputed, "
        f"{counts['unreviewed']} unreviewed; precision on judged findings "
        f"{pct(counts['true'] / judged) if judged else '-'} (disputed left out)."
    )
    per_rule = [
        "",
        "| rule | findings | true | false | disputed | unreviewed | precision (judged) |",
        "|---|---|---|---|---|---|---|",
    ]
    for rule in RULES:
        sel = [d for d in dump if d["rule"] == rule]
        if not sel:
            continue
        c = {v: sum(d["verdict"] == v for d in sel) for v in ("true", "false", "disputed", "unreviewed")}
        j = c["true"] + c["false"]
        per_rule.append(
            f"| {rule} | {len(sel)} | {c['true']} | {c['false']} | {c['disputed']} | {c['unreviewed']} | "
            f"{pct(c['true'] / j) if j else '-'} |"
        )
    lines[4:4] = [summary, *per_rule, ""]
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        (HERE / "HEADS.md").write_text(text)
        (HERE / "heads.json").write_text(json.dumps(dump, indent=1) + "\n")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default=str(HERE / "cases.toml"))
    ap.add_argument("--judgments", default=str(HERE / "judgments.toml"))
    ap.add_argument(
        "--mirrors",
        default=os.environ.get("RECALL_MIRRORS", "/work/.mirror"),
        help="folder of mirrors, one bare repository per OWNER+NAME/repo",
    )
    ap.add_argument("--checkouts", default=str(HERE / ".checkouts"))
    ap.add_argument("--hygiene", default=default_hygiene(), help="the hygiene executable to run")
    ap.add_argument("--rule", choices=RULES)
    ap.add_argument("--case", action="append", help="case id (repeatable)")
    ap.add_argument("--repo", action="append", help="with --heads: only this OWNER/NAME (repeatable)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=900, help="seconds per scan")
    ap.add_argument("--heads", action="store_true", help="scan each application at HEAD and list every finding")
    ap.add_argument(
        "--reuse",
        action="store_true",
        help="with --heads: re-render HEADS.md from heads.json and judgments.toml, no scan",
    )
    ap.add_argument("--no-write", action="store_true", help="print only; do not write RESULTS.md / results.json")
    args = ap.parse_args(argv)
    return heads(args) if args.heads else recall(args)


if __name__ == "__main__":
    sys.exit(main())
