from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest
from jsonschema import Draft4Validator
from jsonschema.validators import validator_for

from analyzer.checks import all_rules
from analyzer.findings import Diagnostic
from analyzer.render import sarif
from analyzer.scan import ScanResult, scan

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SCHEMA_PATH = Path(__file__).resolve().parent / "sarif-schema-2.1.0.json"


@cache
def _schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _validator(schema: dict):
    cls = validator_for(_schema(), default=Draft4Validator)  # the schema asks for draft-04
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def assert_valid(log: dict) -> None:
    errors = sorted(_validator(_schema()).iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def assert_valid_fix(fix: dict) -> None:
    schema = {"$ref": "#/definitions/fix", "definitions": _schema()["definitions"]}
    errors = list(_validator(schema).iter_errors(fix))
    assert not errors, [e.message for e in errors]


@pytest.fixture(scope="module")
def chat() -> ScanResult:
    return scan(FIXTURES / "chat_app")


@pytest.fixture(scope="module")
def chat_log(chat: ScanResult) -> dict:
    return json.loads(sarif.render(chat))


@pytest.fixture(scope="module")
def clean() -> ScanResult:
    return scan(FIXTURES / "clean_api")


def _run(log: dict) -> dict:
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    return log["runs"][0]


def test_the_schema_file_is_the_official_one() -> None:
    schema = _schema()
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    validator_for(schema).check_schema(schema)
    assert "fix" in schema["definitions"] and "result" in schema["definitions"]


def test_chat_app_log_validates_against_the_sarif_schema(chat_log: dict) -> None:
    assert_valid(chat_log)


def test_only_render_is_public() -> None:
    assert sarif.__all__ == ["render"]


def test_tool_driver_and_rules(chat_log: dict) -> None:
    driver = _run(chat_log)["tool"]["driver"]
    assert driver["name"] == "code-hygiene"
    assert driver["informationUri"].startswith("https://")
    assert driver["version"]
    rules = {rule.id: rule for rule in all_rules()}
    assert [r["id"] for r in driver["rules"]] == [rule.id for rule in all_rules()]
    for descriptor in driver["rules"]:
        rule = rules[descriptor["id"]]
        assert descriptor["name"] and " " not in descriptor["name"]
        assert descriptor["shortDescription"]["text"] == rule.summary
        full = descriptor["fullDescription"]["text"]
        assert full and "##" not in full and full in rule.doc
        assert descriptor["help"]["markdown"] == rule.doc.strip() == descriptor["help"]["text"]
        expected_level = "error" if rule.id == "missing-method" else "warning"
        assert descriptor["defaultConfiguration"]["level"] == expected_level


def test_every_finding_is_a_result_at_its_lines(chat: ScanResult, chat_log: dict) -> None:
    run = _run(chat_log)
    results = run["results"]
    assert len(results) == len(chat.findings) == 4
    assert {r["ruleId"] for r in results} == {
        "duplicate-module", "unrouted-router", "shadowed-class", "missing-method",
    }
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    for finding, result in zip(chat.findings, results, strict=True):
        assert result["ruleId"] == finding.rule
        assert rule_ids[result["ruleIndex"]] == finding.rule
        assert result["message"]["text"] == finding.message
        assert result["level"] == ("error" if finding.rule == "missing-method" else "warning")
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {"uri": finding.path, "uriBaseId": "%SRCROOT%"}
        assert location["region"] == {"startLine": finding.line, "endLine": finding.end_line}
        related = result["relatedLocations"]
        assert [r["id"] for r in related] == list(range(1, len(related) + 1))
        for item, expected in zip(related, finding.related, strict=False):
            assert item["message"]["text"] == expected.note
            assert item["physicalLocation"]["artifactLocation"]["uri"] == expected.path
            assert item["physicalLocation"]["region"] == {"startLine": expected.line, "endLine": expected.end_line}
        assert result["properties"] == {
            "confidence": finding.confidence,
            "details": json.loads(json.dumps(finding.to_dict()["details"])),
            "evidence": list(finding.evidence),
        }
        assert set(result["partialFingerprints"]) == {"hygiene/v1"}


def test_every_call_site_of_a_missing_method_is_a_location(chat_log: dict) -> None:
    """Issue 13: only the first call site was a location; the others were not even related."""
    (result,) = [r for r in _run(chat_log)["results"] if r["ruleId"] == "missing-method"]
    lines = [(loc["physicalLocation"]["artifactLocation"]["uri"], loc["physicalLocation"]["region"]["startLine"])
             for loc in result["locations"]]
    assert lines == [("app/routes/sse.py", 51), ("app/routes/sse.py", 72)]
    related = {(r["physicalLocation"]["artifactLocation"]["uri"], r["physicalLocation"]["region"]["startLine"]):
               r["message"]["text"] for r in result["relatedLocations"]}
    assert related == {
        ("app/schemas/event.py", 34): "class `StreamEvent`", ("app/routes/sse.py", 72): "also called here",
    }


def test_the_source_root_is_a_file_uri_with_a_trailing_slash(chat: ScanResult, chat_log: dict) -> None:
    base = _run(chat_log)["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base.startswith("file:///") and base.endswith("/")
    assert base == chat.root.absolute().as_uri() + "/"


def apply_replacements(text: str, replacements: list[dict]) -> str:
    """What a SARIF consumer does with an artifact change: each deleted region (a character
    offset and length) replaced by its inserted text, from the end of the file backwards."""
    spans = sorted(
        ((r["deletedRegion"]["charOffset"], r["deletedRegion"]["charLength"], r["insertedContent"]["text"])
         for r in replacements),
        reverse=True,
    )
    end = len(text) + 1
    for offset, length, inserted in spans:
        assert offset >= 0 and offset + length <= len(text) and offset + length <= end, "overlapping regions"
        text = text[:offset] + inserted + text[offset + length:]
        end = offset
    return text


@pytest.mark.parametrize("fixture", ["chat_app", "flask_shop"])
def test_sarif_fixes_are_the_plans_edits_and_give_valid_python(fixture: str, tmp_path: Path) -> None:
    """Issue 13: a SARIF consumer that applied the fixes wrote '(method stub; run `hygiene fix`
    for the exact code)' into the file. Each fix applied on its own, as a consumer would, now
    gives the content `hygiene fix` plans, and that content compiles."""
    import shutil

    from analyzer.fixes.plan import PlanOptions, build_plan

    result = scan(FIXTURES / fixture)
    log = json.loads(sarif.render(result))
    assert_valid(log)
    fixed = 0
    for finding, sarif_result in zip(result.findings, _run(log)["results"], strict=True):
        for fix in sarif_result.get("fixes", []):
            assert_valid_fix(fix)
            plan = build_plan(result, PlanOptions(findings=frozenset({(finding.rule, finding.path, finding.symbol)})))
            root = tmp_path / f"{fixture}-{fixed}"
            shutil.copytree(FIXTURES / fixture, root)
            for change in fix["artifactChanges"]:
                path = change["artifactLocation"]["uri"]
                for replacement in change["replacements"]:
                    assert "hygiene fix" not in replacement["insertedContent"]["text"]
                    assert "NotImplementedError" not in replacement["insertedContent"]["text"]
                target = root / path
                target.write_text(apply_replacements(target.read_text(encoding="utf-8"), change["replacements"]),
                                  encoding="utf-8")
                expected = plan.final[path]
                assert target.read_bytes() == (expected if expected is not None else b""), path
                compile(target.read_text(encoding="utf-8"), path, "exec")
            fixed += 1
    assert fixed == {"chat_app": 4, "flask_shop": 3}[fixture]


def test_a_stub_or_a_skipped_fix_is_no_sarif_fix(tmp_path: Path) -> None:
    result = scan(FIXTURES / "flask_shop")
    by_rule = {r["ruleId"]: r for r in _run(json.loads(sarif.render(result)))["results"]}
    assert "fixes" not in by_rule["unrouted-router"]  # the plan does not delete legacy_cart
    assert all("fixes" in by_rule[rule] for rule in ("shadowed-class", "duplicate-module", "missing-method"))
    stubbed = write(tmp_path / "stub", {
        "app/__init__.py": "",
        "app/repo.py": "class Repo:\n    def all(self):\n        return []\n",
        "app/main.py": "from fastapi import FastAPI\n\nfrom app.repo import Repo\n\napp = FastAPI()\n\n\n"
                       "@app.get('/x')\ndef x():\n    return Repo().frobnicate_widgets(1)\n",
    })
    (result,) = _run(json.loads(sarif.render(scan(stubbed))))["results"]
    assert result["ruleId"] == "missing-method" and "fixes" not in result  # only a stub: no fix


def test_the_deleted_file_is_emptied_and_the_description_says_so(chat_log: dict) -> None:
    by_rule = {r["ruleId"]: r for r in _run(chat_log)["results"]}
    (fix,) = by_rule["duplicate-module"]["fixes"]
    assert fix["description"]["text"].endswith(
        "(SARIF cannot delete a file: the content of app/core/sse_manager.py is removed)"
    )
    (change,) = fix["artifactChanges"]
    size = len((FIXTURES / "chat_app/app/core/sse_manager.py").read_text(encoding="utf-8"))
    assert change["replacements"] == [
        {"deletedRegion": {"charOffset": 0, "charLength": size}, "insertedContent": {"text": ""}}
    ]
    (fix,) = by_rule["missing-method"]["fixes"]
    assert fix["description"]["text"] == "add StreamEvent.to_sse_format() in app/schemas/event.py after line 59"


def test_clean_app_has_no_results(clean: ScanResult) -> None:
    log = json.loads(sarif.render(clean))
    assert_valid(log)
    run = _run(log)
    assert run["results"] == []
    assert run["invocations"][0]["executionSuccessful"] is True
    assert run["invocations"][0]["toolExecutionNotifications"] == []


def test_diagnostics_are_notifications(clean: ScanResult) -> None:
    result = replace(
        clean,
        diagnostics=(
            Diagnostic("app/broken.py", "skipped: syntax error at line 3"),
            Diagnostic("app/x.py", "unsure", line=7),
        ),
    )
    log = json.loads(sarif.render(result))
    assert_valid(log)
    first, second = _run(log)["invocations"][0]["toolExecutionNotifications"]
    assert first["level"] == "note" and first["message"]["text"] == "skipped: syntax error at line 3"
    assert first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app/broken.py"
    assert second["locations"][0]["physicalLocation"]["region"] == {"startLine": 7}


def test_uncertain_findings_are_notes(chat: ScanResult) -> None:
    finding = replace(chat.findings[-1], confidence="uncertain")
    log = json.loads(sarif.render(replace(chat, findings=(finding,))))
    assert_valid(log)
    (result,) = _run(log)["results"]
    assert result["level"] == "note" and result["properties"]["confidence"] == "uncertain"


TINY = {
    "app/__init__.py": "",
    "app/models.py": (
        "class Discount:\n    rate = 0\n\n\nclass Discount:\n    rate = 1\n\n"
        "    def apply(self, price):\n        return price\n"
    ),
    "app/main.py": (
        "from app.models import Discount\n\n\ndef run(d: Discount):\n"
        "    return d.apply(3) + d.refund(3)\n"
    ),
}


def _fingerprints(root: Path, files: dict[str, str]) -> dict[tuple[str, str | None], tuple[int, str]]:
    log = json.loads(sarif.render(scan(write(root, files))))
    assert_valid(log)
    out = {}
    for result in _run(log)["results"]:
        region = result["locations"][0]["physicalLocation"]["region"]
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        out[(result["ruleId"], uri)] = (region["startLine"], result["partialFingerprints"]["hygiene/v1"])
    return out


def test_fingerprints_survive_line_shifts(tmp_path: Path) -> None:
    before = _fingerprints(tmp_path / "p", TINY)
    shifted = {
        **TINY,
        "app/models.py": "\n" + TINY["app/models.py"],
        "app/main.py": TINY["app/main.py"].replace("\n\ndef run", "\n\n\ndef run"),
    }
    after = _fingerprints(tmp_path / "p", shifted)
    assert set(before) == set(after) == {("shadowed-class", "app/models.py"), ("missing-method", "app/main.py")}
    for key in before:
        assert after[key][0] == before[key][0] + 1, key  # the lines moved ...
        assert after[key][1] == before[key][1], key  # ... the fingerprints did not
    assert len({fp for _, fp in before.values()}) == len(before)


def test_fingerprints_differ_for_the_same_symbol_twice(tmp_path: Path) -> None:
    three = {
        "app/__init__.py": "",
        "app/models.py": "".join(f"class Discount:\n    rate = {n}\n\n\n" for n in range(3)),
        "app/main.py": "from app.models import Discount\n\nDiscount()\n",
    }
    log = json.loads(sarif.render(scan(write(tmp_path / "q", three))))
    prints = [r["partialFingerprints"]["hygiene/v1"] for r in _run(log)["results"]]
    assert len(prints) == 2 and len(set(prints)) == 2


def write(root: Path, files: dict[str, str]) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


def test_output_is_deterministic(chat: ScanResult, chat_log: dict) -> None:
    assert json.loads(sarif.render(chat)) == chat_log
