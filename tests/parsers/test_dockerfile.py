"""The Dockerfile parser: names and content it claims, and the structure checks rely on."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citywatch import ScanOptions, scan
from citywatch.model import UNKNOWN
from citywatch.parsers.dockerfile import (
    DockerfileParser,
    decode,
    expand,
    is_dockerfile_name,
    parse_text,
)
from citywatch.pipeline import ScanContext, SourceFile


def _source(path: Path) -> SourceFile:
    return SourceFile(path, str(path), path.stat().st_size, path.parent)


@pytest.mark.parametrize(
    "name",
    [
        "Dockerfile",
        "dockerfile",
        "Containerfile",
        "Dockerfile.prod",
        "Containerfile.dev",
        "api.Dockerfile",
        "web.dockerfile",
        "x.containerfile",
        "DOCKERFILE",
    ],
)
def test_usual_names_are_dockerfiles(name: str) -> None:
    assert is_dockerfile_name(name)


@pytest.mark.parametrize("name", ["Dockerfile_notes", "docker-compose.yml", "mydockerfile"])
def test_other_names_are_not(name: str) -> None:
    assert not is_dockerfile_name(name)


def test_content_sniffing_only_without_another_extension(tmp_path: Path) -> None:
    parser = DockerfileParser()
    odd = tmp_path / "build-image"
    odd.write_text("# syntax=docker/dockerfile:1\nFROM alpine:3.20\nRUN true\n")
    assert parser.claims(_source(odd))
    arg_first = tmp_path / "image.def"
    arg_first.write_text("ARG V=3\nFROM python:${V}\n")
    assert parser.claims(_source(arg_first))
    script = tmp_path / "build.sh"
    script.write_text("FROM alpine:3.20\n")
    assert not parser.claims(_source(script))
    prose = tmp_path / "NOTES"
    prose.write_text("From the docs we learn that images are layered.\n")
    assert not parser.claims(_source(prose))


def test_continuations_comments_and_lines() -> None:
    text = (
        "FROM debian:12\n"
        "RUN apt-get update && \\\n"
        "    # a comment inside the continuation\n"
        "    apt-get install -y curl \\\n"
        "\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
        "USER app\n"
    )
    parsed = parse_text(text)
    run = parsed.instructions[1]
    assert run["cmd"] == "RUN"
    assert (run["line"], run["end_line"]) == (2, 6)
    assert "apt-get install -y curl" in run["value"]
    assert "a comment" not in run["value"]
    assert parsed.instructions[2]["line"] == 7
    assert not parsed.issues


def test_blanks_after_the_escape_still_continue() -> None:
    parsed = parse_text("FROM alpine\nRUN echo a \\  \t\n    b\nUSER app\n")
    run = parsed.instructions[1]
    assert (run["line"], run["end_line"]) == (2, 3)
    assert run["value"].split() == ["echo", "a", "b"]


def test_escape_directive_backtick() -> None:
    text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir `\n  C:\\\\\n"
    parsed = parse_text(text)
    assert parsed.directives == {"escape": "`"}
    run = parsed.instructions[1]
    assert run["end_line"] == 4
    assert "C:\\\\" in run["value"]


def test_directive_after_comment_is_a_comment() -> None:
    parsed = parse_text("# hello\n# escape=`\nFROM alpine\nRUN a `\n")
    assert parsed.directives == {}


def test_heredocs() -> None:
    text = (
        "FROM alpine:3.20\n"
        "RUN <<EOF\n"
        "set -e\n"
        "curl -fsSL https://example.com/i.sh | sh\n"
        "EOF\n"
        "COPY <<-'CONF' /etc/app.conf\n"
        "\tkey=value\n"
        "\tCONF\n"
        "USER app\n"
    )
    parsed = parse_text(text)
    run, copy, user = parsed.instructions[1:4]
    assert run["heredocs"][0]["name"] == "EOF"
    assert "curl -fsSL" in run["heredocs"][0]["body"]
    assert (run["line"], run["end_line"]) == (2, 5)
    assert copy["heredocs"][0]["body"] == "key=value"
    assert user["line"] == 9


def test_unterminated_heredoc_is_reported() -> None:
    parsed = parse_text("FROM alpine\nRUN <<EOF\necho hi\n")
    assert any("not terminated" in i.reason and i.line == 2 for i in parsed.issues)


def test_exec_and_shell_forms_and_flags() -> None:
    text = (
        "FROM --platform=linux/amd64 golang:1.22 AS build\n"
        "RUN --mount=type=cache,target=/go --mount=type=secret,id=npm go build ./...\n"
        'CMD ["./app", "--port", "80"]\n'
        "ENTRYPOINT /bin/app serve\n"
        "COPY --from=build --chown=1000:1000 /src/app /app\n"
        'ENV A=1 B="two words"\n'
        "ENV LEGACY some value\n"
        "HEALTHCHECK --interval=30s CMD curl -f http://localhost/ || exit 1\n"
    )
    parsed = parse_text(text)
    frm, run, cmd, ep, copy, env, legacy, hc = parsed.instructions
    assert frm["flags"] == {"platform": "linux/amd64"}
    assert run["flags"]["mount"] == ["type=cache,target=/go", "type=secret,id=npm"]
    assert run["args"] == ["go build ./..."] and run["form"] == "shell"
    assert cmd["args"] == ["./app", "--port", "80"] and cmd["form"] == "exec"
    assert ep["form"] == "shell"
    assert copy["flags"] == {"from": "build", "chown": "1000:1000"}
    assert copy["args"] == ["/src/app", "/app"]
    assert env["args"] == ["A=1", "B=two words"]
    assert legacy["args"] == ["LEGACY=some value"]
    assert hc["flags"] == {"interval": "30s"} and hc["args"][0] == "CMD"


def test_multi_stage_and_arg_substitution() -> None:
    text = (
        "ARG BASE=python\n"
        "ARG VERSION=3.12-slim\n"
        "ARG UNSET\n"
        "FROM ${BASE}:${VERSION} AS builder\n"
        "RUN pip wheel .\n"
        "FROM builder AS tester\n"
        "FROM alpine:${UNSET}\n"
        "FROM registry/x:${UNSET:-1.0}\n"
        "COPY --from=builder /w /w\n"
    )
    parsed = parse_text(text)
    stages = parsed.stages
    assert [s["name"] for s in stages] == ["builder", "tester", None, None]
    assert stages[0]["base_image"] == "python:3.12-slim"
    assert stages[1]["from_stage"] == "builder"
    assert stages[2]["base_image"] is UNKNOWN
    assert stages[3]["base_image"] == "registry/x:1.0"
    assert [i["cmd"] for i in stages[0]["instructions"]] == ["FROM", "RUN"]
    assert len(parsed.instructions) == 9
    assert [i["stage"] for i in parsed.instructions[:3]] == [-1, -1, -1]


def test_stage_variables_expand_user() -> None:
    parsed = parse_text("FROM alpine\nARG U=app\nUSER ${U}\nUSER $MISSING\n")
    users = [i for i in parsed.instructions if i["cmd"] == "USER"]
    assert users[0]["expanded"] == ["app"]
    assert users[1]["expanded"] == [UNKNOWN]


def test_expand_forms() -> None:
    assert expand("${A:-x}", {"A": ""}) == ("x", True)
    assert expand("${A-x}", {"A": ""}) == ("", True)
    assert expand("${A:+y}", {"A": "v"}) == ("y", True)
    assert expand("$A/$B", {"A": "1", "B": None}) == ("1/", False)


def test_structural_problems_are_located() -> None:
    parsed = parse_text("RUN echo before\nFROM alpine\nFROOM x\n")
    reasons = {(i.line, i.reason) for i in parsed.issues}
    assert (1, "RUN before the first FROM instruction") in reasons
    assert (3, "unknown instruction 'FROOM'") in reasons


def test_binary_and_invalid_utf8_are_located_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="line 2"):
        decode(b"FROM alpine\n\xff\xfe\n")
    with pytest.raises(ValueError, match="binary"):
        decode(b"FROM alpine\n\x00\x01")
    bad = tmp_path / "Dockerfile"
    bad.write_bytes(b"FROM alpine\nRUN echo \xc3\x28\n")
    result = scan(bad, options=ScanOptions(scanners=("misconfig",)))
    errors = [e for e in result.errors if e.path == str(bad)]
    assert errors and errors[0].line == 2 and "UTF-8" in errors[0].reason


def test_resource_shape_and_line_map(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("FROM alpine:3.20\n\nRUN apk add curl\nUSER app\n")
    (tmp_path / ".dockerignore").write_text(".git\n")
    ctx = ScanContext(options=ScanOptions(targets=[tmp_path]))
    res = DockerfileParser().parse_file(_source(path), ctx)
    assert res is not None and not ctx.errors
    assert (res.kind, res.framework, res.name) == ("dockerfile", "dockerfile", str(path))
    assert res.line_map["instructions.1"] == 3
    assert res.line_map["stages.0.instructions.2"] == 4
    assert res.attributes["dockerignore"] is True
    assert (res.location.start_line, res.location.end_line) == (1, 4)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("FROMRUN <>EOF\\`#=\n\t\"'$[]{}-:a")), max_size=300))
def test_parser_never_raises_and_lines_are_in_range(text: str) -> None:
    parsed = parse_text(text)
    total = text.count("\n") + 1
    for instr in parsed.instructions:
        assert 1 <= instr["line"] <= instr["end_line"] <= total
