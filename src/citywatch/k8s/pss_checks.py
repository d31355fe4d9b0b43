"""The Pod Security Standards checks, one function per upstream check version.

Semantics, check ids, reasons and details follow the upstream Pod Security Admission
(`k8s.io/pod-security-admission/policy`) so a message here matches the `kubectl` warning for the
same pod. Each function takes a `PodView` (the pod spec flattened once) and returns `None` when
allowed or `(reason, detail)` when forbidden. The table `CHECKS` lists which function applies from
which policy version and which baseline check a restricted check replaces.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Result = tuple[str, str] | None
CheckFn = Callable[["PodView"], Result]

_EMPTY: dict[str, Any] = {}


def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else _EMPTY


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _s(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def join_quote(items: list[str]) -> str:
    return '"' + '", "'.join(items) + '"' if items else ""


def plural(singular: str, plural_form: str, count: int) -> str:
    return singular if count == 1 else plural_form


def _who(names: list[str]) -> str:
    return f"{plural('container', 'containers', len(names))} {join_quote(names)}"


class PodView:
    """A pod spec read once: containers in upstream visiting order with their security context."""

    __slots__ = ("annotations", "spec", "psc", "containers", "windows", "user_namespace", "keys")

    def __init__(self, metadata: Any, spec: Any) -> None:
        meta = _d(metadata)
        self.annotations = _d(meta.get("annotations"))
        self.spec = _d(spec)
        self.psc = _d(self.spec.get("securityContext"))
        # (name, container, securityContext) for init, regular, then ephemeral containers
        self.containers: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
        for key in ("initContainers", "containers", "ephemeralContainers"):
            for c in _l(self.spec.get(key)):
                if isinstance(c, dict):
                    self.containers.append((_s(c.get("name")), c, _d(c.get("securityContext"))))
        self.windows = _d(self.spec.get("os")).get("name") == "windows"
        self.user_namespace = self.spec.get("hostUsers") is False
        # which fields are present at all: checks that only forbid set values skip on absence
        keys = set(self.spec)
        keys.update("pod." + k for k in self.psc)
        for _, c, sc in self.containers:
            keys.update("c." + k for k in c)
            keys.update("sc." + k for k in sc)
        if self.annotations:
            keys.add("annotations")
        self.keys = keys


# --- baseline ------------------------------------------------------------------------------


def privileged_1_0(p: PodView) -> Result:
    bad = [n for n, _, sc in p.containers if sc.get("privileged") is True]
    if bad:
        return "privileged", f"{_who(bad)} must not set securityContext.privileged=true"
    return None


CAPABILITIES_BASELINE = frozenset(
    [
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    ]
)


def capabilities_baseline_1_0(p: PodView) -> Result:
    bad: list[str] = []
    caps: set[str] = set()
    for name, _, sc in p.containers:
        added = _d(sc.get("capabilities")).get("add")
        if not added:
            continue
        extra = [_s(c) for c in _l(added) if _s(c) not in CAPABILITIES_BASELINE]
        if extra:
            bad.append(name)
            caps.update(extra)
    if bad:
        return (
            "non-default capabilities",
            f"{_who(bad)} must not include {join_quote(sorted(caps))} "
            "in securityContext.capabilities.add",
        )
    return None


def host_namespaces_1_0(p: PodView) -> Result:
    spec = p.spec
    found = [f"{k}=true" for k in ("hostNetwork", "hostPID", "hostIPC") if spec.get(k) is True]
    if found:
        return "host namespaces", ", ".join(found)
    return None


def host_path_volumes_1_0(p: PodView) -> Result:
    bad = [
        _s(v.get("name"))
        for v in _l(p.spec.get("volumes"))
        if isinstance(v, dict) and v.get("hostPath") is not None
    ]
    if bad:
        return "hostPath volumes", f"{plural('volume', 'volumes', len(bad))} {join_quote(bad)}"
    return None


def host_ports_1_0(p: PodView) -> Result:
    bad: list[str] = []
    ports: set[str] = set()
    for name, c, _ in p.containers:
        found = False
        for port in _l(c.get("ports")):
            hp = _d(port).get("hostPort")
            if hp not in (None, 0):
                found = True
                ports.add(_s(hp))
        if found:
            bad.append(name)
    if bad:
        return (
            "hostPort",
            f"{_who(bad)} {plural('uses', 'use', len(bad))} "
            f"{plural('hostPort', 'hostPorts', len(ports))} {', '.join(sorted(ports))}",
        )
    return None


def _probe_hosts(handler: Any) -> list[str]:
    h = _d(handler)
    if not h:
        return []
    out = []
    for key in ("httpGet", "tcpSocket"):
        host = _s(_d(h.get(key)).get("host"))
        if host:
            out.append(host)
    return out


def host_probes_1_34(p: PodView) -> Result:
    bad: list[str] = []
    hosts: set[str] = set()
    for name, c, _ in p.containers:
        found: list[str] = []
        for key in ("livenessProbe", "readinessProbe", "startupProbe"):
            found += _probe_hosts(c.get(key))
        lifecycle = _d(c.get("lifecycle"))
        if lifecycle:
            found += _probe_hosts(lifecycle.get("postStart"))
            found += _probe_hosts(lifecycle.get("preStop"))
        if found:
            if name not in bad:
                bad.append(name)
            hosts.update(found)
    if bad:
        names = sorted(set(bad))
        return (
            "probe or lifecycle host",
            f"{_who(names)} {plural('uses', 'use', len(names))} "
            f"{plural('probe or lifecycle host', 'probe or lifecycle hosts', len(hosts))} "
            f"{join_quote(sorted(hosts))}",
        )
    return None


def _apparmor_annotation_ok(value: str) -> bool:
    return not value or value == "runtime/default" or value.startswith("localhost/")


def apparmor_1_0(p: PodView) -> Result:
    setters: list[str] = []
    values: set[str] = set()
    pod_type = _d(p.psc.get("appArmorProfile")).get("type")
    if pod_type is not None and pod_type not in ("RuntimeDefault", "Localhost"):
        setters.append("pod")
        values.add(_s(pod_type))
    bad: list[str] = []
    for name, _, sc in p.containers:
        t = _d(sc.get("appArmorProfile")).get("type")
        if t is not None and t not in ("RuntimeDefault", "Localhost"):
            bad.append(name)
            values.add(_s(t))
    if bad:
        setters.append(_who(bad))
    annotations = sorted(
        f'{k}="{_s(v)}"'
        for k, v in p.annotations.items()
        if isinstance(k, str)
        and k.startswith("container.apparmor.security.beta.kubernetes.io/")
        and not _apparmor_annotation_ok(_s(v))
    )
    all_values = sorted(values) + annotations
    if annotations:
        setters.append(plural("annotation", "annotations", len(annotations)))
    if setters:
        return (
            plural("forbidden AppArmor profile", "forbidden AppArmor profiles", len(all_values)),
            f"{' and '.join(setters)} must not set AppArmor profile type to "
            f"{join_quote(all_values)}",
        )
    return None


SELINUX_TYPES_1_0 = frozenset(["", "container_t", "container_init_t", "container_kvm_t"])
SELINUX_TYPES_1_31 = SELINUX_TYPES_1_0 | {"container_engine_t"}


def _selinux(allowed: frozenset[str]) -> CheckFn:
    def check(p: PodView) -> Result:
        bad_types: set[str] = set()
        flags = {"user": False, "role": False}

        def valid(opts: dict[str, Any]) -> bool:
            ok = True
            t = _s(opts.get("type"))
            if t not in allowed:
                ok = False
                bad_types.add(t)
            for key in ("user", "role"):
                if _s(opts.get(key)):
                    ok = False
                    flags[key] = True
            return ok

        setters: list[str] = []
        opts = p.psc.get("seLinuxOptions")
        if isinstance(opts, dict) and not valid(opts):
            setters.append("pod")
        bad = [
            n
            for n, _, sc in p.containers
            if isinstance(sc.get("seLinuxOptions"), dict) and not valid(sc["seLinuxOptions"])
        ]
        if bad:
            setters.append(_who(bad))
        if not setters:
            return None
        data: list[str] = []
        if bad_types:
            data.append(
                f"{plural('type', 'types', len(bad_types))} {join_quote(sorted(bad_types))}"
            )
        if flags["user"]:
            data.append("user may not be set")
        if flags["role"]:
            data.append("role may not be set")
        return (
            "seLinuxOptions",
            f"{' and '.join(setters)} set forbidden securityContext.seLinuxOptions: "
            f"{'; '.join(data)}",
        )

    return check


def _procmount_strict(p: PodView) -> Result:
    bad: list[str] = []
    kinds: set[str] = set()
    for name, _, sc in p.containers:
        pm = sc.get("procMount")
        if pm is not None and pm != "Default":
            bad.append(name)
            kinds.add(_s(pm))
    if bad:
        return (
            "procMount",
            f"{_who(bad)} must not set securityContext.procMount to {join_quote(sorted(kinds))}",
        )
    return None


def procmount_baseline_1_35(p: PodView) -> Result:
    # user-namespaced pods ("hostUsers: false") may unmask /proc from this version on
    return None if p.user_namespace else _procmount_strict(p)


SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CONTAINER_PREFIX = "container.seccomp.security.alpha.kubernetes.io/"


def _seccomp_annotation_ok(value: str) -> bool:
    return value in ("runtime/default", "docker/default") or value.startswith("localhost/")


def seccomp_baseline_1_0(p: PodView) -> Result:
    forbidden: set[str] = set()
    ann = p.annotations
    if SECCOMP_POD_ANNOTATION in ann:
        val = _s(ann[SECCOMP_POD_ANNOTATION])
        if not _seccomp_annotation_ok(val):
            forbidden.add(f'{SECCOMP_POD_ANNOTATION}="{val}"')
    for name, _, _ in p.containers:
        key = SECCOMP_CONTAINER_PREFIX + name
        if key in ann:
            val = _s(ann[key])
            if not _seccomp_annotation_ok(val):
                forbidden.add(f'{key}="{val}"')
    if forbidden:
        return (
            "seccompProfile",
            f"forbidden {plural('annotation', 'annotations', len(forbidden))} "
            f"{', '.join(sorted(forbidden))}",
        )
    return None


_SECCOMP_OK = ("RuntimeDefault", "Localhost")


def _seccomp_fields(p: PodView, required: bool) -> Result:
    setters: list[str] = []
    values: set[str] = set()
    pod_ok = False
    prof = p.psc.get("seccompProfile")
    if isinstance(prof, dict):
        t = prof.get("type")
        if t in _SECCOMP_OK:
            pod_ok = True
        else:
            setters.append("pod")
            values.add(_s(t))
    explicit: list[str] = []
    implicit: list[str] = []
    for name, _, sc in p.containers:
        cprof = sc.get("seccompProfile")
        if isinstance(cprof, dict):
            t = cprof.get("type")
            if t not in _SECCOMP_OK:
                explicit.append(name)
                values.add(_s(t))
        elif not pod_ok:
            implicit.append(name)
    if explicit:
        setters.append(_who(explicit))
    if setters:
        return (
            "seccompProfile",
            f"{' and '.join(setters)} must not set securityContext.seccompProfile.type to "
            f"{join_quote(sorted(values))}",
        )
    if required and implicit:
        return (
            "seccompProfile",
            f"pod or {_who(implicit)} must set securityContext.seccompProfile.type to "
            '"RuntimeDefault" or "Localhost"',
        )
    return None


def seccomp_baseline_1_19(p: PodView) -> Result:
    return _seccomp_fields(p, required=False)


SYSCTLS_1_0 = frozenset(
    [
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_unprivileged_port_start",
    ]
)
SYSCTLS_1_27 = SYSCTLS_1_0 | {"net.ipv4.ip_local_reserved_ports"}
SYSCTLS_1_29 = SYSCTLS_1_27 | {
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
}
SYSCTLS_1_32 = SYSCTLS_1_29 | {"net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"}
SYSCTLS_1_37 = SYSCTLS_1_32 | {"net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"}


def _sysctls(allowed: frozenset[str]) -> CheckFn:
    def check(p: PodView) -> Result:
        bad = [
            _s(_d(s).get("name"))
            for s in _l(p.psc.get("sysctls"))
            if _s(_d(s).get("name")) not in allowed
        ]
        if bad:
            return "forbidden sysctls", ", ".join(bad)
        return None

    return check


def windows_host_process_1_0(p: PodView) -> Result:
    setters: list[str] = []
    if _d(p.psc.get("windowsOptions")).get("hostProcess") is True:
        setters.append("pod")
    bad = [
        n for n, _, sc in p.containers if _d(sc.get("windowsOptions")).get("hostProcess") is True
    ]
    if bad:
        setters.append(_who(bad))
    if setters:
        return (
            "hostProcess",
            f"{' and '.join(setters)} must not set securityContext.windowsOptions.hostProcess=true",
        )
    return None


# --- restricted ----------------------------------------------------------------------------

ALLOWED_VOLUME_SOURCES = (
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
    "image",
)
RESTRICTED_VOLUME_SOURCES = (
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
)


def restricted_volumes_1_0(p: PodView) -> Result:
    bad: list[str] = []
    types: set[str] = set()
    for v in _l(p.spec.get("volumes")):
        vol = _d(v)
        if any(vol.get(k) is not None for k in ALLOWED_VOLUME_SOURCES):
            continue
        if all(k == "name" for k in vol):
            continue  # no source at all: the API server defaults it to emptyDir
        bad.append(_s(vol.get("name")))
        kind = next((k for k in RESTRICTED_VOLUME_SOURCES if vol.get(k) is not None), "unknown")
        types.add(kind)
    if bad:
        return (
            "restricted volume types",
            f"{plural('volume', 'volumes', len(bad))} {join_quote(bad)} "
            f"{plural('uses', 'use', len(bad))} "
            f"{plural('restricted volume type', 'restricted volume types', len(types))} "
            f"{join_quote(sorted(types))}",
        )
    return None


def allow_privilege_escalation_1_8(p: PodView) -> Result:
    bad = [n for n, _, sc in p.containers if sc.get("allowPrivilegeEscalation") is not False]
    if bad:
        return (
            "allowPrivilegeEscalation != false",
            f"{_who(bad)} must set securityContext.allowPrivilegeEscalation=false",
        )
    return None


def _exempt(fn: CheckFn, exempt: Callable[[PodView], bool], version: str) -> CheckFn:
    """The same check from a later policy version on, which no longer applies to some pods."""

    def check(p: PodView) -> Result:
        return None if exempt(p) else fn(p)

    check.__name__ = f"{fn.__name__}_{version}"
    return check


def _skip_windows(fn: CheckFn) -> CheckFn:
    """From policy v1.25 the Linux-only restricted checks do not apply to Windows pods."""
    return _exempt(fn, lambda p: p.windows, "1_25")


def _run_as_non_root(p: PodView) -> Result:
    setters: list[str] = []
    pod_value = p.psc.get("runAsNonRoot")
    pod_ok = False
    if pod_value is not None:
        if pod_value is True:
            pod_ok = True
        else:
            setters.append("pod")
    explicit: list[str] = []
    implicit: list[str] = []
    for name, _, sc in p.containers:
        value = sc.get("runAsNonRoot")
        if value is not None:
            if value is not True:
                explicit.append(name)
        elif not pod_ok:
            implicit.append(name)
    if explicit:
        setters.append(_who(explicit))
    if setters:
        return (
            "runAsNonRoot != true",
            f"{' and '.join(setters)} must not set securityContext.runAsNonRoot=false",
        )
    if implicit:
        return (
            "runAsNonRoot != true",
            f"pod or {_who(implicit)} must set securityContext.runAsNonRoot=true",
        )
    return None


def run_as_non_root_1_0(p: PodView) -> Result:
    return _run_as_non_root(p)


def _is_zero(value: Any) -> bool:
    return value == 0 and not isinstance(value, bool)


def run_as_user_1_23(p: PodView) -> Result:
    setters: list[str] = []
    if _is_zero(p.psc.get("runAsUser")):
        setters.append("pod")
    bad = [n for n, _, sc in p.containers if _is_zero(sc.get("runAsUser"))]
    if bad:
        setters.append(_who(bad))
    if setters:
        return "runAsUser=0", f"{' and '.join(setters)} must not set runAsUser=0"
    return None


def _user_namespace_relaxed(fn: CheckFn) -> CheckFn:
    """From policy v1.35 user-namespaced pods may run as uid 0 inside their namespace."""
    return _exempt(fn, lambda p: p.user_namespace, "1_35")


def seccomp_restricted_1_19(p: PodView) -> Result:
    return _seccomp_fields(p, required=True)


def capabilities_restricted_1_22(p: PodView) -> Result:
    missing: list[str] = []
    adding: list[str] = []
    caps: set[str] = set()
    for name, _, sc in p.containers:
        capabilities = sc.get("capabilities")
        if not isinstance(capabilities, dict):
            missing.append(name)
            continue
        if "ALL" not in [_s(c) for c in _l(capabilities.get("drop"))]:
            missing.append(name)
        extra = [_s(c) for c in _l(capabilities.get("add")) if _s(c) != "NET_BIND_SERVICE"]
        if extra:
            adding.append(name)
            caps.update(extra)
    details = []
    if missing:
        details.append(f'{_who(missing)} must set securityContext.capabilities.drop=["ALL"]')
    if adding:
        details.append(
            f"{_who(adding)} must not include {join_quote(sorted(caps))} "
            "in securityContext.capabilities.add"
        )
    if details:
        return "unrestricted capabilities", "; ".join(details)
    return None


# --- the table -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PSSCheck:
    """One upstream check: its id, level, and (minimum minor version, function) steps."""

    id: str
    level: str
    versions: tuple[tuple[int, CheckFn], ...]
    overrides: tuple[tuple[int, str], ...] = ()
    title: str = ""
    # the check can only fail when one of these fields is present (None: it can always fail)
    triggers: frozenset[str] | None = None

    def at(self, minor: int) -> CheckFn | None:
        chosen: CheckFn | None = None
        for min_minor, fn in self.versions:
            if minor >= min_minor:
                chosen = fn
        return chosen


CHECKS: tuple[PSSCheck, ...] = (
    PSSCheck(
        "appArmorProfile", "baseline", ((0, apparmor_1_0),), title="AppArmor profile not allowed"
    ),
    PSSCheck(
        "capabilities_baseline",
        "baseline",
        ((0, capabilities_baseline_1_0),),
        title="Non-default capabilities added",
    ),
    PSSCheck(
        "hostNamespaces", "baseline", ((0, host_namespaces_1_0),), title="Host namespaces shared"
    ),
    PSSCheck(
        "hostPathVolumes", "baseline", ((0, host_path_volumes_1_0),), title="hostPath volume used"
    ),
    PSSCheck("hostPorts", "baseline", ((0, host_ports_1_0),), title="hostPort used"),
    PSSCheck(
        "hostProbesAndHostLifecycle",
        "baseline",
        ((34, host_probes_1_34),),
        title="Probe or lifecycle handler targets another host",
    ),
    PSSCheck("privileged", "baseline", ((0, privileged_1_0),), title="Privileged container"),
    PSSCheck(
        "procMount",
        "baseline",
        ((0, _procmount_strict), (35, procmount_baseline_1_35)),
        title="Unmasked /proc mount",
    ),
    PSSCheck(
        "seLinuxOptions",
        "baseline",
        ((0, _selinux(SELINUX_TYPES_1_0)), (31, _selinux(SELINUX_TYPES_1_31))),
        title="SELinux options not allowed",
    ),
    PSSCheck(
        "seccompProfile_baseline",
        "baseline",
        ((0, seccomp_baseline_1_0), (19, seccomp_baseline_1_19)),
        title="Seccomp profile Unconfined",
    ),
    PSSCheck(
        "sysctls",
        "baseline",
        (
            (0, _sysctls(SYSCTLS_1_0)),
            (27, _sysctls(SYSCTLS_1_27)),
            (29, _sysctls(SYSCTLS_1_29)),
            (32, _sysctls(SYSCTLS_1_32)),
            (37, _sysctls(SYSCTLS_1_37)),
        ),
        title="Unsafe sysctls",
    ),
    PSSCheck(
        "windowsHostProcess",
        "baseline",
        ((0, windows_host_process_1_0),),
        title="Windows HostProcess container",
    ),
    PSSCheck(
        "allowPrivilegeEscalation",
        "restricted",
        ((8, allow_privilege_escalation_1_8), (25, _skip_windows(allow_privilege_escalation_1_8))),
        title="Privilege escalation allowed",
    ),
    PSSCheck(
        "capabilities_restricted",
        "restricted",
        ((22, capabilities_restricted_1_22), (25, _skip_windows(capabilities_restricted_1_22))),
        overrides=((22, "capabilities_baseline"),),
        title="Capabilities not dropped",
    ),
    PSSCheck(
        "procMount_restricted",
        "restricted",
        ((35, _procmount_strict),),
        overrides=((35, "procMount"),),
        title="Unmasked /proc mount",
    ),
    PSSCheck(
        "restrictedVolumes",
        "restricted",
        ((0, restricted_volumes_1_0),),
        overrides=((0, "hostPathVolumes"),),
        title="Restricted volume type",
    ),
    PSSCheck(
        "runAsNonRoot",
        "restricted",
        ((0, run_as_non_root_1_0), (35, _user_namespace_relaxed(run_as_non_root_1_0))),
        title="May run as root",
    ),
    PSSCheck(
        "runAsUser",
        "restricted",
        ((23, run_as_user_1_23), (35, _user_namespace_relaxed(run_as_user_1_23))),
        title="Runs as uid 0",
    ),
    PSSCheck(
        "seccompProfile_restricted",
        "restricted",
        ((19, seccomp_restricted_1_19), (25, _skip_windows(seccomp_restricted_1_19))),
        overrides=((19, "seccompProfile_baseline"),),
        title="Seccomp profile not set",
    ),
)

_TRIGGERS: dict[str, tuple[str, ...]] = {
    "appArmorProfile": ("annotations", "pod.appArmorProfile", "sc.appArmorProfile"),
    "capabilities_baseline": ("sc.capabilities",),
    "hostNamespaces": ("hostNetwork", "hostPID", "hostIPC"),
    "hostPathVolumes": ("volumes",),
    "hostPorts": ("c.ports",),
    "hostProbesAndHostLifecycle": (
        "c.livenessProbe",
        "c.readinessProbe",
        "c.startupProbe",
        "c.lifecycle",
    ),
    "privileged": ("sc.privileged",),
    "procMount": ("sc.procMount",),
    "procMount_restricted": ("sc.procMount",),
    "seLinuxOptions": ("pod.seLinuxOptions", "sc.seLinuxOptions"),
    "seccompProfile_baseline": ("annotations", "pod.seccompProfile", "sc.seccompProfile"),
    "sysctls": ("pod.sysctls",),
    "windowsHostProcess": ("pod.windowsOptions", "sc.windowsOptions"),
    "restrictedVolumes": ("volumes",),
    "runAsUser": ("pod.runAsUser", "sc.runAsUser"),
}
CHECKS = tuple(
    PSSCheck(c.id, c.level, c.versions, c.overrides, c.title, frozenset(_TRIGGERS[c.id]))
    if c.id in _TRIGGERS
    else c
    for c in CHECKS
)
CHECKS_BY_ID = {c.id: c for c in CHECKS}
