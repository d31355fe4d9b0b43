"""Rego/CEL inputs: unknown leaves inside Terraform JSON text read as the documented marker."""

from __future__ import annotations

import json

from citywatch.model import UNKNOWN, UNKNOWN_JSON_LEAF
from citywatch.policy.inputs import UNKNOWN_MARKER, plain


def test_unknown_leaf_in_json_text_reads_as_the_marker() -> None:
    text = json.dumps({"Principal": "*", "Resource": UNKNOWN_JSON_LEAF})
    values = plain({"policy": text, "arn": UNKNOWN, "name": "q"})
    assert json.loads(values["policy"]) == {"Principal": "*", "Resource": UNKNOWN_MARKER}
    assert values["arn"] == UNKNOWN_MARKER
    assert values["name"] == "q"
    # a user's text that merely mentions the words is left alone
    assert plain('{"a": "citywatch-unknown"}') == '{"a": "citywatch-unknown"}'
