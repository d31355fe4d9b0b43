"""Azure App Service web apps and Function apps: transport security, identity, debugging.

Web apps and Function apps share the App Service platform and its settings, so each property is
one implementation registered under two check ids (CW-AZURE-APPSERVICE-NNN for web apps,
CW-AZURE-FUNCTIONS-NNN for Function apps) with the same number.
"""

from __future__ import annotations

from collections.abc import Callable

from citywatch.checks.azure._helpers import (
    LEARN,
    compliance,
    first,
    flag,
    present,
    tf_doc,
    tls_below_1_2,
)
from citywatch.checks.base import CheckContext, CheckResult, Failure, attr, define, implements
from citywatch.model import Resource

WEB_APPS = ("azurerm_linux_web_app", "azurerm_windows_web_app", "azurerm_app_service")
FUNCTION_APPS = (
    "azurerm_linux_function_app",
    "azurerm_windows_function_app",
    "azurerm_function_app",
)
LEGACY = {"azurerm_app_service", "azurerm_function_app"}

Rule = Callable[[Resource], CheckResult]


def _define_pair(
    number: int,
    title: str,
    severity: str,
    description: str,
    remediation: str,
    doc: str,
    mapping: dict[str, list[str]],
    rule: Rule,
) -> None:
    """Define the web-app and the Function-app check for one App Service property."""
    for service, label, types in (
        ("APPSERVICE", "App Service web app", WEB_APPS),
        ("FUNCTIONS", "Function app", FUNCTION_APPS),
    ):
        check = define(
            f"CW-AZURE-{service}-{number:03d}",
            f"{label} {title}",
            severity,
            description=description,
            remediation=remediation,
            references=[tf_doc(types[0]), tf_doc(types[1]), LEARN + doc],
            compliance={k: list(v) for k, v in mapping.items()},
        )

        def _impl(res: Resource, ctx: CheckContext, rule: Rule = rule) -> CheckResult:
            return rule(res)

        implements(check, "terraform", *types)(_impl)


def _https_only(res: Resource) -> CheckResult:
    path, enabled = flag(res, "https_only", default=False)
    if not enabled:
        return Failure("HTTP requests are not redirected to HTTPS", path)
    return None


_define_pair(
    1,
    "accepts plain HTTP",
    "HIGH",
    "Without `https_only`, the app serves requests over unencrypted HTTP.",
    "Set `https_only = true`.",
    "app-service/configure-ssl-bindings#enforce-https",
    compliance(["SC-8", "SC-13"], ["A.8.24", "A.8.20"], ["CC6.7"], ["9.2"]),
    _https_only,
)


def _min_tls(res: Resource) -> CheckResult:
    path, version = first(res, "site_config.minimum_tls_version", "site_config.min_tls_version")
    if path is not None and tls_below_1_2(version):
        return Failure(
            f"Minimum TLS version is {version}", path.replace("site_config.", "site_config.0.")
        )
    return None


_define_pair(
    2,
    "allows TLS older than 1.2",
    "MEDIUM",
    "Clients may negotiate TLS 1.0 or 1.1, which have known weaknesses.",
    'Set `site_config { minimum_tls_version = "1.2" }` (`min_tls_version` on legacy resources).',
    "app-service/overview-tls",
    compliance(["SC-8", "SC-13"], ["A.8.24"], ["CC6.7"], ["9.3"]),
    _min_tls,
)


def _ftps(res: Resource) -> CheckResult:
    path, state = first(res, "site_config.ftps_state")
    if path is None:
        if res.kind in LEGACY:
            return Failure("FTP state is not set; legacy resources default to AllAllowed")
        return None
    if str(state).lower() == "allallowed":
        return Failure("Plain FTP deployments are allowed", "site_config.0.ftps_state")
    return None


_define_pair(
    3,
    "allows plain FTP deployments",
    "MEDIUM",
    "FTP sends deployment credentials and content in clear text.",
    'Set `site_config { ftps_state = "Disabled" }` (or "FtpsOnly").',
    "app-service/deploy-ftp#enforce-ftps",
    compliance(["SC-8", "IA-5"], ["A.8.24", "A.5.17"], ["CC6.7"], ["9.9"]),
    _ftps,
)


def _identity(res: Resource) -> CheckResult:
    if present(res, "identity"):
        return None
    return Failure("No managed identity: credentials to other services must be stored as secrets")


_define_pair(
    4,
    "has no managed identity",
    "LOW",
    "A managed identity lets the app reach Key Vault, storage and databases without secrets in "
    "app settings or connection strings.",
    'Add `identity { type = "SystemAssigned" }` and grant it the roles it needs.',
    "app-service/overview-managed-identity",
    compliance(["IA-2", "IA-5"], ["A.5.16", "A.5.17"], ["CC6.1"], ["9.4"]),
    _identity,
)


def _remote_debugging(res: Resource) -> CheckResult:
    path, enabled = flag(res, "site_config.remote_debugging_enabled", default=False)
    if enabled:
        return Failure("Remote debugging is enabled", "site_config.0.remote_debugging_enabled")
    return None


_define_pair(
    5,
    "has remote debugging enabled",
    "MEDIUM",
    "Remote debugging opens extra ports and lets a debugger attach to production code.",
    "Set `site_config { remote_debugging_enabled = false }`.",
    "app-service/configure-common#configure-general-settings",
    compliance(["CM-7", "AC-17"], ["A.8.9", "A.8.31"], ["CC6.8"]),
    _remote_debugging,
)


def _client_certs(res: Resource) -> CheckResult:
    path, enabled = flag(res, "client_certificate_enabled", "client_cert_enabled", default=False)
    if path is None and res.kind == "azurerm_function_app":
        # the legacy function app has only a mode: Required means certificates are enforced
        _mode_path, mode = first(res, "client_cert_mode")
        enabled = str(mode).lower() == "required"
    if not enabled:
        return Failure("Incoming client certificates are not required", path)
    return None


_define_pair(
    6,
    "does not require client certificates",
    "LOW",
    "Requiring client certificates (mutual TLS) means only clients holding a trusted "
    "certificate can reach the app.",
    "Set `client_certificate_enabled = true` (`client_cert_enabled` on legacy resources) with "
    '`client_certificate_mode = "Required"`.',
    "app-service/app-service-web-configure-tls-mutual-auth",
    compliance(["IA-3", "SC-8"], ["A.8.5"], ["CC6.1"]),
    _client_certs,
)


def _authentication(res: Resource) -> CheckResult:
    if flag(res, "auth_settings_v2.auth_enabled", default=False)[1]:
        return None
    if flag(res, "auth_settings.enabled", default=False)[1]:
        return None
    return Failure("App Service Authentication is not enabled")


_define_pair(
    7,
    "has App Service Authentication disabled",
    "LOW",
    "App Service Authentication rejects anonymous requests before they reach the code.",
    "Add `auth_settings_v2 { auth_enabled = true ... }` with an identity provider.",
    "app-service/overview-authentication-authorization",
    compliance(["IA-2", "AC-3"], ["A.8.5"], ["CC6.1"], ["9.1"]),
    _authentication,
)


def _http2(res: Resource) -> CheckResult:
    path, enabled = flag(res, "site_config.http2_enabled", default=False)
    if not enabled:
        return Failure("HTTP/2 is not enabled", "site_config.0.http2_enabled" if path else None)
    return None


_define_pair(
    8,
    "does not use HTTP/2",
    "LOW",
    "HTTP/2 fixes head-of-line blocking and header compression attacks of HTTP/1.1 and is the "
    "recommended protocol for App Service.",
    "Set `site_config { http2_enabled = true }`.",
    "app-service/configure-common#configure-general-settings",
    compliance(["SC-8", "CM-6"], ["A.8.9"], ["CC6.7"], ["9.8"]),
    _http2,
)


HTTP_LOGS = define(
    "CW-AZURE-APPSERVICE-009",
    "App Service web app does not keep HTTP logs",
    "LOW",
    description="Web server (HTTP) logs record every request; without them an attack on the "
    "app leaves no trace.",
    remediation="Add `logs { http_logs { file_system { retention_in_days = 30, "
    "retention_in_mb = 35 } } }` (or azure_blob_storage), or export AppServiceHTTPLogs with a "
    "diagnostic setting.",
    references=[
        tf_doc(WEB_APPS[0]),
        tf_doc(WEB_APPS[1]),
        LEARN + "app-service/troubleshoot-diagnostic-logs",
    ],
    compliance=compliance(["AU-2", "AU-12"], ["A.8.15"], ["CC7.2"]),
)


@implements(HTTP_LOGS, "terraform", *WEB_APPS)
def _http_logs(res: Resource, ctx: CheckContext) -> CheckResult:
    if present(res, "logs.http_logs"):
        return None
    for setting in ctx.referencing(res, "azurerm_monitor_diagnostic_setting"):
        for block in ("enabled_log", "log"):
            for entry in attr(setting, block) or []:
                if isinstance(entry, dict) and str(entry.get("category", "")).lower() in (
                    "appservicehttplogs",
                ):
                    return None
    return Failure("HTTP logging is not configured")
