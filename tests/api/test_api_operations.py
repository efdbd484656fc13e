"""Issue 9, item 10: splitting the API by context kept every operation and its id.

Generated clients name their methods after the operation ids; the split must not rename them.
"""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.fault("issue9-10")]

OPERATIONS = {
    ("get", "/api/v1/customers/{customer_id}", "comptoir_api_views_customer_detail", "customers"),
    ("get", "/api/v1/customers/{customer_id}/timeline", "comptoir_api_channels_timeline", "customers"),
    ("post", "/api/v1/inbound/email", "comptoir_api_inbound_inbound_email", "inbound"),
    ("post", "/api/v1/inbound/sms", "comptoir_api_channels_inbound_sms", "inbound"),
    ("post", "/api/v1/queue/next", "comptoir_api_work_queue_next", "assignment"),
    ("get", "/api/v1/stats/assignment", "comptoir_api_work_stats", "assignment"),
    ("get", "/api/v1/stats/outbox", "comptoir_api_outbox_outbox_stats", "outbox"),
    ("get", "/api/v1/tickets", "comptoir_api_views_ticket_list", "tickets"),
    ("post", "/api/v1/tickets", "comptoir_api_views_ticket_create", "tickets"),
    ("get", "/api/v1/tickets/{reference}", "comptoir_api_views_ticket_detail", "tickets"),
    ("patch", "/api/v1/tickets/{reference}", "comptoir_api_views_ticket_patch", "tickets"),
    ("post", "/api/v1/tickets/{reference}/calls", "comptoir_api_channels_call_create", "channels"),
    ("post", "/api/v1/tickets/{reference}/deescalate", "comptoir_api_work_ticket_deescalate", "assignment"),
    ("post", "/api/v1/tickets/{reference}/escalate", "comptoir_api_work_ticket_escalate", "assignment"),
    ("get", "/api/v1/tickets/{reference}/history", "comptoir_api_views_ticket_history", "tickets"),
    ("post", "/api/v1/tickets/{reference}/messages", "comptoir_api_views_message_create", "tickets"),
    (
        "post",
        "/api/v1/tickets/{reference}/messages/{message_id}/approve",
        "comptoir_api_work_message_approve",
        "tickets",
    ),
    ("post", "/api/v1/tickets/{reference}/pick", "comptoir_api_work_ticket_pick", "assignment"),
    ("post", "/api/v1/tickets/{reference}/skip", "comptoir_api_work_ticket_skip", "assignment"),
    ("get", "/api/v1/triage/queue", "comptoir_api_work_triage_list", "triage"),
}


def test_every_operation_is_published_under_its_id_and_its_context():
    doc = Client().get("/api/v1/openapi.json").json()
    published = {
        (method, path, op["operationId"], *op["tags"])
        for path, item in doc["paths"].items()
        for method, op in item.items()
    }
    # New operations may come; none of these may go or be renamed.
    assert OPERATIONS - published == set()
