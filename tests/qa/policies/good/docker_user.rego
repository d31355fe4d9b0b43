# Conftest-style, no METADATA: package main, deny -> HIGH.
package main

import rego.v1

deny contains msg if {
	input.type == "dockerfile"
	users := [i.value | some i in input.values.instructions; i.cmd == "USER"]
	count(users) == 0
	msg := sprintf("%s never sets USER", [input.file])
}

warn contains msg if {
	input.kind == "Service"
	input.spec.type == "NodePort"
	msg := sprintf("Service %s uses NodePort", [input.metadata.name])
}
