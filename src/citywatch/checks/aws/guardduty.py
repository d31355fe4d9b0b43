"""GuardDuty: threat detection is switched on."""

from __future__ import annotations

from citywatch.checks.aws._common import CFN, TF, monitoring, require
from citywatch.checks.base import define

detector = define(
    "CW-AWS-GUARDDUTY-001",
    "GuardDuty detector is disabled",
    "MEDIUM",
    description="A disabled detector produces no findings for compromised credentials, "
    "crypto-mining or reconnaissance.",
    remediation="Set enable = true (Enable: true) on the detector in every region.",
    references=["https://docs.aws.amazon.com/guardduty/latest/ug/what-is-guardduty.html"],
    compliance=monitoring(),
)
require(detector, TF, "aws_guardduty_detector", "enable", "detector is disabled", default=True)
require(detector, CFN, "AWS::GuardDuty::Detector", "Enable", "detector is disabled")
