"""Agent workspace views, one module per page: home, queues, ticket, composer, new_ticket, customer, search."""
