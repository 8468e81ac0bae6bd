"""The read side's SQL, one module per group of views, as the event store keeps its SQL inside
its recorders: pages, routes and the rest of the read side call these functions and never hold
a query string (``tests/unit/test_architecture.py`` checks it).

Each function returns the rows as the database gives them (text, as ``projections/db.py``
stores it); turning them into facts, pages and documents is the caller's job.
"""
