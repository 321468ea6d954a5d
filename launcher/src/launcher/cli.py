"""`logbook`: the one command-line tool of the platform."""

import argparse
import importlib
import sys

# Libraries load these whenever they are installed, and the development environment installs them
# for the tests and benchmarks: nats-py its WebSocket transport (aiohttp; the platform speaks to
# NATS over TCP), structlog its pretty tracebacks (rich; ours are plain), httpx its command line
# (pygments), uvicorn its reloader (watchfiles), Litestar its attrs schemas (attr, attrs; no
# model here is one). No command uses them; each library falls back when they cannot be imported.
# Kept out, they spare every process of the platform up to 14 MiB (docs/BENCHMARKS.md).
UNUSED_MODULES = ("aiohttp", "attr", "attrs", "pygments", "rich", "watchfiles")
# PyJWT loads cryptography's OpenSSL bindings (about 10 MiB in every process) for the asymmetric
# algorithms it offers; tokens here are HS256 alone (shared.tokens), which PyJWT signs with the
# standard library. Hidden only while PyJWT loads: a secret sealed at rest (shared.crypto) or
# the MySQL driver's RSA password exchange still loads cryptography when it is needed.
HIDDEN_FROM: dict[str, tuple[str, ...]] = {"jwt": ("cryptography",)}


def _load_hiding(hidden_from: dict[str, tuple[str, ...]]) -> None:
    for module, hidden in hidden_from.items():
        absent = [name for name in hidden if name not in sys.modules]
        for name in absent:
            sys.modules[name] = None  # type: ignore[assignment]
        importlib.import_module(module)
        for name in absent:
            del sys.modules[name]


def _check_config() -> int:
    from shared.security_checks import (  # noqa: PLC0415
        blocks_startup,
        run_checks,
        with_development_secrets,
    )
    from shared.settings import load_settings  # noqa: PLC0415

    settings, generated = with_development_secrets(load_settings())
    findings = run_checks(settings)
    for name in generated:
        print(f"advisory  WARNING: {name} is not set; development would use a throwaway value")  # noqa: T201
    blocked = blocks_startup(settings, findings)
    for finding in findings:
        kind = "blocking" if blocked and finding.severity == "CRITICAL" else "advisory"
        print(f"{kind:9} {finding.line()}")  # noqa: T201
    verdict = "startup would be BLOCKED" if blocked else "startup would proceed"
    print(f"ENVIRONMENT={settings.environment}: {len(findings)} finding(s); {verdict}")  # noqa: T201
    return 1 if blocked else 0


def _migrate() -> int:
    from launcher.serve import prepare_database_or_report  # noqa: PLC0415 - heavy
    from shared.startup import load_settings as load_service_settings  # noqa: PLC0415

    settings = load_service_settings("migrate").model_copy(update={"migrate_on_start": True})
    return 0 if prepare_database_or_report(settings) else 1


def _run(plan: str | None) -> int:
    if plan is not None:  # planned: this process is the platform's supervisor now
        # It speaks no TLS, and asyncio loads OpenSSL (4 MiB resident) only if it can.
        sys.modules["ssl"] = None  # type: ignore[assignment]
        from launcher.supervisor import supervise  # noqa: PLC0415 - no settings: kept small

        return supervise(plan)
    from launcher.runner import run_platform  # noqa: PLC0415
    from shared.logging import configure_logging  # noqa: PLC0415
    from shared.settings import load_settings  # noqa: PLC0415

    configure_logging("run", log_format=load_settings().log_format)
    return run_platform()


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one command."""
    parser = argparse.ArgumentParser(prog="logbook", description="The Logbook backend")
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="run the whole platform (gateway, services, NATS)")
    # Internal: the planned platform, handed to its supervisor (launcher.runner.run_platform).
    run_parser.add_argument("--plan", help=argparse.SUPPRESS)
    serve_parser = commands.add_parser("serve", help="run one service")
    serve_parser.add_argument("service", choices=("auth", "api", "health"))
    commands.add_parser("migrate", help="wait for the database and bring it to the latest schema")
    commands.add_parser("gen-secrets", help="print a .env block with fresh secrets")
    commands.add_parser("check-config", help="print the startup security findings")
    admin = commands.add_parser(
        "create-admin",
        help="create the organization and its first administrator "
        "(password from standard input, or prompted twice; names prompted at a terminal)",
    )
    admin.add_argument("--org-name", required=True, help="the department's name")
    admin.add_argument("--email", required=True)
    admin.add_argument("--username", required=True)
    admin.add_argument("--first-name", help="the administrator's first name (required)")
    admin.add_argument("--last-name", help="the administrator's last name (required)")
    args = parser.parse_args(argv)
    # Before anything imports them (the imports below are per command for the same reason): None
    # in sys.modules makes an import of the name raise ImportError, which each library handles.
    for name in UNUSED_MODULES:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]

    if args.command == "gen-secrets":
        from shared.security_checks import generate_env_block  # noqa: PLC0415

        print(generate_env_block())  # noqa: T201
        return 0
    if args.command == "check-config":
        return _check_config()
    if args.command == "migrate":
        return _migrate()
    if args.command == "create-admin":
        from auth.members.bootstrap import main as create_admin  # noqa: PLC0415 - loads the auth service

        return create_admin(
            args.org_name, args.email, args.username, args.first_name, args.last_name
        )
    if args.command == "serve":
        _load_hiding(HIDDEN_FROM)
        from launcher.serve import serve  # noqa: PLC0415 - loads the service's app

        return serve(args.service)
    return _run(args.plan)


if __name__ == "__main__":
    sys.exit(main())
