"""The OpenAPI 3 document of `/api/v1`, served at `/api/v1/openapi.json`."""

from store.categories import CATEGORIES
from store.stages import Stage


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _report(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Report"}}},
    }


NUMBER = {
    "name": "number",
    "in": "path",
    "required": True,
    "description": "Report number, e.g. CRM-26-000123-3 (spaces, dashes, case and the "
    "CRM prefix are forgiven)",
    "schema": {"type": "string"},
}
UNAUTHORIZED = _error("Missing, unknown or revoked bearer token")
FORBIDDEN = _error(
    "The token's role may not do this, or the token (kelurahan, skpd, channel) belongs to "
    "no office and must be re-issued (error.code token_unbound)"
)


HISTORY_ENTRY = {
    "type": "object",
    "properties": {
        "from": {"type": "string", "nullable": True},
        "to": {"type": "string"},
        "actor_role": {"type": "string"},
        "note": {"type": "string", "nullable": True},
        "at": {"type": "string", "format": "date-time"},
    },
}


def _with_photos_and_history(summary: dict) -> dict:
    """A single report: the summary that lists show, plus photos and history."""
    return {
        **summary,
        "required": [*summary["required"], "photos", "history"],
        "properties": {
            **summary["properties"],
            "photos": {"type": "array", "items": {"type": "string"}},
            "history": {"type": "array", "items": HISTORY_ENTRY},
        },
    }


def openapi_document() -> dict:
    stage_values = [stage.value for stage in Stage]
    summary = {
        "type": "object",
        "required": [
            "number",
            "channel",
            "category",
            "description",
            "location",
            "kelurahan",
            "stage",
            "stage_label",
            "skpd",
            "stage_changed_at",
            "created_at",
            "returned",
        ],
        "properties": {
            "number": {"type": "string", "example": "CRM-26-000123-3"},
            "channel": {"type": "string"},
            "category": {"type": "string", "enum": list(CATEGORIES)},
            "description": {"type": "string"},
            "location": {
                "type": "object",
                "properties": {
                    "text": {"type": "string", "nullable": True},
                    "latitude": {"type": "number", "nullable": True},
                    "longitude": {"type": "number", "nullable": True},
                },
            },
            "kelurahan": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "kecamatan": {"type": "string"},
                    "kota": {"type": "string"},
                },
            },
            "stage": {"type": "string", "enum": stage_values},
            "stage_label": {"type": "string"},
            "skpd": {
                "type": "object",
                "nullable": True,
                "description": "The SKPD its last disposisi named; null before any",
                "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
            },
            "stage_changed_at": {"type": "string", "format": "date-time"},
            "created_at": {"type": "string", "format": "date-time"},
            "returned": {
                "type": "object",
                "nullable": True,
                "description": "While the report is in proses after a return: sent back "
                "from tindak_lanjut (by facilitator) or reopened from selesai (by citizen), "
                "when and why. Its follow-up rules count again from then. Null otherwise.",
                "required": ["at", "by", "reason"],
                "properties": {
                    "at": {"type": "string", "format": "date-time"},
                    "by": {"type": "string", "enum": ["facilitator", "citizen"]},
                    "reason": {"type": "string", "nullable": True},
                },
            },
            "reporter": {
                "type": "object",
                "description": "Admin tokens only",
                "properties": {
                    "name": {"type": "string", "nullable": True},
                    "phone": {"type": "string", "nullable": True},
                },
            },
        },
    }

    return {
        "openapi": "3.0.3",
        "info": {
            "title": "CRM report store API",
            "version": "1",
            "description": "Officers and other channels read and move reports of Jakarta's "
            "Cepat Respon Masyarakat. Every request carries a bearer token of "
            "one role (kelurahan, skpd, facilitator, admin, channel). The "
            "reporter's name and phone are shown to admin tokens only.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": {
            "/reports": {
                "post": {
                    "summary": "Create a report from another channel (roles channel, admin)",
                    "operationId": "createReport",
                    "parameters": [
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "description": "Any 1 to 255 visible ASCII characters, new for "
                            "each report. A retry with the same key and body within 24 hours "
                            "answers the report the first request filed (and the header "
                            "Idempotent-Replayed: true) instead of filing it again.",
                            "schema": {"type": "string", "pattern": "^[!-~]{1,255}$"},
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/NewReport"}
                            }
                        },
                    },
                    "responses": {
                        "201": {
                            **_report("The report, in stage menunggu"),
                            "headers": {
                                "Idempotent-Replayed": {
                                    "description": "true when a request with this "
                                    "Idempotency-Key filed the report before",
                                    "schema": {"type": "string", "enum": ["true"]},
                                }
                            },
                        },
                        "400": _error(
                            "The body is not a JSON object (or nests more than 16 deep), "
                            "or the Idempotency-Key is malformed"
                        ),
                        "401": UNAUTHORIZED,
                        "403": FORBIDDEN,
                        "422": _error(
                            "A field is missing or invalid, or the Idempotency-Key was "
                            "used for another body"
                        ),
                    },
                },
                "get": {
                    "summary": "List reports: those back in proses after a return first (newest "
                    "return first), then the others newest first; cursor pagination",
                    "operationId": "listReports",
                    "parameters": [
                        {
                            "name": "stage",
                            "in": "query",
                            "schema": {"type": "string", "enum": stage_values},
                        },
                        {
                            "name": "kelurahan",
                            "in": "query",
                            "description": "Name, postal code or id of a kelurahan",
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "category",
                            "in": "query",
                            "schema": {"type": "string", "enum": list(CATEGORIES)},
                        },
                        {
                            "name": "created_after",
                            "in": "query",
                            "schema": {"type": "string", "format": "date-time"},
                        },
                        {
                            "name": "created_before",
                            "in": "query",
                            "schema": {"type": "string", "format": "date-time"},
                        },
                        {
                            "name": "returned",
                            "in": "query",
                            "description": "true: only the reports back in proses after a "
                            "return (sent back by a facilitator or reopened by their citizen), "
                            "newest return first",
                            "schema": {"type": "string", "enum": ["true", "false"]},
                        },
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {
                                "type": "integer",
                                "minimum": 1,
                                "maximum": 200,
                                "default": 50,
                            },
                        },
                        {
                            "name": "cursor",
                            "in": "query",
                            "description": "next_cursor of the previous page",
                            "schema": {"type": "string"},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "One page",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/ReportPage"}
                                }
                            },
                        },
                        "401": UNAUTHORIZED,
                        "403": FORBIDDEN,
                        "422": _error("A filter is invalid"),
                    },
                },
            },
            "/reports/{number}": {
                "get": {
                    "summary": "One report with its history",
                    "operationId": "getReport",
                    "parameters": [NUMBER],
                    "responses": {
                        "200": _report("The report"),
                        "400": _error("Not a valid report number (check digit)"),
                        "401": UNAUTHORIZED,
                        "403": FORBIDDEN,
                        "404": _error("No such report, or none of the token's office"),
                    },
                },
            },
            "/reports/{number}/transitions": {
                "post": {
                    "summary": "Move a report to another stage",
                    "operationId": "moveReport",
                    "parameters": [NUMBER],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Transition"}
                            }
                        },
                    },
                    "responses": {
                        "200": _report(
                            "The report after the move; the reporter is notified. A move to"
                            " validasi closes the report: the system's move to selesai follows"
                        ),
                        "400": _error(
                            "Malformed JSON (or nested more than 16 deep) or an invalid report "
                            "number"
                        ),
                        "401": UNAUTHORIZED,
                        "403": _error(
                            "The token's role may not make this move, or the token must be "
                            "re-issued for its office (token_unbound)"
                        ),
                        "404": _error("No such report"),
                        "409": _error(
                            "The move is not allowed from the current stage; "
                            "error.allowed lists the stages it may go to"
                        ),
                        "422": _error(
                            "Unknown stage, a rejection or return without a reason, or a "
                            "disposisi whose SKPD is unknown or cannot be proposed "
                            "(error.field skpd)"
                        ),
                    },
                },
            },
            "/stats": {
                "get": {
                    "summary": "Table 1 of the paper from the store: reports and resolutions "
                    "per year or month (public, no personal data), as the worker last "
                    "computed them",
                    "operationId": "stats",
                    "security": [],
                    "parameters": [
                        {
                            "name": "by",
                            "in": "query",
                            "schema": {
                                "type": "string",
                                "enum": ["year", "month"],
                                "default": "year",
                            },
                        },
                        {
                            "name": "from",
                            "in": "query",
                            "description": "YYYY or YYYY-MM (WIB)",
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "to",
                            "in": "query",
                            "description": "YYYY or YYYY-MM, inclusive",
                            "schema": {"type": "string"},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "The figures",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Stats"}
                                }
                            },
                        },
                        "422": _error(
                            "An invalid by, from or to; per year, a window of part of a year"
                        ),
                        "429": _error("Over the client's budget of public reads (Retry-After)"),
                        "503": _error("The worker has not computed the figures yet (Retry-After)"),
                    },
                },
            },
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "operationId": "openapi",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3 document",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                },
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                                "field": {"type": "string"},
                                "allowed": {
                                    "type": "array",
                                    "items": {"type": "string", "enum": stage_values},
                                },
                                "suggestions": {"type": "array", "items": {"type": "string"}},
                            },
                        }
                    },
                },
                "NewReport": {
                    "type": "object",
                    "required": ["category", "description", "kelurahan"],
                    "properties": {
                        "channel": {
                            "type": "string",
                            "maxLength": 32,
                            "example": "JAKI",
                            "description": "A channel office's name: required of admin "
                            "tokens; a channel token files as its own office",
                        },
                        "category": {"type": "string", "enum": list(CATEGORIES)},
                        "description": {"type": "string", "minLength": 10, "maxLength": 2000},
                        "kelurahan": {
                            "oneOf": [{"type": "string"}, {"type": "integer"}],
                            "description": "Name, postal code or id",
                        },
                        "location": {
                            "type": "object",
                            "properties": {
                                "text": {"type": "string", "maxLength": 500},
                                "latitude": {"type": "number", "minimum": -90, "maximum": 90},
                                "longitude": {"type": "number", "minimum": -180, "maximum": 180},
                            },
                        },
                        "reporter": {
                            "type": "object",
                            "properties": {
                                "name": {"type": "string", "maxLength": 200},
                                "phone": {
                                    "type": "string",
                                    "description": "Any format; the reporter is then told "
                                    "of every stage by WhatsApp",
                                },
                            },
                        },
                        "public_consent": {
                            "type": "boolean",
                            "default": False,
                            "description": "The reporter agreed that the description and "
                            "place be public (Open311). Otherwise the public sees only the "
                            "stage, dates, category and kelurahan.",
                        },
                    },
                },
                "Transition": {
                    "type": "object",
                    "required": ["to"],
                    "properties": {
                        "to": {"type": "string", "enum": stage_values},
                        "note": {
                            "type": "string",
                            "description": "Required for ditolak, for returning a "
                            "follow-up (tindak_lanjut → proses) and for correcting a "
                            "rejection (ditolak → koordinasi)",
                        },
                        "skpd": {
                            "oneOf": [{"type": "string"}, {"type": "integer"}],
                            "description": "With to=disposisi only: the SKPD (office name or "
                            "id); left out, the one handling the report's category in its kota",
                        },
                    },
                },
                "Report": _with_photos_and_history(summary),
                "ReportSummary": summary,
                "Stats": {
                    "type": "object",
                    "required": [
                        "by",
                        "computed_at",
                        "periods",
                        "reports",
                        "resolved",
                        "weighted_rate",
                        "mean_of_rates",
                    ],
                    "properties": {
                        "by": {"type": "string", "enum": ["year", "month"]},
                        "computed_at": {"type": "string", "format": "date-time"},
                        "reports": {"type": "integer"},
                        "resolved": {"type": "integer"},
                        "weighted_rate": {
                            "type": "number",
                            "nullable": True,
                            "description": "Resolved over all reports, %; null without reports",
                        },
                        "mean_of_rates": {
                            "type": "number",
                            "nullable": True,
                            "description": "Mean of the periods' rates, %; null without reports",
                        },
                        "periods": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "period": {"type": "string"},
                                    "reports": {"type": "integer"},
                                    "resolved": {"type": "integer"},
                                    "resolution_rate": {"type": "number"},
                                    "mean_days": {"type": "number", "nullable": True},
                                    "median_days": {"type": "number", "nullable": True},
                                    "validations": {"type": "integer"},
                                    "validations_within_72h": {"type": "integer"},
                                    "validation_rate": {"type": "number", "nullable": True},
                                },
                            },
                        },
                    },
                },
                "ReportPage": {
                    "type": "object",
                    "required": ["items", "next_cursor"],
                    "properties": {
                        "items": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/ReportSummary"},
                        },
                        "next_cursor": {"type": "string", "nullable": True},
                    },
                },
            },
        },
    }
