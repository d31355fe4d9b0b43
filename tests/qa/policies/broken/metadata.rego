# METADATA
# title: typo in severity
# custom:
#   id: QA-BROKEN-META
#   severty: HIGH
package qa.broken.meta

import rego.v1

deny contains "x" if input.kind == "Pod"
