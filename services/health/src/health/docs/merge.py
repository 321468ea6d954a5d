"""Merge the services' OpenAPI documents into one, with the error envelope on every operation.

Each service documents its own routes; the gateway serves them as one API, so the reader
should see one document. Schema names are shared across services: a name two services define
differently is prefixed with the service's name, and that service's references follow it.
"""

import copy
import json
from typing import Any

ERROR_SCHEMA = "ErrorResponse"
VALIDATION_SCHEMA = "ValidationErrorResponse"
METHODS = ("get", "put", "post", "delete", "patch", "options", "head")
# Statuses every operation may answer, with what the platform means by them.
COMMON_ERRORS = {
    "500": "Unexpected error (LB-SYS-001); the request id identifies it in the logs",
    "503": "Database briefly unavailable (LB-SYS-002); retry after Retry-After seconds",
}
SIGNED_IN_ERRORS = {
    "401": "Not signed in, or the session ended (LB-AUTH-001, LB-AUTH-002)",
    "403": "Missing permission (LB-PERM-001), or a password change or MFA set-up is due",
}
# Public routes that refuse wrong credentials with 401.
CREDENTIAL_CHECKS = ("/api/v1/auth/login", "/api/v1/auth/mfa/login", "/api/v1/auth/refresh")
PUBLIC_PREFIXES = (
    "/api/v1/auth/login",
    "/api/v1/auth/branding",
    "/api/v1/auth/oauth-config",
    "/api/v1/auth/refresh",
    "/api/v1/auth/forgot-password",
    "/api/v1/auth/reset-password",
    "/api/v1/auth/validate-reset-token",
    "/api/v1/auth/mfa/login",
    "/api/v1/onboarding/status",
)


def _error_schemas() -> dict[str, Any]:
    return {
        ERROR_SCHEMA: {
            "type": "object",
            "required": ["detail", "code"],
            "properties": {
                "detail": {"oneOf": [{"type": "string"}, {"type": "object"}]},
                "code": {"type": "string", "examples": ["LB-PERM-001"]},
                "request_id": {"type": ["string", "null"]},
                "details": {"type": "object"},
            },
        },
        VALIDATION_SCHEMA: {
            "type": "object",
            "required": ["detail", "code"],
            "properties": {
                "detail": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["field", "message"],
                        "properties": {
                            "field": {"type": "string"},
                            "message": {"type": "string"},
                        },
                    },
                },
                "code": {"type": "string", "const": "LB-VAL-001"},
                "request_id": {"type": ["string", "null"]},
            },
        },
    }


def _response(description: str, schema: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def _document_errors(path: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    # The framework's generic 400 body is not what the platform sends: ours replace it.
    responses.pop("400", None)
    wanted = dict(COMMON_ERRORS)
    if not path.startswith(PUBLIC_PREFIXES):
        wanted.update(SIGNED_IN_ERRORS)
    if path in CREDENTIAL_CHECKS:
        wanted["401"] = "Credentials refused: sign-in (LB-AUTH-006) or ended session (LB-AUTH-002)"
    if "{" in path:
        wanted["404"] = "No such record in the caller's organization"
    if operation.get("requestBody") or operation.get("parameters"):
        wanted["400"] = "The request breaks a rule of the endpoint; `detail` says which"
        responses["422"] = _response(
            "The request body or parameters are malformed (LB-VAL-001)", VALIDATION_SCHEMA
        )
    if path.startswith("/api/v1/auth/"):
        wanted["429"] = "Too many attempts; retry after Retry-After seconds"
    for status, description in wanted.items():
        responses.setdefault(status, _response(description, ERROR_SCHEMA))


def _rename_refs(node: Any, renames: dict[str, str]) -> Any:
    text = json.dumps(node)
    for old, new in renames.items():
        text = text.replace(f'"#/components/schemas/{old}"', f'"#/components/schemas/{new}"')
    return json.loads(text)


def merge_documents(documents: dict[str, dict[str, Any]], *, title: str) -> dict[str, Any]:
    """One OpenAPI 3.1 document from each service's own (`documents` maps service -> doc)."""
    schemas = _error_schemas()
    paths: dict[str, Any] = {}
    tags: dict[str, Any] = {}
    security_schemes: dict[str, Any] = {}
    for service, source in documents.items():
        doc = copy.deepcopy(source)
        own = doc.get("components", {}).get("schemas", {})
        # A route documenting an error of its own (409, 429) names the envelope described here.
        own.pop(ERROR_SCHEMA, None)
        renames = {
            name: f"{service.capitalize()}{name}"
            for name, schema in own.items()
            if name in schemas and schemas[name] != schema
        }
        doc = _rename_refs(doc, renames)
        for name, schema in doc.get("components", {}).get("schemas", {}).items():
            schemas[renames.get(name, name)] = schema
        security_schemes.update(doc.get("components", {}).get("securitySchemes", {}))
        for tag in doc.get("tags", []):
            tags.setdefault(tag["name"], tag)
        for path, item in doc.get("paths", {}).items():
            for method in METHODS:
                if method in item:
                    _document_errors(path, item[method])
            paths.setdefault(path, {}).update(item)
    merged: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": "1.0.0",
            "description": "Every public route of the platform, as the gateway serves it. "
            "Errors share one envelope: `detail`, `code` and the `request_id` of the request.",
        },
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": dict(sorted(schemas.items()))},
    }
    if security_schemes:
        merged["components"]["securitySchemes"] = security_schemes
    if tags:
        merged["tags"] = sorted(tags.values(), key=lambda tag: tag["name"])
    return merged
