"""Propose candidate cases from a mirror's history (stdlib only). Every candidate must be
verified by hand before it becomes a case: this only narrows the search.

    python mine.py /work/.mirror/owner+name/repo [--max N] > candidates.txt
"""

from __future__ import annotations

import argparse
import difflib
import re
import subprocess

SKIP = re.compile(
    r"(^|/)(tests?|testing|migrations|alembic|docs?|docs_src|examples?|scripts?)/|(^|/)(test_[^/]*|[^/]*_test|conftest|setup|noxfile)\.py$"
)


def git(repo, *args, check=True):
    r = subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True, errors="replace")
    if check and r.returncode:
        return ""
    return r.stdout


def tokens(src):
    out = []
    for line in src.splitlines():
        s = line.strip()
        if not s or s.startswith("#") or s.startswith(("import ", "from ")):
            continue
        out.append(re.sub(r"\s+", " ", s))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("repo")
    ap.add_argument("--max", type=int, default=100000)
    ap.add_argument("--rev", default="HEAD")
    a = ap.parse_args()
    repo = a.repo
    log = git(
        repo,
        "log",
        "--first-parent",
        "--no-merges",
        f"-n{a.max}",
        "--diff-filter=D",
        "--name-only",
        "--format=@@%H %s",
        a.rev,
        "--",
        "*.py",
    )
    commits = []
    for block in log.split("@@")[1:]:
        lines = [line for line in block.splitlines() if line.strip()]
        sha, _, subj = lines[0].partition(" ")
        commits.append((sha, subj, lines[1:]))
    for sha, subj, deleted in commits:
        parent = sha + "^"
        dels = [d for d in deleted if not SKIP.search(d)]
        if not dels:
            continue
        tree = git(repo, "ls-tree", "-r", "-l", parent)
        files = {}
        for row in tree.splitlines():
            meta, _, path = row.partition("\t")
            parts = meta.split()
            if path.endswith(".py") and parts[1] == "blob":
                files[path] = int(parts[3]) if parts[3] != "-" else 0
        after = set(git(repo, "ls-tree", "-r", "--name-only", sha).splitlines())
        for d in dels:
            src = git(repo, "show", f"{parent}:{d}")
            nlines = len(tokens(src))
            if nlines < 5:
                continue
            stem = d.rsplit("/", 1)[-1][:-3]
            if stem == "__init__":
                stem = d.rsplit("/", 2)[-2]
            notes = []
            # orphan: nothing else mentions the stem as a word
            hits = git(repo, "grep", "-l", "-w", "-e", stem, parent, "--", ".", check=False)
            others = [
                h.split(":", 1)[1]
                for h in hits.splitlines()
                if h.split(":", 1)[1] != d
                and not h.split(":", 1)[1].startswith(d.rsplit("/", 1)[0] + "/" if d.endswith("__init__.py") else "\0")
            ]
            others_live = [o for o in others if o not in deleted]
            if not others_live:
                notes.append(f"ORPHAN?(no mention of {stem!r} outside deleted files)")
            elif len(others_live) <= 3:
                notes.append("mentions:" + ",".join(others_live))
            # duplicate: a surviving file of similar size with similar tokens
            size = files.get(d, 0)
            cands = [
                p
                for p, s in files.items()
                if p != d and p in after and size and 0.6 < s / size < 1.6 and not SKIP.search(p)
            ]
            ta = tokens(src)
            best = (0.0, None)
            for p in cands:
                tb = tokens(git(repo, "show", f"{parent}:{p}"))
                sm = difflib.SequenceMatcher(None, ta, tb, autojunk=False)
                if sm.real_quick_ratio() < 0.5 or sm.quick_ratio() < 0.5:
                    continue
                r = sm.ratio()
                if r > best[0]:
                    best = (r, p)
            if best[0] >= 0.6:
                notes.append("DUP?{:.2f}~{}".format(*best))
            if re.search(r"\b(APIRouter|Blueprint)\(", src):
                notes.append("ROUTER")
            classes = re.findall(r"^class (\w+)", src, re.M)
            if classes:
                for c in classes:
                    defs = git(repo, "grep", "-l", "-E", rf"^\s*class {c}\b", parent, "--", "*.py", check=False)
                    defs = [h.split(":", 1)[1] for h in defs.splitlines()]
                    defs = [x for x in defs if x != d and x in after]
                    if defs:
                        notes.append(f"CLASS {c} also in {','.join(defs[:3])}")
            print(f"{sha[:10]} {subj[:70]!r}\n    {d} ({nlines} lines) " + " | ".join(notes), flush=True)


if __name__ == "__main__":
    main()
