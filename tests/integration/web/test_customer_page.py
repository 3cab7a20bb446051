"""The customer page: details, contact points and orders edited through the customer actions, each with its
audit event; bad input answered beside the field with nothing written; roles; the history; query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from caredesk.core.audit import Actor
from caredesk.customers import actions as customer_actions
from caredesk.customers.models import ContactPoint, Customer, CustomerType, Industry, Order
from tests.integration.helpers import customer_events_of, nothing_written

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(customer, *parts) -> str:
    return "/".join([f"/customers/{customer.pk}", *map(str, parts)]) + "/"


def details(customer, **changes) -> dict:
    """The details form as the page fills it, with `changes`."""
    data = {"name": customer.name, "customer_type": customer.customer_type_id or "",
            "importance": customer.importance, "preferred_channel": customer.preferred_channel, **changes}
    return {f"details-{key}": "" if value is None else value for key, value in data.items()}


def entry(model, key):
    return model.objects.get(key=key)


@pytest.fixture
def other_customer(customer, actor):
    return customer_actions.create_customer(actor=actor, name="Ana Ruiz", emails=["ana@example.com"])


@pytest.fixture
def other_order(other_customer, actor):
    return customer_actions.create_order(actor=actor, customer=other_customer, external_reference="TSA-9")


# --- details ----------------------------------------------------------------------------------------


def test_editing_the_details_writes_one_event_per_changed_field(signed_in, customer, agent):
    homeowner = entry(CustomerType, "homeowner")
    response = signed_in.post(url(customer, "details"), details(
        customer, name="Dana W. Whitfield", customer_type=homeowner.pk, importance="vip", preferred_channel="sms"))
    assert response.status_code == 302 and response["Location"] == url(customer) + "#customer-details"
    customer.refresh_from_db()
    assert (customer.name, customer.customer_type, customer.importance, customer.preferred_channel) == (
        "Dana W. Whitfield", homeowner, "vip", "sms")
    changes = {(e.field, str(e.before), str(e.after)) for e in customer_events_of(customer, action="customer.changed")}
    assert changes == {("name", "Dana Whitfield", "Dana W. Whitfield"),
                       ("customer_type", "None", str({"id": homeowner.pk, "name": "Homeowner"})),
                       ("importance", "standard", "vip"), ("preferred_channel", "", "sms")}
    assert all(e.actor == agent for e in customer_events_of(customer, action="customer.changed"))
    page = signed_in.get(url(customer)).content.decode()
    assert "Details saved." in page and "Dana W. Whitfield" in page and "prefers text message" in page


def test_saving_unchanged_details_writes_nothing(signed_in, customer):
    with nothing_written():
        response = signed_in.post(url(customer, "details"), details(customer), **HTMX)
    assert response.status_code == 200 and "Nothing changed." in response.content.decode()


def test_an_unchanged_retired_customer_type_is_kept_while_the_name_changes(signed_in, customer, actor):
    website = entry(CustomerType, "website_care")
    customer_actions.update_customer(customer, actor=actor, customer_type=website)
    CustomerType.objects.filter(pk=website.pk).update(active=False)  # configuration, done in the admin
    customer.refresh_from_db()
    page = signed_in.get(url(customer)).content.decode()
    assert "Website Care" in page  # still offered, as the current value
    response = signed_in.post(url(customer, "details"), details(customer, name="Dana Jones"), **HTMX)
    assert "Details saved." in response.content.decode()
    customer.refresh_from_db()
    assert customer.name == "Dana Jones" and customer.customer_type == website


def test_the_details_form_offers_only_active_customer_types(signed_in, customer):
    CustomerType.objects.filter(key="homeowner").update(active=False)
    form = signed_in.get(url(customer)).context["details_form"]
    assert [label for _, label in form.fields["customer_type"].choices] == ["No customer type", "Website Care"]


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"name": ""}, "name", "A customer needs a name."),
    ({"name": "x" * 201}, "name", "at most 200 characters"),
    ({"customer_type": 999999}, "customer_type", "retired or unknown"),
    ({"customer_type": "not-a-number"}, "customer_type", "retired or unknown"),
    ({"importance": "platinum"}, "importance", "Select a valid choice"),
    ({"preferred_channel": "fax"}, "preferred_channel", "Select a valid choice"),
])
def test_bad_details_change_nothing_and_are_answered_beside_the_field(signed_in, customer, changes, field, message):
    before = Customer.objects.values().get(pk=customer.pk)
    with nothing_written():
        response = signed_in.post(url(customer, "details"), details(customer, **changes))
    assert response.status_code == 422
    body = response.content.decode()
    assert f'id="id_details-{field}_error"' in body and message in body
    assert "<details class=\"edit-details card tight\" open>" in body
    assert Customer.objects.values().get(pk=customer.pk) == before


def test_a_retired_customer_type_chosen_anew_is_refused(signed_in, customer):
    homeowner = entry(CustomerType, "homeowner")
    CustomerType.objects.filter(pk=homeowner.pk).update(active=False)
    with nothing_written():
        response = signed_in.post(url(customer, "details"), details(customer, customer_type=homeowner.pk), **HTMX)
    body = response.content.decode()
    assert 'id="id_details-customer_type_error"' in body and "retired" in body
    assert 'id="customer-details"' in body and "<html" not in body


def test_the_htmx_answer_is_the_section_and_refreshes_the_history(signed_in, customer):
    response = signed_in.post(url(customer, "details"), details(customer, importance="key"), **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and response["HX-Trigger"] == "customerChanged"
    assert body.lstrip().startswith('<div id="customer-details"') and "KEY" in body
    history = signed_in.get(url(customer, "history")).content.decode()
    assert "changed the importance from <em>Standard</em> to <em>Key</em>" in history


# --- contact points ---------------------------------------------------------------------------------


def test_removing_a_contact_point(signed_in, customer, agent):
    phone = customer.contact_points.get(kind="phone")
    response = signed_in.post(url(customer, "contact-points", phone.pk, "remove"))
    assert response.status_code == 302 and response["Location"].endswith("#customer-contacts")
    assert list(customer.contact_points.values_list("value", flat=True)) == ["dana@example.com"]
    [event] = customer_events_of(customer, action="contact_point.removed")
    assert (event.field, event.before, event.actor) == ("phone", "+14155550132", agent)
    page = signed_in.get(url(customer)).content.decode()
    assert "Removed +1 415-555-0132." in page and "removed the phone" in page and "+1 415-555-0132" in page


def test_removing_a_contact_point_over_htmx_answers_the_list(signed_in, customer):
    email = customer.contact_points.get(kind="email")
    response = signed_in.post(url(customer, "contact-points", email.pk, "remove"), **HTMX)
    body = response.content.decode()
    assert response["HX-Trigger"] == "customerChanged" and body.lstrip().startswith('<section id="customer-contacts"')
    assert "Removed dana@example.com." in body and 'href="mailto:dana@example.com"' not in body


def test_the_remove_button_asks_first_and_carries_the_csrf_token(signed_in, customer):
    body = signed_in.get(url(customer)).content.decode()
    assert 'hx-confirm="Remove dana@example.com from Dana Whitfield?"' in body
    assert 'aria-label="Remove dana@example.com"' in body
    assert body.count('name="csrfmiddlewaretoken"') >= 5


def test_another_customers_contact_point_cannot_be_removed_here(signed_in, customer, other_customer):
    point = other_customer.contact_points.get()
    with nothing_written():
        assert signed_in.post(url(customer, "contact-points", point.pk, "remove")).status_code == 404


def test_adding_a_contact_point_over_htmx(signed_in, customer):
    response = signed_in.post(url(customer, "contact-points"), {"email": "Dana.W@Example.com"}, **HTMX)
    assert "Contact point added." in response.content.decode()
    assert customer.contact_points.filter(value="dana.w@example.com").exists()
    assert customer_events_of(customer, action="contact_point.added", after="dana.w@example.com")


def test_a_contact_point_of_another_customer_is_refused_beside_the_field(signed_in, customer, other_customer):
    with nothing_written():
        response = signed_in.post(url(customer, "contact-points"), {"email": "ana@example.com"})
    body = response.content.decode()
    assert response.status_code == 422 and 'id="id_email_error"' in body and "already belongs to customer" in body


# --- orders -----------------------------------------------------------------------------------------


def test_adding_an_order(signed_in, customer, agent):
    ein = entry(Industry, "ein")
    response = signed_in.post(url(customer, "orders"), {
        "new-order-external_reference": " EIN-2002 ", "new-order-industry": ein.pk, "new-order-status": "New"})
    assert response.status_code == 302 and response["Location"].endswith("#customer-orders")
    order = Order.objects.get(external_reference="EIN-2002")
    assert (order.customer, order.industry, order.status) == (customer, ein, "New")
    [event] = customer_events_of(customer, action="order.created")
    assert event.order == order and event.actor == agent
    page = signed_in.get(url(customer)).content.decode()
    assert "Order EIN-2002 added." in page and "added the order EIN-2002" in page
    assert "added the order EIN-2002 (EIN, New)" in page


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"new-order-external_reference": ""}, "external_reference", "An order needs its external reference."),
    ({"new-order-external_reference": "PP-1001"}, "external_reference", "Order PP-1001 already exists."),
    ({"new-order-external_reference": "x" * 101}, "external_reference", "at most 100 characters"),
    ({"new-order-external_reference": "N-1", "new-order-status": "s" * 101}, "status", "at most 100 characters"),
    ({"new-order-external_reference": "N-1", "new-order-industry": "retired"}, "industry", "retired or unknown"),
])
def test_bad_new_orders_change_nothing_and_are_answered_beside_the_field(signed_in, customer, order, data, field,
                                                                         message):
    if data.get("new-order-industry") == "retired":
        Industry.objects.filter(key="nexus").update(active=False)  # configuration, done in the admin
        data = {**data, "new-order-industry": entry(Industry, "nexus").pk}
    with nothing_written():
        response = signed_in.post(url(customer, "orders"), data)
    body = response.content.decode()
    assert response.status_code == 422, body[:300]
    assert f'id="id_new-order-{field}_error"' in body and message in body


def test_a_duplicate_reference_over_htmx_answers_the_orders_section(signed_in, customer, order):
    with nothing_written():
        response = signed_in.post(url(customer, "orders"), {"new-order-external_reference": "PP-1001"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and "HX-Trigger" not in response
    assert body.lstrip().startswith('<section id="customer-orders"') and "Order PP-1001 already exists." in body


def test_changing_an_orders_status_and_industry(signed_in, customer, order, agent):
    ein = entry(Industry, "ein")
    response = signed_in.post(url(customer, "orders", order.pk),
                              {f"order-{order.pk}-industry": ein.pk, f"order-{order.pk}-status": "Shipped"}, **HTMX)
    assert response.status_code == 200 and response["HX-Trigger"] == "customerChanged"
    assert "Order PP-1001 saved." in response.content.decode()
    order.refresh_from_db()
    assert (order.industry, order.status) == (ein, "Shipped")
    changes = {(e.field, str(e.before), str(e.after)) for e in customer_events_of(customer, action="order.changed")}
    assert changes == {("status", "Processing", "Shipped"),
                       ("industry", str({"id": entry(Industry, "us_passport").pk, "name": "US Passport"}),
                        str({"id": ein.pk, "name": "EIN"}))}
    history = signed_in.get(url(customer, "history")).content.decode()
    assert "changed the status of order PP-1001 from <em>Processing</em> to <em>Shipped</em>" in history


def test_an_order_with_a_retired_industry_keeps_it_while_its_status_changes(signed_in, customer, order):
    Industry.objects.filter(pk=order.industry_id).update(active=False)
    response = signed_in.post(url(customer, "orders", order.pk), {
        f"order-{order.pk}-industry": order.industry_id, f"order-{order.pk}-status": "Refunded"}, **HTMX)
    assert "Order PP-1001 saved." in response.content.decode()
    order.refresh_from_db()
    assert order.status == "Refunded" and order.industry.key == "us_passport"
    assert [e.field for e in customer_events_of(customer, action="order.changed")] == ["status"]


@pytest.mark.parametrize(("industry", "status", "field", "message"), [
    ("retired", "Processing", "industry", "retired or unknown"),
    ("", "s" * 101, "status", "at most 100 characters"),
])
def test_bad_order_changes_change_nothing(signed_in, customer, order, industry, status, field, message):
    if industry == "retired":
        Industry.objects.filter(key="nexus").update(active=False)
        industry = entry(Industry, "nexus").pk
    before = Order.objects.values().get(pk=order.pk)
    with nothing_written():
        response = signed_in.post(url(customer, "orders", order.pk),
                                  {f"order-{order.pk}-industry": industry, f"order-{order.pk}-status": status})
    body = response.content.decode()
    assert response.status_code == 422 and f'id="id_order-{order.pk}-{field}_error"' in body and message in body
    assert Order.objects.values().get(pk=order.pk) == before


def test_another_customers_order_cannot_be_changed_here(signed_in, customer, other_order):
    with nothing_written():
        response = signed_in.post(url(customer, "orders", other_order.pk),
                                  {f"order-{other_order.pk}-status": "Cancelled"})
    assert response.status_code == 404
    other_order.refresh_from_db()
    assert other_order.status == ""


# --- CSRF, roles ------------------------------------------------------------------------------------


@pytest.fixture
def csrf_client(agent):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    return client


def posts(customer, order) -> list[tuple[str, dict]]:
    point = customer.contact_points.first()
    return [
        (url(customer, "details"), details(customer, name="Someone Else")),
        (url(customer, "contact-points"), {"email": "new@example.com"}),
        (url(customer, "contact-points", point.pk, "remove"), {}),
        (url(customer, "orders"), {"new-order-external_reference": "NEW-1"}),
        (url(customer, "orders", order.pk), {f"order-{order.pk}-status": "Cancelled"}),
    ]


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(csrf_client, customer, order):
    for path, data in posts(customer, order):
        with nothing_written():
            response = csrf_client.post(path, data)
        assert response.status_code == 403, path
        assert b"CSRF" in response.content, path
    customer.refresh_from_db()
    assert customer.name == "Dana Whitfield"


def test_an_agent_without_manage_customers_gets_403_on_every_post_and_sees_no_forms(client, back_office, customer,
                                                                                   order):
    client.force_login(back_office)
    for path, data in posts(customer, order):
        with nothing_written():
            assert client.post(path, data).status_code == 403, path
    page = client.get(url(customer))
    body = page.content.decode()
    assert page.status_code == 200 and "<form" in body  # the sign-out and search forms only
    assert 'method="post" action="/customers/' not in body and "Edit details" not in body
    assert "hx-confirm" not in body and "Add order" not in body
    assert "PP-1001" in body and "Processing" in body and "dana@example.com" in body  # read-only


def test_only_posts_change_the_record(signed_in, customer, order):
    for path, _ in posts(customer, order):
        assert signed_in.get(path).status_code == 405, path


# --- history ----------------------------------------------------------------------------------------


def test_the_history_is_newest_first_and_capped(signed_in, customer, actor):
    for index in range(55):
        customer_actions.update_customer(customer, actor=actor, name=f"Dana {index}")
    context = signed_in.get(url(customer)).context
    history = context["history"]
    assert len(history) == 50 and context["more_history"]
    assert history[0].what == "changed the name from <em>Dana 53</em> to <em>Dana 54</em>"
    assert history[0].who == "Maria Lopez"
    assert "Showing the newest 50 changes." in signed_in.get(url(customer)).content.decode()


def test_the_history_names_who_changed_what(signed_in, customer, order, make_agent):
    lead = make_agent("lee", "Resolution Lead", first_name="Lee", last_name="Park")
    customer_actions.update_order(order, actor=Actor.of_agent(lead), status="Shipped")
    customer_actions.update_customer(customer, actor=Actor.system("import"), preferred_channel="email")
    rows = signed_in.get(url(customer, "history")).context["history"]
    assert [(r.who, r.what) for r in rows[:2]] == [
        ("import", "changed the preferred channel from <em>none</em> to <em>Email</em>"),
        ("Lee Park", "changed the status of order PP-1001 from <em>Processing</em> to <em>Shipped</em>"),
    ]
    assert rows[-1].what.startswith("created the customer “Dana Whitfield”")


# --- queries ----------------------------------------------------------------------------------------


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_customer_page_runs_a_fixed_number_of_queries(signed_in, customer, other_customer, actor):
    few = _queries(signed_in, url(other_customer))
    industries = list(Industry.objects.all())
    for index in range(12):
        customer_actions.create_order(actor=actor, customer=customer, external_reference=f"O-{index}",
                                      industry=industries[index % len(industries)], status="New")
    Industry.objects.filter(pk=industries[0].pk).update(active=False)  # a retired industry still on orders
    for index in range(30):
        customer_actions.update_customer(customer, actor=actor, importance=["key", "vip"][index % 2])
    customer_actions.add_contact_points(customer, actor=actor, emails=["d2@example.com", "d3@example.com"])
    many = _queries(signed_in, url(customer))
    assert many == few
    assert many <= 15


def test_the_read_only_page_runs_no_more_queries(client, back_office, customer, order):
    client.force_login(back_office)
    assert _queries(client, url(customer)) <= 12
