"""CloudFormation parser: what a check sees after intrinsics, parameters and conditions."""

from __future__ import annotations

import json
from pathlib import Path

from citywatch import registry
from citywatch.model import UNKNOWN, Resource
from citywatch.options import ScanOptions
from citywatch.parsers.cloudformation import looks_like_cloudformation
from citywatch.pipeline import ScanContext, parse_into
from citywatch.sources.walk import walk_targets


def _parse(tmp_path: Path, name: str, text: str) -> tuple[dict[str, Resource], ScanContext]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    opts = ScanOptions(targets=[path], scanners=("misconfig",))
    ctx = ScanContext(options=opts)
    ctx.files = walk_targets(opts.targets, opts, ctx)
    parse_into(ctx, registry.parsers_for(("misconfig",)))
    return {r.name: r for r in ctx.resources if r.framework == "cloudformation"}, ctx


INTRINSICS = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env:
    Type: String
    Default: prod
  KeyArn:
    Type: String
  Subnets:
    Type: CommaDelimitedList
    Default: "subnet-a, subnet-b"
Mappings:
  Sizes:
    prod:
      Gb: 100
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: true
  Logs:
    Type: AWS::S3::Bucket
    DependsOn: Key
    Properties:
      BucketName: !Sub "${Env}-logs"
      Account: !Sub "${Env}-${AWS::AccountId}"
      Escaped: !Sub "${!Literal}-${Env}"
      Named: !Sub ["${Prefix}-x", {Prefix: !Ref Env}]
      Joined: !Join ["/", [a, !Ref Env, b]]
      Second: !Select [1, !Ref Subnets]
      Pieces: !Split [",", "x,y"]
      Size: !FindInMap [Sizes, !Ref Env, Gb]
      KeyId: !GetAtt Key.Arn
      Unset: !Ref KeyArn
      Region: !Ref AWS::Region
      Dropped: !Ref AWS::NoValue
      List: [one, !Ref AWS::NoValue, two]
      Encoded: !Base64 "#!/bin/bash\\necho hi"
      BucketEncryption:
        ServerSideEncryptionConfiguration:
          - ServerSideEncryptionByDefault:
              SSEAlgorithm: aws:kms
              KMSMasterKeyID: !Ref Key
"""


def test_intrinsics_resolve_statically(tmp_path: Path) -> None:
    res, ctx = _parse(tmp_path, "template.yaml", INTRINSICS)
    assert not ctx.errors
    logs = res["Logs"].attributes
    assert logs["BucketName"] == "prod-logs"
    assert logs["Account"] is UNKNOWN
    assert logs["Escaped"] == "${Literal}-prod"
    assert logs["Named"] == "prod-x"
    assert logs["Joined"] == "a/prod/b"
    assert logs["Second"] == "subnet-b"
    assert logs["Pieces"] == ["x", "y"]
    assert logs["Size"] == 100
    assert logs["KeyId"] is UNKNOWN
    assert logs["Unset"] is UNKNOWN
    assert logs["Region"] is UNKNOWN
    assert "Dropped" not in logs
    assert logs["List"] == ["one", "two"]
    assert logs["Encoded"].startswith("#!/bin/bash")
    assert res["Logs"].references == ["Key"]
    assert res["Logs"].kind == "AWS::S3::Bucket"


def test_lines_point_into_properties(tmp_path: Path) -> None:
    res, _ = _parse(tmp_path, "template.yaml", INTRINSICS)
    logs = res["Logs"]
    lines = INTRINSICS.splitlines()
    assert lines[logs.location.start_line - 1].strip() == "Logs:"
    algo = "BucketEncryption.ServerSideEncryptionConfiguration.0.ServerSideEncryptionByDefault"
    line = logs.line_map[f"{algo}.SSEAlgorithm"]
    assert "SSEAlgorithm" in lines[line - 1]
    assert logs.location.end_line >= line


NAMED_LIKE_TYPE = """\
Resources:
  Distribution:
    Type: AWS::CloudFront::Distribution
    Properties:
      DistributionConfig:
        Enabled: true
  Bucket: {Type: AWS::S3::Bucket}
"""


def test_resource_named_like_its_type_starts_at_its_key(tmp_path: Path) -> None:
    """`Type: AWS::CloudFront::Distribution` contains `Distribution`; the key line is above."""
    res, _ = _parse(tmp_path, "template.yaml", NAMED_LIKE_TYPE)
    lines = NAMED_LIKE_TYPE.splitlines()
    assert lines[res["Distribution"].location.start_line - 1].strip() == "Distribution:"
    assert lines[res["Bucket"].location.start_line - 1].strip().startswith("Bucket:")


CONDITIONS = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env:
    Type: String
    Default: dev
  Other:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
  Either: !Or [!Condition IsProd, !Equals [!Ref Other, x]]
  Both: !And [!Condition IsProd, !Equals [!Ref Other, x]]
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Condition: NotProd
    Metadata:
      Owner: team-a
    Properties:
      StorageEncrypted: !If [IsProd, true, false]
      MultiAZ: !If [NotProd, false, true]
      Public: !If [Either, true, false]
      Backup: !If [Both, 7, 1]
"""


def test_conditions_decided_from_defaults(tmp_path: Path) -> None:
    res, _ = _parse(tmp_path, "db.yml", CONDITIONS)
    db = res["Db"]
    assert db.attributes["StorageEncrypted"] is False
    assert db.attributes["MultiAZ"] is False
    assert db.attributes["Public"] is UNKNOWN  # depends on a parameter without default
    assert db.attributes["Backup"] == 1  # And with a false member is false
    assert db.meta == {"condition": "NotProd", "metadata": {"Owner": "team-a"}}


SAM = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Tracing: Active
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Environment:
        Variables:
          TABLE: !Ref Table
  Table:
    Type: AWS::Serverless::SimpleTable
"""


def test_sam_template_with_globals(tmp_path: Path) -> None:
    res, _ = _parse(tmp_path, "sam.yaml", SAM)
    fn = res["Fn"]
    assert fn.kind == "AWS::Serverless::Function"
    assert fn.attributes["Tracing"] == "Active"
    assert fn.attributes["Handler"] == "app.handler"
    assert fn.references == ["Table"]
    assert res["Table"].attributes == {}


SAM_MERGE = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Environment:
      Variables:
        DB_PASSWORD: hunter2-in-globals
        STAGE: global
    Layers: [arn:aws:lambda:eu-west-1:111122223333:layer:common:1]
    VpcConfig:
      SubnetIds: [subnet-a]
  Api:
    TracingEnabled: true
    AccessLogSetting:
      DestinationArn: arn:aws:logs:eu-west-1:111122223333:log-group:api
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          STAGE: own
      Layers: [arn:aws:lambda:eu-west-1:111122223333:layer:own:1]
      VpcConfig: !If [NoVpc, !Ref AWS::NoValue, {SubnetIds: [subnet-b]}]
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
"""


def test_sam_globals_merge_like_sam(tmp_path: Path) -> None:
    """Maps merge (resource wins a key), lists add up, Globals reach Api resources too."""
    res, _ = _parse(tmp_path, "sam.yaml", SAM_MERGE)
    fn = res["Fn"].attributes
    assert fn["Environment"]["Variables"] == {"DB_PASSWORD": "hunter2-in-globals", "STAGE": "own"}
    assert len(fn["Layers"]) == 2 and fn["Layers"][1].endswith("layer:own:1")
    # an intrinsic on the resource replaces the global map instead of being merged key by key
    # (NoVpc is not declared, so the !If, and with it VpcConfig, is unknown)
    assert fn["VpcConfig"] is UNKNOWN
    api = res["Api"].attributes
    assert api["TracingEnabled"] is True
    assert api["AccessLogSetting"]["DestinationArn"].endswith("log-group:api")
    assert api["StageName"] == "prod"


def test_json_template(tmp_path: Path) -> None:
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {"Name": {"Type": "String", "Default": "data"}},
        "Resources": {
            "Bucket": {
                "Type": "AWS::S3::Bucket",
                "Properties": {
                    "BucketName": {"Fn::Join": ["-", [{"Ref": "Name"}, "bucket"]]},
                    "VersioningConfiguration": {"Status": "Enabled"},
                },
            }
        },
    }
    text = json.dumps(template, indent=2)
    res, ctx = _parse(tmp_path, "stack.json", text)
    assert not ctx.errors
    bucket = res["Bucket"]
    assert bucket.attributes["BucketName"] == "data-bucket"
    line = bucket.line_map["VersioningConfiguration.Status"]
    assert '"Status"' in text.splitlines()[line - 1]


def test_broken_template_is_a_located_error(tmp_path: Path) -> None:
    text = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  B:\n    Type: [unclosed\n'
    res, ctx = _parse(tmp_path, "broken.yaml", text)
    assert res == {}
    assert len(ctx.errors) == 1
    err = ctx.errors[0]
    assert err.path.endswith("broken.yaml") and err.line and err.line >= 4


def test_broken_json_template_is_reported(tmp_path: Path) -> None:
    text = '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"B": }'
    _res, ctx = _parse(tmp_path, "broken.json", text)
    assert len(ctx.errors) == 1 and "broken.json" in ctx.errors[0].path


def test_resource_without_type_is_reported_and_others_kept(tmp_path: Path) -> None:
    text = "Resources:\n  Good:\n    Type: AWS::SNS::Topic\n  Bad:\n    Properties: {}\n"
    res, ctx = _parse(tmp_path, "t.yaml", text)
    assert list(res) == ["Good"]
    assert ctx.errors and "Bad" in ctx.errors[0].reason and ctx.errors[0].line == 5


def test_other_yaml_is_not_claimed(tmp_path: Path) -> None:
    res, ctx = _parse(tmp_path, "config.yaml", "name: app\nresources:\n  - cpu\n")
    assert res == {} and not ctx.errors
    assert "config.yaml" not in " ".join(ctx.claimed)


def test_detection_by_content() -> None:
    assert looks_like_cloudformation(b"Resources:\n  X:\n    Type: AWS::SQS::Queue\n")
    assert looks_like_cloudformation(b'{"AWSTemplateFormatVersion": "2010-09-09"}')
    assert looks_like_cloudformation(b"Transform: AWS::Serverless-2016-10-31\n")
    assert not looks_like_cloudformation(b"apiVersion: v1\nkind: Pod\n")


# --- robustness: intrinsic resolution never raises and always terminates ---------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from citywatch.parsers.cfn_intrinsics import Resolver, TemplateScope  # noqa: E402

_NAMES = st.sampled_from(["P", "Q", "R", "AWS::NoValue", "AWS::Region", "Missing", "C"])
_FUNCS = st.sampled_from(
    [
        "Ref",
        "Fn::Sub",
        "Fn::Join",
        "Fn::Select",
        "Fn::Split",
        "Fn::FindInMap",
        "Fn::If",
        "Fn::GetAtt",
        "Fn::Base64",
        "Fn::Equals",
        "Fn::Not",
        "Fn::And",
        "Condition",
        "Fn::Unknown",
    ]
)
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), _NAMES, st.text("${}!.,-Pab", max_size=12)
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(_FUNCS, _NAMES), inner, max_size=3),
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(props=_VALUES, conditions=st.dictionaries(_NAMES, _VALUES, max_size=3))
def test_resolver_never_raises(props: object, conditions: dict[str, object]) -> None:
    template = {
        "Parameters": {"P": {"Type": "String", "Default": "x"}, "Q": {"Type": "String"}},
        "Mappings": {"M": {"x": {"k": "v"}}},
        "Conditions": conditions,
        "Resources": {"R": {"Type": "AWS::SNS::Topic"}},
    }
    scope = TemplateScope.from_template(template)
    Resolver(scope).resolve(props)
    for name in conditions:
        assert scope.condition(name) in (True, False, None)


def test_self_referencing_conditions_terminate(tmp_path: Path) -> None:
    text = (
        "Conditions:\n  A: !Condition B\n  B: !Not [!Condition A]\n"
        "Resources:\n  T:\n    Type: AWS::SNS::Topic\n"
        "    Properties:\n      KmsMasterKeyId: !If [A, k, !Ref AWS::NoValue]\n"
    )
    res, ctx = _parse(tmp_path, "loop.yaml", text)
    assert res["T"].attributes["KmsMasterKeyId"] is UNKNOWN and not ctx.errors
