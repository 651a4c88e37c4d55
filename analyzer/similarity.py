"""Near-copy detection between modules: fingerprints to find candidates, alignment to measure.

Candidates come from winnowing (Schleimer et al., 2003) over each module's normalised line
shapes: every module keeps the minimum k-gram hash of each window, an inverted index maps a
fingerprint to the modules holding it, and only pairs that share most of their fingerprints are
compared in full. Fingerprints held by many modules (boilerplate) are ignored. The cost is linear
in the size of the tree plus the number of plausible pairs; no pair is compared blindly.

The full comparison aligns the two line-shape sequences, infers the identifier renaming that
explains the aligned lines (`SSEManager → StreamManager`), and scores the copy token by token.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import combinations

from analyzer.facts.model import LITERALS, NAMES, SHAPE, SIZE, CloneText, NormalizedLine

KGRAM = 4
WINDOW = 4
COMMON_FINGERPRINT_MODULES = 12


@dataclass(frozen=True, slots=True)
class Comparison:
    """How much of `copy` is `original` once identifiers are renamed.

    `similarity` is the share of the copy's tokens equal to aligned tokens of the original under
    `renames`; `overlap` the same measure over both modules (so a copy of half a module has a high
    similarity and a low overlap); `verbatim` the similarity without renaming anything.
    """

    similarity: float
    overlap: float
    verbatim: float
    renames: Mapping[str, str]
    aligned_lines: int
    copy_lines: int
    literal_differences: int = 0  # aligned lines whose strings or numbers differ


def fingerprints(lines: tuple[NormalizedLine, ...]) -> frozenset[int]:
    shapes = [line[SHAPE] for line in lines]
    grams = [hash(tuple(shapes[i : i + KGRAM])) for i in range(len(shapes) - KGRAM + 1)]
    if len(grams) <= WINDOW:
        return frozenset(grams)
    picked = set()
    for start in range(len(grams) - WINDOW + 1):
        picked.add(min(grams[start : start + WINDOW]))
    return frozenset(picked)


def candidate_pairs(
    modules: Mapping[str, CloneText], min_lines: int, min_shared: float = 0.5
) -> list[tuple[str, str]]:
    """Pairs of modules sharing at least `min_shared` of the smaller one's fingerprints."""
    prints = {
        name: text.fingerprints for name, text in modules.items() if text.line_count >= min_lines
    }
    holders: dict[int, list[str]] = defaultdict(list)
    for name in sorted(prints):
        for fingerprint in prints[name]:
            holders[fingerprint].append(name)
    shared: Counter[tuple[str, str]] = Counter()
    for names in holders.values():
        if 1 < len(names) <= COMMON_FINGERPRINT_MODULES:
            shared.update(combinations(names, 2))
    pairs = []
    for (a, b), count in shared.items():
        smaller = min(len(prints[a]), len(prints[b]))
        if smaller and count / smaller >= min_shared:
            pairs.append((a, b))
    return sorted(pairs)


def verbatim_copy(line_count: int) -> Comparison:
    """What `compare` finds for two modules of the same code (`CloneText.same_code_as`),
    without aligning them."""
    return Comparison(
        similarity=1.0, overlap=1.0, verbatim=1.0, renames={}, aligned_lines=line_count, copy_lines=line_count
    )


def compare(copy: tuple[NormalizedLine, ...], original: tuple[NormalizedLine, ...]) -> Comparison:
    matcher = SequenceMatcher(
        None, [line[SHAPE] for line in copy], [line[SHAPE] for line in original], autojunk=False
    )
    aligned = [
        (copy[block.a + offset], original[block.b + offset])
        for block in matcher.get_matching_blocks()
        for offset in range(block.size)
    ]
    renames = _renames(aligned)
    agreeing = _agreeing_tokens(aligned, renames)
    copy_size = sum(line[SIZE] for line in copy) or 1
    original_size = sum(line[SIZE] for line in original) or 1
    return Comparison(
        similarity=agreeing / copy_size,
        overlap=2 * agreeing / (copy_size + original_size),
        verbatim=_agreeing_tokens(aligned, {}) / copy_size,
        renames=dict(sorted(renames.items())),
        aligned_lines=len(aligned),
        copy_lines=len(copy),
        literal_differences=sum(1 for mine, theirs in aligned if mine[LITERALS] != theirs[LITERALS]),
    )


def _agreeing_tokens(aligned: list[tuple[NormalizedLine, NormalizedLine]], renames: Mapping[str, str]) -> int:
    agreeing = 0
    for mine, theirs in aligned:
        mismatched = sum(1 for a, b in zip(mine[NAMES], theirs[NAMES], strict=False) if renames.get(a, a) != b)
        mismatched += mine[LITERALS] != theirs[LITERALS]
        agreeing += max(mine[SIZE] - mismatched, 0)
    return agreeing


def _renames(aligned: list[tuple[NormalizedLine, NormalizedLine]]) -> dict[str, str]:
    """The one-to-one renaming that explains most aligned identifier pairs."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for mine, theirs in aligned:
        for a, b in zip(mine[NAMES], theirs[NAMES], strict=False):
            votes[a][b] += 1
    renames: dict[str, str] = {}
    claimed: dict[str, tuple[int, str]] = {}
    for name in sorted(votes):
        target, count = votes[name].most_common(1)[0]
        if target == name or count * 2 <= sum(votes[name].values()):
            continue
        if target in votes and votes[target][target] > 0:
            continue  # the target name is also used unchanged: not a rename
        previous = claimed.get(target)
        if previous is None or previous[0] < count:
            if previous is not None:
                renames.pop(previous[1], None)
            renames[name] = target
            claimed[target] = (count, name)
    return renames
