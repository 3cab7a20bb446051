from django.urls import path

from caredesk.web.views import (auth, composer, customer, escalation, follow_up, home, new_ticket, queues, reports,
                                 search, ticket)

app_name = "web"

urlpatterns = [
    path("login/", auth.sign_in, name="login"),
    path("logout/", auth.sign_out, name="logout"),
    path("", home.home, name="home"),
    path("views/", queues.views_page, name="views"),
    path("views/save/", queues.save_view, name="save-view"),
    path("views/<int:pk>/delete/", queues.delete_view, name="delete-view"),
    path("tickets/new/", new_ticket.new_ticket, name="new-ticket"),
    path("tickets/new/customers/", new_ticket.customer_lookup, name="customer-lookup"),
    path("tickets/<int:pk>/", ticket.ticket_page, name="ticket"),
    path("tickets/<int:pk>/head/", ticket.ticket_head, name="ticket-head"),
    path("tickets/<int:pk>/timeline/", ticket.ticket_timeline, name="ticket-timeline"),
    path("tickets/<int:pk>/properties/", ticket.ticket_properties, name="ticket-properties"),
    path("tickets/<int:pk>/properties/<str:name>/", ticket.edit_property, name="edit-property"),
    path("tickets/<int:pk>/compose/<str:tab>/", composer.compose, name="compose"),
    path("tickets/<int:pk>/documents/", ticket.add_documents, name="add-documents"),
    path("tickets/<int:pk>/documents/<int:attachment_id>/", ticket.download_attachment, name="attachment"),
    path("tickets/<int:pk>/follow-up/", follow_up.follow_up_panel, name="follow-up"),
    path("tickets/<int:pk>/follow-up/tasks/<int:task_id>/complete/", follow_up.complete_task, name="complete-task"),
    path("tickets/<int:pk>/follow-up/runs/<int:run_id>/stop/", follow_up.stop_follow_up, name="stop-follow-up"),
    path("tickets/<int:pk>/flags/", follow_up.ticket_flags, name="ticket-flags"),
    path("tickets/<int:pk>/flags/<slug:flag>/clear/", follow_up.clear_flag, name="clear-flag"),
    path("tickets/<int:pk>/escalation/", escalation.escalation_panel, name="escalation"),
    path("tickets/<int:pk>/escalation/<str:step>/", escalation.escalation_step, name="escalation-step"),
    path("escalations/mine/", escalation.my_escalations, name="my-escalations"),
    path("presence/", escalation.set_presence, name="presence"),
    path("customers/<int:pk>/", customer.customer_page, name="customer"),
    path("customers/<int:pk>/details/", customer.edit_details, name="edit-customer"),
    path("customers/<int:pk>/history/", customer.customer_history, name="customer-history"),
    path("customers/<int:pk>/contact-points/", customer.add_contact, name="add-contact"),
    path("customers/<int:pk>/contact-points/<int:point_id>/remove/", customer.remove_contact,
         name="remove-contact"),
    path("customers/<int:pk>/orders/", customer.add_order, name="add-order"),
    path("customers/<int:pk>/orders/<int:order_id>/", customer.edit_order, name="edit-order"),
    path("search/", search.search, name="search"),
    path("reports/compliance/", reports.compliance, name="compliance"),
]
