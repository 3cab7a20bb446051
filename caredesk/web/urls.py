from django.urls import path

from caredesk.web.views import auth, composer, customer, home, new_ticket, queues, search, ticket

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
    path("customers/<int:pk>/", customer.customer_page, name="customer"),
    path("customers/<int:pk>/contact-points/", customer.add_contact, name="add-contact"),
    path("search/", search.search, name="search"),
]
