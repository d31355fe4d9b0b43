"""IAM: over-broad policies, admin rights on users, public trust policies, password policy.

Policies are read wherever they live: managed and inline policies, role/user/group inline
policies, and (Terraform) `data.aws_iam_policy_document` rendered to JSON by the parser.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from citywatch.checks.aws._common import (
    CFN,
    TF,
    actions,
    allows,
    at_least,
    authentication,
    flagged_statements,
    implements,
    least_privilege,
    policy_document,
    public_allow_statements,
    require,
    resources_of,
    statements,
)
from citywatch.checks.base import (
    CheckContext,
    Failure,
    UnknownValue,
    attr,
    blocks,
    define,
    known,
)
from citywatch.model import Check, Resource

IAM_DOCS = "https://docs.aws.amazon.com/IAM/latest/UserGuide"
ADMIN_ARN_SUFFIX = ":policy/AdministratorAccess"

TF_POLICY_KINDS = (
    "aws_iam_policy",
    "aws_iam_role_policy",
    "aws_iam_user_policy",
    "aws_iam_group_policy",
    "aws_iam_role",
)
CFN_POLICY_KINDS = (
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::Role",
    "AWS::IAM::User",
    "AWS::IAM::Group",
    "AWS::Serverless::Function",
)


def policy_sources(res: Resource) -> Iterator[tuple[str, dict[str, Any] | None]]:
    """(path, document) for every permissions policy a resource carries."""
    if res.framework == TF:
        if res.kind == "aws_iam_role":
            for i, inline in enumerate(blocks(res, "inline_policy")):
                yield f"inline_policy.{i}.policy", policy_document(attr(inline, "policy"))
        else:
            yield "policy", policy_document(attr(res, "policy"))
        return
    if res.kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        yield "PolicyDocument", policy_document(attr(res, "PolicyDocument"))
        return
    if res.kind == "AWS::Serverless::Function":
        # SAM Policies: managed policy names, policy templates, or inline statements
        policies = attr(res, "Policies")
        items = policies if isinstance(policies, list) else [policies]
        for i, item in enumerate(items):
            if isinstance(item, dict) and "Statement" in item:
                path = f"Policies.{i}" if isinstance(policies, list) else "Policies"
                yield path, policy_document(item)
        return
    for i, inline in enumerate(blocks(res, "Policies")):
        yield f"Policies.{i}.PolicyDocument", policy_document(attr(inline, "PolicyDocument"))


def is_full_admin(stmt: dict[str, Any]) -> bool:
    return allows(stmt) and "*" in actions(stmt) and "*" in resources_of(stmt)


def _policy_check(check: Check, test: Callable[[dict[str, Any]], str | None], message: str) -> None:
    def evaluate(res: Resource, ctx: CheckContext) -> list[Failure]:
        failures: list[Failure] = []
        unsure: UnknownValue | None = None
        for path, doc in policy_sources(res):
            try:
                hits = flagged_statements(doc, test)
            except UnknownValue as exc:
                unsure = exc  # another policy of the resource may still decide
                continue
            for i, detail in hits:
                failures.append(
                    Failure(f"statement {i} {message}{detail}", path, key=f"{path}:{i}")
                )
        if not failures and unsure is not None:
            raise unsure
        return failures

    implements(check, TF, *TF_POLICY_KINDS)(evaluate)
    implements(check, CFN, *CFN_POLICY_KINDS)(evaluate)


full_admin = define(
    "CW-AWS-IAM-001",
    'IAM policy grants full administrative privileges ("*" on "*")',
    "HIGH",
    description='A statement allowing Action "*" on Resource "*" gives whoever holds the '
    "policy complete control of the account.",
    remediation="Grant only the actions and resources the principal needs; use AWS managed job "
    "function policies or IAM Access Analyzer policy generation as a starting point.",
    references=[f"{IAM_DOCS}/best-practices.html#grant-least-privilege"],
    compliance=least_privilege(["1.16"]),
)
_policy_check(full_admin, lambda s: "" if is_full_admin(s) else None, "allows * on *")


def _wildcard_actions(stmt: dict[str, Any]) -> str | None:
    if not allows(stmt) or is_full_admin(stmt):
        return None
    wild = [a for a in actions(stmt) if a == "*" or a.endswith(":*")]
    return ": " + ", ".join(wild) if wild else None


wildcard_action = define(
    "CW-AWS-IAM-002",
    "IAM policy allows every action of a service",
    "MEDIUM",
    description='Wildcard actions such as "s3:*" or "*" grant today\'s and tomorrow\'s '
    "permissions, including destructive and permission-changing ones.",
    remediation="List the specific actions needed instead of service-wide wildcards.",
    references=[f"{IAM_DOCS}/best-practices.html#grant-least-privilege"],
    compliance=least_privilege(),
)
_policy_check(wildcard_action, _wildcard_actions, "allows wildcard actions")


def _pass_role_any(stmt: dict[str, Any]) -> str | None:
    if not allows(stmt) or is_full_admin(stmt):
        return None
    # actions first: a statement without PassRole is clean whatever its (unknown) resources
    hit = [a for a in actions(stmt) if a.lower() in ("iam:passrole", "iam:*", "iam:pass*")]
    if not hit or "*" not in resources_of(stmt):
        return None
    return ": " + ", ".join(hit)


pass_role = define(
    "CW-AWS-IAM-003",
    "IAM policy allows iam:PassRole on any role",
    "HIGH",
    description='PassRole on Resource "*" lets the holder hand any role, including admin '
    "roles, to a service it controls: a direct privilege-escalation path.",
    remediation="Restrict iam:PassRole to the ARNs of the roles that must be passed, and add an "
    "iam:PassedToService condition.",
    references=[f"{IAM_DOCS}/id_roles_use_passrole.html"],
    compliance=least_privilege(),
)
_policy_check(pass_role, _pass_role_any, "allows passing any role")


admin_user = define(
    "CW-AWS-IAM-004",
    "Administrator policy attached to an IAM user",
    "HIGH",
    description='Long-lived user credentials with AdministratorAccess (or an equivalent "*" '
    'on "*" policy) are the most damaging credentials to leak.',
    remediation="Give administrators a role assumed with MFA (or IAM Identity Center) instead of "
    "attaching admin policies to users.",
    references=[f"{IAM_DOCS}/best-practices.html#lock-away-credentials"],
    compliance=least_privilege(["1.16"]),
)


def _admin_arn(value: Any) -> bool:
    return isinstance(value, str) and value.endswith(ADMIN_ARN_SUFFIX)


def _doc_is_admin(doc: dict[str, Any] | None) -> bool:
    return any(is_full_admin(s) for _i, s in statements(doc))


@implements(admin_user, TF, "aws_iam_user_policy_attachment", "aws_iam_policy_attachment")
def _tf_admin_attachment(res: Resource, ctx: CheckContext) -> Failure | None:
    if res.kind == "aws_iam_policy_attachment" and not attr(res, "users"):
        return None
    for ref in res.references:
        policy = ctx.get(ref)
        if (
            policy is not None
            and policy.kind == "aws_iam_policy"
            and _doc_is_admin(policy_document(attr(policy, "policy")))
        ):
            return Failure(f"{policy.name} allows * on * and is attached to a user", "policy_arn")
    if _admin_arn(attr(res, "policy_arn")):
        return Failure("AdministratorAccess is attached to a user", "policy_arn")
    return None


@implements(admin_user, TF, "aws_iam_user_policy")
def _tf_admin_inline(res: Resource, ctx: CheckContext) -> Failure | None:
    if _doc_is_admin(policy_document(attr(res, "policy"))):
        return Failure("inline user policy allows * on *", "policy")
    return None


@implements(admin_user, CFN, "AWS::IAM::User")
def _cfn_admin_user(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    for i, arn in enumerate(attr(res, "ManagedPolicyArns", []) or []):
        if _admin_arn(arn):
            yield Failure("AdministratorAccess is attached", f"ManagedPolicyArns.{i}", key=str(i))
    for path, doc in policy_sources(res):
        if _doc_is_admin(doc):
            yield Failure("inline policy allows * on *", path, key=path)


@implements(admin_user, CFN, "AWS::IAM::ManagedPolicy", "AWS::IAM::Policy")
def _cfn_admin_policy_users(res: Resource, ctx: CheckContext) -> Failure | None:
    if attr(res, "Users") and _doc_is_admin(policy_document(attr(res, "PolicyDocument"))):
        return Failure("policy allows * on * and is attached to users", "Users")
    return None


direct_user = define(
    "CW-AWS-IAM-005",
    "IAM user has policies attached directly",
    "LOW",
    description="Permissions attached to individual users drift and are hard to review; CIS "
    "asks that users get permissions only through groups.",
    remediation="Attach policies to IAM groups (or roles) and add users to the groups.",
    references=[f"{IAM_DOCS}/id_groups_manage_attach-policy.html"],
    compliance=least_privilege(["1.15"]),
)


@implements(direct_user, TF, "aws_iam_user_policy", "aws_iam_user_policy_attachment")
def _tf_direct_user(res: Resource, ctx: CheckContext) -> Failure:
    return Failure(f"{res.kind} gives a user permissions directly")


@implements(direct_user, TF, "aws_iam_policy_attachment")
def _tf_direct_user_shared(res: Resource, ctx: CheckContext) -> Failure | None:
    if attr(res, "users"):
        return Failure("policy is attached to users", "users")
    return None


@implements(direct_user, CFN, "AWS::IAM::User")
def _cfn_direct_user(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    for key in ("Policies", "ManagedPolicyArns"):
        if attr(res, key):
            yield Failure(f"user has {key}", key, key=key)


@implements(direct_user, CFN, "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")
def _cfn_direct_policy(res: Resource, ctx: CheckContext) -> Failure | None:
    if attr(res, "Users"):
        return Failure("policy is attached to users", "Users")
    return None


PASSWORD_KIND = "aws_iam_account_password_policy"
PW_DOCS = f"{IAM_DOCS}/id_credentials_passwords_account-policy.html"

pw_length = define(
    "CW-AWS-IAM-006",
    "IAM password policy allows passwords shorter than 14 characters",
    "MEDIUM",
    description="Short passwords are cheap to guess or crack.",
    remediation="Set minimum_password_length = 14 or more.",
    references=[PW_DOCS],
    compliance=authentication(["1.8"]),
)
require(
    pw_length,
    TF,
    PASSWORD_KIND,
    "minimum_password_length",
    "minimum password length is {value}",
    ok=at_least(14),
    default=6,
)

pw_reuse = define(
    "CW-AWS-IAM-007",
    "IAM password policy allows password reuse",
    "MEDIUM",
    description="Without reuse prevention users cycle back to compromised passwords.",
    remediation="Set password_reuse_prevention = 24.",
    references=[PW_DOCS],
    compliance=authentication(["1.9"]),
)
require(
    pw_reuse,
    TF,
    PASSWORD_KIND,
    "password_reuse_prevention",
    "password reuse prevention remembers {value} password(s)",
    ok=at_least(24),
    default=0,
)

pw_symbols = define(
    "CW-AWS-IAM-008",
    "IAM password policy does not require symbols",
    "LOW",
    description="Requiring at least one symbol enlarges the space an attacker must search.",
    remediation="Set require_symbols = true.",
    references=[PW_DOCS],
    compliance=authentication(),
)
require(pw_symbols, TF, PASSWORD_KIND, "require_symbols", "symbols are not required")

pw_complexity = define(
    "CW-AWS-IAM-009",
    "IAM password policy does not require upper case, lower case and numbers",
    "LOW",
    description="Character-class requirements stop the most trivial passwords.",
    remediation="Set require_uppercase_characters, require_lowercase_characters and "
    "require_numbers to true.",
    references=[PW_DOCS],
    compliance=authentication(),
)


@implements(pw_complexity, TF, PASSWORD_KIND)
def _tf_complexity(res: Resource, ctx: CheckContext) -> Failure | None:
    names = ("require_uppercase_characters", "require_lowercase_characters", "require_numbers")
    missing = [n for n in names if known(attr(res, n, False)) is not True]
    if missing:
        return Failure(f"{', '.join(missing)} not required", missing[0])
    return None


public_trust = define(
    "CW-AWS-IAM-010",
    "IAM role can be assumed by any AWS principal",
    "CRITICAL",
    description='A trust policy that allows Principal "*" (or AWS "*") with no Condition '
    "lets any AWS account in the world assume the role.",
    remediation="Name the trusted accounts, roles or services, and add sts:ExternalId or "
    "aws:PrincipalOrgID conditions for cross-account trust.",
    references=[f"{IAM_DOCS}/id_roles_terms-and-concepts.html"],
    compliance=least_privilege(),
)


def _public_trust(doc: dict[str, Any] | None, path: str) -> Iterator[Failure]:
    for i in public_allow_statements(doc):
        yield Failure(f"trust statement {i} allows any principal", path, key=str(i))


@implements(public_trust, TF, "aws_iam_role")
def _tf_public_trust(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    return _public_trust(policy_document(attr(res, "assume_role_policy")), "assume_role_policy")


@implements(public_trust, CFN, "AWS::IAM::Role")
def _cfn_public_trust(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    doc = policy_document(attr(res, "AssumeRolePolicyDocument"))
    return _public_trust(doc, "AssumeRolePolicyDocument")


access_analyzer = define(
    "CW-AWS-IAM-011",
    "IAM Access Analyzer is not enabled for the account",
    "LOW",
    description="Access Analyzer reports resources shared outside the account or organisation. "
    "The check applies to configurations that manage account-level IAM settings (an "
    "aws_iam_account_password_policy) and define no aws_accessanalyzer_analyzer.",
    remediation="Add an aws_accessanalyzer_analyzer (type ACCOUNT or ORGANIZATION) in every "
    "active region.",
    references=[f"{IAM_DOCS}/what-is-access-analyzer.html"],
    compliance=least_privilege(["1.20"]),
)


@implements(access_analyzer, TF, PASSWORD_KIND)
def _tf_access_analyzer(res: Resource, ctx: CheckContext) -> Failure | None:
    if ctx.of_type("aws_accessanalyzer_analyzer"):
        return None
    return Failure("account IAM settings are managed here but no access analyzer is defined")


admin_workload = define(
    "CW-AWS-IAM-012",
    "AdministratorAccess is attached to a role, group or function",
    "HIGH",
    description="The AWS-managed AdministratorAccess policy grants every action on every "
    "resource; on a workload role (Lambda, ECS, EC2) one code-execution bug becomes full "
    "account takeover, on a group every member becomes an administrator. CIS asks that no "
    "full-admin policy is attached (break-glass roles are the documented exception: "
    "suppress them by resource).",
    remediation="Attach a policy listing the actions and resources the workload needs; give "
    "human administrators time-bound access through IAM Identity Center.",
    references=[
        f"{IAM_DOCS}/best-practices.html#grant-least-privilege",
        "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AdministratorAccess.html",
    ],
    compliance=least_privilege(["1.16"]),
)

_SAM_ADMIN_NAME = "AdministratorAccess"


@implements(
    admin_workload,
    TF,
    "aws_iam_role_policy_attachment",
    "aws_iam_group_policy_attachment",
    "aws_iam_policy_attachment",
)
def _tf_admin_workload(res: Resource, ctx: CheckContext) -> Failure | None:
    if res.kind == "aws_iam_policy_attachment" and not (attr(res, "roles") or attr(res, "groups")):
        return None  # users only: CW-AWS-IAM-004
    if _admin_arn(attr(res, "policy_arn")):
        return Failure("AdministratorAccess is attached", "policy_arn")
    return None


@implements(admin_workload, TF, "aws_iam_role")
def _tf_admin_role_arns(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    for i, arn in enumerate(attr(res, "managed_policy_arns", []) or []):
        if _admin_arn(known(arn)):
            yield Failure("AdministratorAccess is attached", f"managed_policy_arns.{i}", key=str(i))


@implements(admin_workload, CFN, "AWS::IAM::Role", "AWS::IAM::Group")
def _cfn_admin_workload(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    for i, arn in enumerate(attr(res, "ManagedPolicyArns", []) or []):
        if _admin_arn(known(arn)):
            yield Failure("AdministratorAccess is attached", f"ManagedPolicyArns.{i}", key=str(i))


@implements(admin_workload, CFN, "AWS::Serverless::Function")
def _sam_admin_function(res: Resource, ctx: CheckContext) -> Iterator[Failure]:
    """SAM `Policies` takes AWS-managed policy names as well as ARNs and statements."""
    policies = attr(res, "Policies")
    items = policies if isinstance(policies, list) else [policies]
    for i, item in enumerate(items):
        if isinstance(known(item), str) and (item == _SAM_ADMIN_NAME or _admin_arn(item)):
            path = f"Policies.{i}" if isinstance(policies, list) else "Policies"
            yield Failure("AdministratorAccess is attached to the function's role", path, key=path)
