"""The desk's URLs (namespace ``desk``), included at ``/desk/`` by ``comptoir.urls``."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from .views import (
    assignment,
    auth,
    bulk,
    channels,
    customers,
    inbound,
    incidents,
    knowledge,
    live,
    macros,
    me,
    notifications,
    outbox,
    problems,
    quality,
    quality_thresholds,
    questions,
    queue,
    search,
    suggestions,
    ticket_articles,
    tickets,
    triage,
    voc,
    voice,
    worklists,
)

app_name = "desk"

urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", queue.queue, name="queue"),
    path("tickets/<str:reference>/", tickets.ticket_detail, name="ticket"),
    path("tickets/<str:reference>/messages/", tickets.ticket_message, name="ticket_message"),
    path("tickets/<str:reference>/change/", tickets.ticket_change, name="ticket_change"),
    path("tickets/<str:reference>/reviewed/", tickets.ticket_reviewed, name="ticket_reviewed"),
    path("tickets/<str:reference>/article/", ticket_articles.ticket_to_article, name="ticket_article"),
    path("next/", queue.next_ticket, name="next_ticket"),
    path("views/save/", worklists.saved_view_save, name="saved_view_save"),
    path("views/<str:view_id>/delete/", worklists.saved_view_remove, name="saved_view_delete"),
    path("autocomplete/agents/", worklists.agent_autocomplete, name="agent_autocomplete"),
    path("autocomplete/customers/", worklists.customer_autocomplete, name="customer_autocomplete"),
    path("triage/", triage.triage, name="triage"),
    path("high-effort/", voice.high_effort, name="high_effort"),
    path("bulk/", bulk.bulk, name="bulk"),
    path("bulk/<int:bulk_id>/undo/", bulk.bulk_undo_view, name="bulk_undo"),
    path("tickets/<str:reference>/merge/", bulk.ticket_merge_view, name="ticket_merge"),
    path("tickets/<str:reference>/merges/<int:merge_id>/undo/", bulk.merge_undo_view, name="merge_undo"),
    path(
        "tickets/<str:reference>/messages/<int:message_id>/split/",
        bulk.ticket_split_view,
        name="message_split",
    ),
    path("tickets/<str:reference>/snooze/", bulk.ticket_snooze_view, name="ticket_snooze"),
    path("tickets/<str:reference>/wake/", bulk.ticket_wake_view, name="ticket_wake"),
    path("categories/", triage.categories, name="categories"),
    path("tickets/<str:reference>/pick/", assignment.ticket_pick, name="ticket_pick"),
    path("tickets/<str:reference>/skip/", assignment.ticket_skip, name="ticket_skip"),
    path("tickets/<str:reference>/escalate/", assignment.ticket_escalate, name="ticket_escalate"),
    path("tickets/<str:reference>/deescalate/", assignment.ticket_deescalate, name="ticket_deescalate"),
    path(
        "tickets/<str:reference>/messages/<int:message_id>/approve/",
        tickets.message_approve,
        name="message_approve",
    ),
    path(
        "tickets/<str:reference>/messages/<int:message_id>/review/",
        tickets.message_review_view,
        name="message_review",
    ),
    path("files/<int:attachment_id>/", tickets.attachment, name="attachment"),
    path("outbox/", outbox.outbox, name="outbox"),
    path("customers/<int:customer_id>/", customers.customer_detail, name="customer"),
    path("customers/<int:customer_id>/merge/", customers.customer_merge_view, name="customer_merge"),
    path(
        "customers/<int:customer_id>/merges/<int:merge_id>/undo/",
        customers.customer_unmerge_view,
        name="customer_unmerge",
    ),
    path("customers/<int:customer_id>/consent/", customers.customer_consent_view, name="customer_consent"),
    path("customers/<int:customer_id>/coverage/", incidents.customer_coverage, name="customer_coverage"),
    path("calls/new/", channels.call_new, name="call_new"),
    path("inbound/", inbound.inbound_failures, name="inbound"),
    path("search/", search.search_view, name="search"),
    # Reply tools (issue 10): macros, the agent's own settings.
    path("macros/", macros.macros, name="macros"),
    path("macros/<int:macro_id>/", macros.macro_edit, name="macro_edit"),
    path("macros/<int:macro_id>/delete/", macros.macro_delete_view, name="macro_delete"),
    path("tickets/<str:reference>/macro/", macros.ticket_macro_insert, name="ticket_macro"),
    path("tickets/<str:reference>/questions/", questions.ticket_questions, name="ticket_questions"),
    path("tickets/<str:reference>/suggestions/", suggestions.suggestions_card, name="ticket_suggestions"),
    path("me/", me.me, name="me"),
    path("me/signature/", me.me_signature, name="me_signature"),
    path("me/language/", me.me_language, name="me_language"),
    # Being told (issue 10): notifications, their settings, approvals, live pages and presence.
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read/", notifications.notifications_read, name="notifications_read"),
    path(
        "notifications/<int:notification_id>/read/", notifications.notification_open, name="notification_read"
    ),
    path("me/notifications/", notifications.notification_settings, name="notification_settings"),
    path("approvals/", notifications.approvals, name="approvals"),
    path("live/", live.desk_live, name="live"),
    path("tickets/<str:reference>/live/", live.ticket_live, name="ticket_live"),
    # Knowledge base (issue 11).
    path("kb/", knowledge.kb_list, name="kb"),
    path("kb/new/", knowledge.kb_new, name="kb_new"),
    path("kb/<int:article_id>/", knowledge.kb_article, name="kb_article"),
    path("kb/<int:article_id>/edit/", knowledge.kb_edit, name="kb_edit"),
    # Voice of the customer (issue 12).
    path("voc/", voc.voc_log, name="voc"),
    path("voc/customers/", voc.voc_customer_options, name="voc_customers"),
    # The quality dashboard (issue 12, item 6).
    path("quality/", quality.quality, name="quality"),
    path("quality/tickets/", quality.quality_tickets, name="quality_tickets"),
    # Quality thresholds and corrective actions (issue 12, item 7).
    path("quality/thresholds/", quality_thresholds.thresholds, name="quality_thresholds"),
    path("quality/thresholds/new/", quality_thresholds.threshold_new, name="quality_threshold_new"),
    path(
        "quality/thresholds/<int:threshold_id>/", quality_thresholds.threshold_edit, name="quality_threshold"
    ),
    path(
        "quality/thresholds/<int:threshold_id>/deactivate/",
        quality_thresholds.threshold_deactivate,
        name="quality_threshold_deactivate",
    ),
    path("quality/actions/", quality_thresholds.actions, name="quality_actions"),
    path("quality/actions/<int:action_id>/", quality_thresholds.action_detail, name="quality_action"),
    # Major incidents (issue 13).
    path("incidents/", incidents.incidents, name="incidents"),
    path("incidents/new/", incidents.incident_new, name="incident_new"),
    path("incidents/<int:incident_id>/", incidents.incident_detail, name="incident"),
    path("incidents/<int:incident_id>/edit/", incidents.incident_edit, name="incident_edit"),
    path("incidents/<int:incident_id>/tickets/", incidents.incident_link, name="incident_link"),
    path("incidents/<int:incident_id>/updates/", incidents.incident_publish, name="incident_publish"),
    # Problems, proposals from detection, coaching (issue 13, items 4 to 6).
    path("problems/", problems.problems, name="problems"),
    path("problems/new/", problems.problem_new, name="problem_new"),
    path("problems/<int:problem_id>/", problems.problem_detail, name="problem"),
    path("problems/<int:problem_id>/links/", problems.problem_link_view, name="problem_link"),
    path("problems/<int:problem_id>/publish/", problems.problem_publish_view, name="problem_publish"),
    path("problems/proposals/", problems.proposals, name="problem_proposals"),
    path("problems/proposals/<int:proposal_id>/", problems.proposal_decide, name="problem_proposal_decide"),
    path("problems/coaching/", problems.coaching, name="problem_coaching"),
    path(
        "problems/coaching/<int:suggestion_id>/",
        problems.coaching_decide_view,
        name="problem_coaching_decide",
    ),
]
