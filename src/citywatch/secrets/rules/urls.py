"""Credentials embedded in URLs and database connection strings."""

from __future__ import annotations

from citywatch.secrets.rule import Rule
from citywatch.secrets.rules._dsl import raw

# user:password@host in a URL; the password is the secret
_USERINFO = r"://[^:@/\s'\"`<>]{1,64}:([^@/\s'\"`<>]{3,128})@[A-Za-z0-9][A-Za-z0-9.\-_]*"


def _url(id: str, description: str, schemes: str, keywords: list[str], sample: str) -> Rule:
    return raw(
        id,
        description,
        rf"(?i:\b(?:{schemes})){_USERINFO}",
        keywords,
        "H",
        tp=[f"url = {sample}://app_user:{{w:18}}@db.internal:5432/app"],
        fp=[
            f"url = {sample}://user:${{DB_PASSWORD}}@db/app",
            f"url = {sample}://user:<password>@db/app",
            f"url = {sample}://user:password@localhost/app",
        ],
        entropy=2.5,
        validator="password",
        literals=("://", "@"),
        line_local=True,
    )


RULES = [
    _url(
        "postgres-connection-string",
        "PostgreSQL connection string with password",
        r"postgres(?:ql)?(?:\+[a-z0-9]+)?",
        ["postgres"],
        "postgresql",
    ),
    _url(
        "mysql-connection-string",
        "MySQL / MariaDB connection string with password",
        r"(?:mysql|mariadb)(?:\+[a-z0-9]+)?",
        ["mysql", "mariadb"],
        "mysql",
    ),
    _url(
        "mongodb-connection-string",
        "MongoDB connection string with password",
        r"mongodb(?:\+srv)?",
        ["mongodb"],
        "mongodb+srv",
    ),
    _url(
        "redis-connection-string",
        "Redis connection string with password",
        r"rediss?",
        ["redis"],
        "rediss",
    ),
    _url(
        "amqp-connection-string",
        "AMQP (RabbitMQ) connection string with password",
        r"amqps?",
        ["amqp"],
        "amqps",
    ),
    _url(
        "mssql-connection-string",
        "SQL Server / Oracle / other database URL with password",
        r"mssql|sqlserver|oracle|cockroachdb|clickhouse|snowflake|db2|neo4j(?:\+s)?|bolt",
        [
            "mssql",
            "sqlserver",
            "oracle",
            "cockroach",
            "clickhouse",
            "snowflake",
            "db2",
            "neo4j",
            "bolt",
        ],
        "mssql",
    ),
    _url(
        "ftp-credentials-url",
        "FTP / SFTP URL with password",
        r"s?ftps?",
        ["ftp"],
        "sftp",
    ),
    _url(
        "ldap-credentials-url",
        "LDAP URL with password",
        r"ldaps?",
        ["ldap"],
        "ldaps",
    ),
    _url(
        "http-basic-auth-url",
        "HTTP(S) URL with embedded basic-auth password",
        r"https?",
        ["http"],
        "https",
    ),
    raw(
        "jdbc-password",
        "JDBC URL with password parameter",
        r"jdbc:[a-z0-9]+:[^\s'\"`]{0,200}?[?;&](?i:password)=([^;&\s'\"`]{3,128})",
        ["jdbc:"],
        "H",
        line_local=True,
        tp=["spring.datasource.url=jdbc:postgresql://db:5432/app?user=svc&password={p:16}"],
        fp=["jdbc:postgresql://db:5432/app?user=svc&password=${DB_PASS}"],
        entropy=2.5,
        validator="password",
    ),
    raw(
        "odbc-connection-string-password",
        "ADO.NET / ODBC connection string with password",
        r"(?i:(?:server|data source|host)=[^;\n]{1,200};[^\n]{0,300}?(?:password|pwd)=)"
        r"([^;'\"\s]{3,128})",
        [";password=", ";pwd=", "; password=", "; pwd="],
        "H",
        line_local=True,
        tp=['"Server=tcp:db.example.net,1433;Database=app;User ID=svc;Password={p:16};"'],
        fp=['"Server=db;Database=app;User ID=svc;Password=$(DbPassword);"'],
        entropy=2.5,
        validator="password",
    ),
]
