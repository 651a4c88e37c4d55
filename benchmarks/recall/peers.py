"""Peers as an oracle: run other analyzers on the applications of the recall cases and list
what they find that hygiene does not (standard library only; the peers are installed apart).

    python benchmarks/recall/peers.py --pyright /work/peers-node/node_modules/.bin/pyright \\
        --pylint /work/peers-venv/bin/pylint --mypy /work/peers-venv/bin/mypy \\
        --vulture /work/peers-venv/bin/vulture [--repo OWNER/NAME ...] [--rev HEAD]

Peers and what is read from them:
- pyright `reportAttributeAccessIssue` on a call `x.m(...)` whose class is a project class
  (a missing-method candidate) and `reportRedeclaration` of a class (a shadowed-class candidate);
- mypy `attr-defined` on a project class, likewise;
- pylint `duplicate-code` (R0801) where the similar block covers most of both modules (a
  duplicate-module candidate);
- vulture `unused class` whose name is defined in another module too (a shadowed-class candidate).

Raw outputs go to .peers/ (gitignored); the comparison needs hygiene's findings at the same
commit, from `run.py --heads` (heads.json). Each candidate that hygiene does not report is
listed in PEERS.md for a human to study; the real ones become cases in cases.toml.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import run as recall  # noqa: E402

PY_SKIP = re.compile(r"(^|/)(node_modules|\.venv|venv|site-packages|\.git)/")
TESTS = re.compile(r"(^|/)(tests?|testing|e2e|cypress)/|(^|/)(test_[^/]*|[^/]*_test|conftest)\.py$")


def project_classes(root: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in root.rglob("*.py"):
        rel = p.relative_to(root).as_posix()
        if PY_SKIP.search(rel):
            continue
        try:
            text = p.read_text(errors="replace")
        except OSError:
            continue
        for m in re.finditer(r"^\s*class\s+(\w+)", text, re.M):
            out.setdefault(m.group(1), []).append(rel)
    return out


def pyright_cmd(pyright: str, base: Path, out_dir: Path, tag: str) -> list[str]:
    """pyright with a configuration of our own: a project's [tool.pyright] or pyrightconfig.json may
    include folders that do not exist at an old commit (then pyright analyses nothing). The file is
    written inside the checkout (gitignored) so that its include is "." relative to the project."""
    cfg = base / ".recall-pyrightconfig.json"
    cfg.write_text(
        json.dumps(
            {
                "include": ["."],
                "exclude": ["**/node_modules", "**/.git", "**/.venv", "**/venv", "**/__pycache__"],
                "pythonVersion": "3.12",
                "typeCheckingMode": "standard",
            }
        )
    )
    return [pyright, "--outputjson", "--project", str(cfg)]


def run_tool(cmd: list[str], cwd: Path, out: Path, timeout: int) -> str:
    if out.exists() and '"filesAnalyzed": 0' not in out.read_text(errors="replace")[-400:]:
        return out.read_text(errors="replace")
    t0 = time.monotonic()
    try:
        r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
        text = r.stdout
    except subprocess.TimeoutExpired as e:
        text = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        text += f"\n#TIMEOUT after {timeout}s\n"
    out.write_text(text)
    print(f"  {Path(cmd[0]).name}: {time.monotonic() - t0:.0f} s", file=sys.stderr)
    return text


def line_of(root: Path, rel: str, line: int) -> str:
    try:
        return (root / rel).read_text(errors="replace").splitlines()[line]
    except (OSError, IndexError):
        return ""


def pyright_candidates(text: str, root: Path, classes) -> list[dict]:
    try:
        data = json.loads(text[text.find("{") :])
    except ValueError:
        return []
    cands = []
    for d in data.get("generalDiagnostics", []):
        rel = Path(d.get("file", "")).resolve().relative_to(root.resolve()).as_posix() if d.get("file") else ""
        msg = d.get("message", "")
        start = d.get("range", {}).get("start", {})
        if d.get("rule") == "reportAttributeAccessIssue":
            m = re.match(r'Cannot access attribute "(\w+)" for class "(?:type\[)?(\w+)(\*?)', msg)
            if not m or TESTS.search(rel) or (m.group(3) and m.group(2).endswith("Mixin")):
                continue  # tests are out of scope; "C*" is the type of self: kept, except in mixins
            attr, cls = m.group(1), m.group(2)
            if cls not in classes:
                continue
            src = line_of(root, rel, start.get("line", 0))
            if not re.search(rf"\.{re.escape(attr)}\s*\(", src):
                continue  # an attribute read, not a call
            cands.append(
                {
                    "peer": "pyright",
                    "rule": "missing-method",
                    "path": rel,
                    "line": start.get("line", 0) + 1,
                    "symbol": f"{cls}.{attr}",
                    "message": msg.splitlines()[0],
                }
            )
        elif d.get("rule") == "reportRedeclaration":
            m = re.match(r'Class declaration "(\w+)" is obscured', msg)
            if m and not TESTS.search(rel):
                cands.append(
                    {
                        "peer": "pyright",
                        "rule": "shadowed-class",
                        "path": rel,
                        "line": start.get("line", 0) + 1,
                        "symbol": m.group(1),
                        "message": msg.splitlines()[0],
                    }
                )
    return cands


def mypy_candidates(text: str, root: Path, classes) -> list[dict]:
    cands = []
    for line in text.splitlines():
        m = re.match(r'(.+?):(\d+):(?:\d+:)? error: "(\w+)" has no attribute "(\w+)"\s+\[attr-defined\]', line)
        if not m:
            continue
        rel, ln, cls, attr = m.group(1), int(m.group(2)), m.group(3), m.group(4)
        if cls not in classes or TESTS.search(rel):
            continue
        if not re.search(rf"\.{re.escape(attr)}\s*\(", line_of(root, rel, ln - 1)):
            continue
        cands.append(
            {
                "peer": "mypy",
                "rule": "missing-method",
                "path": rel,
                "line": ln,
                "symbol": f"{cls}.{attr}",
                "message": line.split("error:", 1)[1].strip(),
            }
        )
    return cands


def pylint_candidates(text: str, root: Path, min_cover: float = 0.6) -> list[dict]:
    """Whole-module pairs: R0801 blocks whose similar lines cover most of both modules."""
    files = [
        p.relative_to(root).as_posix() for p in root.rglob("*.py") if not PY_SKIP.search(p.relative_to(root).as_posix())
    ]

    def resolve(module: str) -> str | None:
        tail = module.replace(".", "/")
        hits = [
            f
            for f in files
            if f == tail + ".py"
            or f.endswith("/" + tail + ".py")
            or f == tail + "/__init__.py"
            or f.endswith("/" + tail + "/__init__.py")
        ]
        return min(hits, key=len) if hits else None

    cands = []
    for b in re.split(r"\n(?=[^\n]*R0801)", text):
        spans = re.findall(r"==([\w.-]+):\[(\d+):(\d+)\]", b)
        if len(spans) < 2:
            continue
        covered = []
        for mod, a, z in spans[:2]:
            rel = resolve(mod)
            if rel is None:
                break
            n = sum(1 for ln in (root / rel).read_text(errors="replace").splitlines() if ln.strip())
            covered.append((rel, (int(z) - int(a)) / n if n else 0.0))
        if len(covered) == 2 and all(c >= min_cover for _, c in covered):
            cands.append(
                {
                    "peer": "pylint",
                    "rule": "duplicate-module",
                    "path": covered[0][0],
                    "symbol": None,
                    "other": covered[1][0],
                    "message": f"similar block covers {covered[0][1]:.0%} / {covered[1][1]:.0%} of the modules",
                }
            )
    return cands


def vulture_candidates(text: str, root: Path, classes) -> list[dict]:
    cands = []
    for line in text.splitlines():
        m = re.match(r"(.+?):(\d+): unused class '(\w+)'", line)
        if not m:
            continue
        rel, ln, cls = m.group(1), int(m.group(2)), m.group(3)
        rel = Path(rel).as_posix()
        if TESTS.search(rel) or not line_of(root, rel, ln - 1).startswith("class "):
            continue  # nested classes (Meta, Config) and tests are out of scope
        others = [p for p in classes.get(cls, []) if p != rel]
        if others:
            cands.append(
                {
                    "peer": "vulture",
                    "rule": "shadowed-class",
                    "path": rel,
                    "line": ln,
                    "symbol": cls,
                    "message": f"unused class; also defined in {', '.join(others[:3])}",
                }
            )
    return cands


def reported(c: dict, findings: list[dict]) -> bool:
    for f in findings:
        if f["rule"] != c["rule"]:
            continue
        if c["rule"] == "missing-method" and f.get("symbol") == c["symbol"]:
            return True
        if c["rule"] == "shadowed-class" and f.get("symbol") == c["symbol"] and f["path"] == c["path"]:
            return True
        if c["rule"] == "duplicate-module" and f["path"] in (c["path"], c.get("other")):
            return True
    return False


# The rules the peers speak to (pyright and mypy: missing-method and redeclared classes; pylint:
# duplicate-code; vulture: unused classes).
PEER_RULES = frozenset({"missing-method", "shadowed-class", "duplicate-module"})


def peer_outputs(args, repo: str, sha: str, scan_root: str, rules: set[str]) -> tuple[Path, str, list[dict]]:
    mdir = recall.mirror_dir(Path(args.mirrors), repo)
    root = recall.materialise(mdir, sha, Path(args.checkouts) / f"{repo.replace('/', '+')}@{sha[:12]}")
    base = root if scan_root in ("", ".") else root / scan_root
    prefix = "" if scan_root in ("", ".") else scan_root.strip("/") + "/"
    out_dir = HERE / ".peers"
    out_dir.mkdir(exist_ok=True)
    tag = f"{repo.replace('/', '+')}@{sha[:12]}"
    classes = project_classes(base)
    cands: list[dict] = []
    if args.pyright and rules & {"missing-method", "shadowed-class"}:
        text = run_tool(
            pyright_cmd(args.pyright, base, out_dir, tag), base, out_dir / f"{tag}.pyright.json", args.timeout
        )
        cands += pyright_candidates(text, base, classes)
    if args.mypy and "missing-method" in rules:
        text = run_tool(
            [
                args.mypy,
                "--ignore-missing-imports",
                "--follow-imports=silent",
                "--explicit-package-bases",
                "--no-error-summary",
                "--show-error-codes",
                "--no-incremental",
                "--exclude",
                "(^|/)(tests?|migrations)/",
                ".",
            ],
            base,
            out_dir / f"{tag}.mypy.txt",
            args.timeout,
        )
        cands += mypy_candidates(text, base, classes)
    if args.pylint and "duplicate-module" in rules:
        files = [
            p.relative_to(base).as_posix()
            for p in base.rglob("*.py")
            if not PY_SKIP.search(p.relative_to(base).as_posix())
            and not re.search(r"(^|/)(tests?|migrations|alembic|versions)/|test_", p.relative_to(base).as_posix())
        ]
        text = run_tool(
            [
                args.pylint,
                "--disable=all",
                "--enable=duplicate-code",
                "--min-similarity-lines=20",
                "--ignore-imports=y",
                "--ignore-comments=y",
                "--ignore-docstrings=y",
                "--ignore-signatures=y",
                "--score=n",
                *files,
            ],
            base,
            out_dir / f"{tag}.pylint.txt",
            args.timeout,
        )
        cands += pylint_candidates(text, base)
    if args.vulture and "shadowed-class" in rules:
        text = run_tool(
            [args.vulture, ".", "--min-confidence", "60", "--exclude", "tests,test,migrations,alembic,node_modules"],
            base,
            out_dir / f"{tag}.vulture.txt",
            args.timeout,
        )
        cands += vulture_candidates(text, base, classes)
    for c in cands:
        c["path"] = prefix + c["path"]
        if c.get("other"):
            c["other"] = prefix + c["other"]
    return base, prefix, cands


def on_cases(args) -> int:
    """Recall of the peers on the cases they can speak to, beside hygiene's (results.json)."""
    cases = tomllib.loads(Path(args.cases).read_text())["case"]
    cases = [c for c in cases if c["rule"] in ("missing-method", "shadowed-class", "duplicate-module")]
    if args.repo:
        cases = [c for c in cases if c["repo"] in args.repo]
    hyg = {}
    if (HERE / "results.json").exists():
        hyg = {r["id"]: r["outcome"] for r in json.loads((HERE / "results.json").read_text())["cases"]}
    rows = []
    groups: dict[tuple, list[dict]] = {}
    for c in cases:
        groups.setdefault((c["repo"], c["parent"], c.get("scan_root", ".")), []).append(c)
    for (repo, sha, scan_root), cs in sorted(groups.items()):
        print(f"{repo} @ {sha[:12]}", file=sys.stderr)
        try:
            _, _, cands = peer_outputs(args, repo, sha, scan_root, {c["rule"] for c in cs})
        except Exception as e:  # noqa: BLE001
            print(f"  failed: {e}", file=sys.stderr)
            cands = []
        for c in cs:
            found = {}
            for p in cands:
                if p["rule"] != c["rule"]:
                    continue
                ok = False
                if c["rule"] == "missing-method":
                    ok = p["symbol"] == c["symbol"] or (
                        p["path"] == c["path"] and p["symbol"].split(".")[-1] == c["symbol"].split(".")[-1]
                    )
                elif c["rule"] == "shadowed-class":
                    ok = p["symbol"] == c["symbol"] and p["path"] == c["path"]
                elif c["rule"] == "duplicate-module":
                    ok = c["path"] in (p["path"], p.get("other"))
                if ok:
                    found[p["peer"]] = True
            rows.append(
                {"id": c["id"], "rule": c["rule"], "hygiene": hyg.get(c["id"], "?"), **{k: True for k in found}}
            )
    peers_run = [n for n in ("pyright", "mypy", "pylint", "vulture") if getattr(args, n)]
    lines = [
        "# Peers on the recall cases",
        "",
        "Each peer run at the parent commit of the cases it can speak to (pyright/mypy: missing-method; pyright "
        "reportRedeclaration and vulture: shadowed-class; pylint duplicate-code: duplicate-module). Generated by "
        "`peers.py --on-cases`.",
        "",
        "| case | rule | hygiene | " + " | ".join(peers_run) + " |",
        "|---|---|---|" + "---|" * len(peers_run),
    ]
    for r in rows:
        lines.append(
            f"| {r['id']} | {r['rule']} | {r['hygiene']} | "
            + " | ".join("found" if r.get(n) else "-" for n in peers_run)
            + " |"
        )
    lines += [
        "",
        "| rule | cases | hygiene (default) | hygiene (--strict) | " + " | ".join(peers_run) + " |",
        "|---|---|---|---|" + "---|" * len(peers_run),
    ]
    for rule in ("missing-method", "shadowed-class", "duplicate-module"):
        sel = [r for r in rows if r["rule"] == rule]
        if not sel:
            continue
        lines.append(
            f"| {rule} | {len(sel)} | {sum(r['hygiene'] == 'high' for r in sel)} | "
            f"{sum(r['hygiene'] in ('high', 'uncertain') for r in sel)} | "
            + " | ".join(str(sum(bool(r.get(n)) for r in sel)) for n in peers_run)
            + " |"
        )
    (HERE / "PEERS-CASES.md").write_text("\n".join(lines) + "\n")
    (HERE / "peers-cases.json").write_text(json.dumps(rows, indent=1) + "\n")
    print("\n".join(lines))
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default=str(HERE / "cases.toml"))
    ap.add_argument("--mirrors", default="/work/.mirror")
    ap.add_argument("--checkouts", default=str(HERE / ".checkouts"))
    ap.add_argument("--heads-json", default=str(HERE / "heads.json"), help="hygiene findings from run.py --heads")
    ap.add_argument("--repo", action="append")
    ap.add_argument("--rev", default="HEAD")
    ap.add_argument("--pyright")
    ap.add_argument("--mypy")
    ap.add_argument("--pylint")
    ap.add_argument("--vulture")
    ap.add_argument("--timeout", type=int, default=900)
    ap.add_argument(
        "--on-cases",
        action="store_true",
        help="run the peers at each case's parent and score them like hygiene (recall side by side)",
    )
    args = ap.parse_args(argv)
    if args.on_cases:
        return on_cases(args)

    cases = tomllib.loads(Path(args.cases).read_text())["case"]
    repos: dict[str, str] = {}
    for c in cases:
        repos.setdefault(c["repo"], c.get("head_scan_root", c.get("scan_root", ".")))
    if args.repo:
        repos = {r: s for r, s in repos.items() if r in args.repo}
    heads = json.loads(Path(args.heads_json).read_text()) if Path(args.heads_json).exists() else []
    all_cands: list[dict] = []
    for repo, scan_root in sorted(repos.items()):
        mdir = recall.mirror_dir(Path(args.mirrors), repo)
        if not (mdir / "HEAD").exists():
            print(f"{repo}: no mirror (fetch github:{repo})", file=sys.stderr)
            continue
        sha = recall.git(mdir, "rev-parse", args.rev + "^{commit}").decode().strip()
        print(f"{repo} @ {sha[:12]}", file=sys.stderr)
        _, _, cands = peer_outputs(args, repo, sha, scan_root, PEER_RULES)
        # Both sides name files from the repository's root.
        findings = [f for f in heads if f["repo"] == repo and f.get("head", sha) == sha]
        for c in cands:
            c["repo"] = repo
            c["head"] = sha
            c["hygiene"] = reported(c, findings)
        all_cands += cands
    (HERE / "peers.json").write_text(json.dumps(all_cands, indent=1) + "\n")
    lines = [
        "# Peers as an oracle",
        "",
        "Candidates from other analyzers at the applications' HEAD, and whether hygiene reports them "
        "(generated by `peers.py`; the review of these candidates is in docs/recall.md, and the real ones "
        "are cases in cases.toml).",
        "",
        "| peer | rule | candidates | also reported by hygiene |",
        "|---|---|---|---|",
    ]
    keys = sorted({(c["peer"], c["rule"]) for c in all_cands})
    for peer, rule in keys:
        sel = [c for c in all_cands if c["peer"] == peer and c["rule"] == rule]
        lines.append(f"| {peer} | {rule} | {len(sel)} | {sum(c['hygiene'] for c in sel)} |")
    lines += ["", "## Candidates hygiene does not report", ""]
    for c in all_cands:
        if not c["hygiene"]:
            other = f" ~ {c['other']}" if c.get("other") else ""
            lines.append(
                f"- {c['peer']} {c['rule']} {c['repo']} {c['path']}:{c.get('line', '')} "
                f"`{c.get('symbol') or ''}`{other}: {c['message'][:160]}"
            )
    (HERE / "PEERS.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines[: 12 + len(keys)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
