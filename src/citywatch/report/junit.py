"""JUnit XML: one test suite per scanned file with findings, one failing test case per finding.

CI systems show failures per test case, so a finding reads as "check X failed on resource Y";
input errors become <error> test cases in a separate suite so they are never lost.
"""

from __future__ import annotations

from itertools import groupby
from xml.etree import ElementTree as ET

from citywatch.model import ScanResult


def render(result: ScanResult, *, color: bool = False) -> str:
    root = ET.Element("testsuites", name="citywatch")
    total = failures = errors = 0
    for path, group in groupby(result.findings, key=lambda f: f.location.path):
        items = list(group)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=path,
            tests=str(len(items)),
            failures=str(len(items)),
            errors="0",
        )
        for f in items:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"{f.scanner}.{f.check_id}",
                name=f"{f.check_id} {f.resource or path}",
                file=path,
                line=str(f.location.start_line),
            )
            failure = ET.SubElement(
                case, "failure", message=f.message or f.title, type=f.severity.name
            )
            failure.text = (
                f"{f.title}\n{path}:{f.location.start_line}\nRemediation: {f.remediation}"
            )
        total += len(items)
        failures += len(items)
    if result.errors:
        suite = ET.SubElement(
            root,
            "testsuite",
            name="citywatch input errors",
            tests=str(len(result.errors)),
            failures="0",
            errors=str(len(result.errors)),
        )
        for e in result.errors:
            case = ET.SubElement(
                suite,
                "testcase",
                classname="citywatch.errors",
                name=e.path,
                file=e.path,
                line=str(e.line or 0),
            )
            err = ET.SubElement(case, "error", message=e.reason)
            err.text = f"{e.path}:{e.line or ''} {e.reason}"
        total += len(result.errors)
        errors += len(result.errors)
    if total == 0:
        suite = ET.SubElement(
            root, "testsuite", name="citywatch", tests="1", failures="0", errors="0"
        )
        ET.SubElement(suite, "testcase", classname="citywatch", name="no findings")
        total = 1
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", str(errors))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
