"""Credential files and manifests: .npmrc, .pypirc, .netrc, Docker config, kubeconfig, Secrets."""

from __future__ import annotations

from citywatch.secrets.rules._dsl import raw

RULES = [
    raw(
        "npmrc-auth-token",
        "npm registry auth token in .npmrc",
        r"(?m)^\s*(?://[^\s:]*/?:)?_authToken\s*=\s*([^\s'\"$]{8,})",
        ["_authtoken"],
        "C",
        tp=["//registry.npmjs.org/:_authToken={u:36}"],
        fp=["//registry.npmjs.org/:_authToken=${NPM_TOKEN}"],
        entropy=3.0,
    ),
    raw(
        "npmrc-auth-basic",
        "npm registry basic auth (_auth / _password) in .npmrc",
        r"(?m)^\s*(?://[^\s:]*/?:)?_(?:auth|password)\s*=\s*([A-Za-z0-9+/]{8,}={0,2})\s*$",
        ["_auth=", "_password=", "_auth =", "_password ="],
        "H",
        tp=["//npm.pkg.example/:_auth={b64text:svc-user:s3cr3tPw9ZqT}", "_password={b:24}"],
        fp=["_auth=${NPM_AUTH}"],
        entropy=3.0,
    ),
    raw(
        "pypirc-password",
        "Package index password in .pypirc",
        r"(?m)^\s*password\s*[=:]\s*(\S{6,})\s*$",
        ["password"],
        "H",
        path=r"(?:^|/)\.pypirc$",
        example_path="home/.pypirc",
        tp=["[pypi]{nl}username = svc{nl}password = {p:20}"],
        fp=["[pypi]{nl}username = __token__{nl}password = <your token>"],
        entropy=2.5,
        validator="password",
    ),
    raw(
        "netrc-password",
        "Password in a .netrc machine entry",
        r"(?:machine|default)\s+(?:\S+\s+)?login\s+\S+\s+password\s+(\S{3,128})",
        ["machine", "default"],
        "H",
        tp=["machine api.example.net login svc password {p:18}"],
        fp=["machine api.example.net login svc password $PASSWORD"],
        entropy=2.5,
        validator="password",
    ),
    raw(
        "docker-config-auth",
        "Registry credentials in a Docker config.json",
        r"\"auth\"\s*:\s*\"([A-Za-z0-9+/]{8,}={0,2})\"",
        ['"auth"'],
        "H",
        tp=['{"auths": {"registry.example.io": {"auth": "{b64text:robot$ci:Zq8wLr2mN5xT}"}}}'],
        fp=['{"auths": {"r.io": {"auth": "{b:40}"}}}', '{"auths": {"r.io": {"auth": ""}}}'],
        validator="basic_auth_b64",
    ),
    raw(
        "kubeconfig-client-key",
        "Client private key embedded in a kubeconfig",
        r"client-key-data:\s*[\"']?([A-Za-z0-9+/]{64,}={0,2})",
        ["client-key-data"],
        "C",
        tp=["users:{nl}- name: admin{nl}  user:{nl}    client-key-data: {b:400}"],
        fp=["    client-key-data: REDACTED"],
        entropy=4.0,
    ),
    raw(
        "kubeconfig-token",
        "Bearer token in a kubeconfig user entry",
        r"(?m)^\s+token:\s*[\"']?([A-Za-z0-9_\-.~+/]{20,}={0,2})[\"']?\s*$",
        ["kind: config"],
        "H",
        requires=r"(?m)^kind:\s*[\"']?Config[\"']?\s*$",
        tp=[
            "apiVersion: v1{nl}kind: Config{nl}users:{nl}- name: ci{nl}  user:{nl}    token: {u:40}"
        ],
        fp=["kind: Config{nl}users:{nl}- name: ci{nl}  user:{nl}    token: ${KUBE_TOKEN}"],
        entropy=3.5,
    ),
    raw(
        "kubernetes-secret-data",
        "Value in the data of a Kubernetes Secret manifest",
        r"(?m)^\s+[A-Za-z0-9_.\-]{1,100}:\s*[\"']?([A-Za-z0-9+/]{12,}={0,2})[\"']?\s*$",
        ["kind: secret"],
        "H",
        requires=r"(?m)^\s*kind:\s*[\"']?Secret[\"']?\s*$",
        validator="k8s_secret_data",
        tp=[
            "apiVersion: v1{nl}kind: Secret{nl}metadata:{nl}  name: db{nl}type: Opaque{nl}"
            "data:{nl}  password: {b64text:Vq7#pL2m!Xz9rT4w}"
        ],
        fp=[
            "apiVersion: v1{nl}kind: Secret{nl}metadata:{nl}  name: db{nl}  labels:{nl}"
            "    app: paymentsservice1{nl}data:{nl}  password: {b64text:changeme}"
        ],
    ),
    raw(
        "wordpress-auth-key",
        "WordPress authentication key or salt",
        r"define\(\s*['\"](?:AUTH|SECURE_AUTH|LOGGED_IN|NONCE)_(?:KEY|SALT)['\"]\s*,\s*"
        r"['\"]([^'\"]{32,})['\"]",
        ["define("],
        "M",
        tp=["define( 'AUTH_KEY', '{p:64}' );"],
        fp=["define( 'AUTH_KEY', 'put your unique phrase here' );"],
        entropy=3.5,
    ),
    raw(
        "htpasswd-bcrypt",
        "Password hash in an htpasswd / shadow-style file",
        r"(?m)^[A-Za-z0-9_.\-]{1,64}:(\$(?:2[aby]|apr1|5|6)\$[./A-Za-z0-9$]{20,120})",
        ["$2y$", "$2a$", "$2b$", "$apr1$", "$6$", "$5$"],
        "M",
        tp=["admin:$2y$10${y:53}"],
        fp=["admin:$2y$10$"],
        entropy=3.0,
    ),
]
