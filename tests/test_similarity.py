"""Clone search and scoring: candidates by fingerprints, alignment, renames, the verbatim shortcut."""

from __future__ import annotations

from analyzer.facts.extract import extract
from analyzer.facts.model import CloneText, ModuleFacts
from analyzer.similarity import candidate_pairs, compare, verbatim_copy

MANAGER = '''\
import asyncio


class {name}:
    """Keeps one queue per client."""

    def __init__(self):
        self.queues = {{}}
        self.lock = asyncio.Lock()

    async def connect(self, client_id):
        async with self.lock:
            self.queues[client_id] = asyncio.Queue()
        return self.queues[client_id]

    async def disconnect(self, client_id):
        async with self.lock:
            self.queues.pop(client_id, None)

    async def publish(self, client_id, event):
        queue = self.queues.get(client_id)
        if queue is None:
            return False
        await queue.put(event)
        return True


{instance} = {name}()
'''

UNRELATED = '''\
import json
from pathlib import Path


def load(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def save(path, data):
    Path(path).write_text(json.dumps(data, indent=2), encoding="utf-8")


def merge(first, second):
    merged = dict(first)
    for key, value in second.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged
'''


def _facts(source: str, module: str = "m") -> ModuleFacts:
    return extract(f"{module}.py", module, False, source.encode())


def test_a_renamed_copy_scores_fully_with_its_rename_mapping() -> None:
    live = _facts(MANAGER.format(name="StreamManager", instance="stream_manager"))
    copy = _facts(MANAGER.format(name="SSEManager", instance="sse_manager"))
    result = compare(copy.normalized_lines, live.normalized_lines)
    assert result.similarity == 1.0 and result.overlap == 1.0
    assert result.verbatim < 1.0
    assert result.renames == {"SSEManager": "StreamManager", "sse_manager": "stream_manager"}


def test_a_verbatim_copy_is_known_by_its_digest_and_scored_like_an_alignment() -> None:
    original = _facts(MANAGER.format(name="Manager", instance="manager"))
    shifted = _facts("\n\n# moved down\n" + MANAGER.format(name="Manager", instance="manager"))
    renamed = _facts(MANAGER.format(name="Other", instance="manager"))
    assert shifted.clone_text.same_code_as(original.clone_text)
    assert not renamed.clone_text.same_code_as(original.clone_text)
    assert not _facts("").clone_text.same_code_as(_facts("").clone_text)
    aligned = compare(shifted.normalized_lines, original.normalized_lines)
    assert aligned == verbatim_copy(original.clone_text.line_count)
    assert (aligned.similarity, aligned.overlap, aligned.verbatim, aligned.renames) == (1.0, 1.0, 1.0, {})


def test_a_changed_line_lowers_the_score_below_one() -> None:
    original = _facts(MANAGER.format(name="Manager", instance="manager"))
    edited = _facts(MANAGER.format(name="Manager", instance="manager").replace("return False", "return None"))
    result = compare(edited.normalized_lines, original.normalized_lines)
    assert 0.9 < result.similarity < 1.0 and result.verbatim == result.similarity


def test_empty_modules_are_not_copies_of_each_other() -> None:
    assert compare((), ()).similarity == 0.0


def test_unrelated_modules_score_low() -> None:
    manager = _facts(MANAGER.format(name="Manager", instance="manager"))
    other = _facts(UNRELATED)
    assert compare(other.normalized_lines, manager.normalized_lines).similarity < 0.5


def test_candidates_are_the_copies_only() -> None:
    texts = {
        "app.stream": _facts(MANAGER.format(name="StreamManager", instance="s")).clone_text,
        "app.sse": _facts(MANAGER.format(name="SSEManager", instance="e")).clone_text,
        "app.io": _facts(UNRELATED).clone_text,
    }
    assert candidate_pairs(texts, min_lines=5) == [("app.sse", "app.stream")]
    assert candidate_pairs(texts, min_lines=500) == []


def test_fingerprints_held_by_many_modules_are_boilerplate() -> None:
    text = _facts(UNRELATED).clone_text
    many = {f"pkg.m{i}": text for i in range(20)}
    assert candidate_pairs(many, min_lines=5) == []


def test_clone_text_round_trips_its_lines() -> None:
    facts = _facts(UNRELATED)
    lines = facts.normalized_lines
    assert lines and CloneText.of(lines, facts.clone_text.fingerprints).lines() == lines
    assert facts.clone_text.line_count == len(lines)
