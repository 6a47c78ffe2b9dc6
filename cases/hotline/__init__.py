"""The 12345 hotline (粤省心) work orders: a small app of its own inside ``cases``.

It keeps the app label ``cases`` and its tables (``cases_hotline*``), so its migrations live in
``cases/migrations``; everything else of the hotline is here:

=================  ===========================================================================
``models``         import jobs, raw rows, work orders, replies, requests, events, the gazetteer
``choices``        states, types, import statuses
``workflow``       the work order's transition table
``services``       what people do with an order (accept, reply, ask, decide, route, convert)
``importing``      the import job: upload, read into raw rows, preview, confirm, apply
``rows``           one row of an export → an order's values, or its errors (pure functions)
``parsing``        the columns of the exports and the cleaning of numbers, phones, bodies
``xlsx``           the streaming XLSX reader used for large exports
``feed``           the live feed (a token-authenticated JSON endpoint)
``routing``        which township an order goes to (handling unit, then the gazetteer)
``deadlines``      the hotline's own reply deadline
``selectors``      the queues, the triage queue, an order's links, item suggestions
``export``         the reply file for the hotline platform
``forms``, ``views/``, ``urls``, ``templatetags``   the pages (templates in templates/cases/hotline/)
``panels``, ``roles``, ``admin``, ``tasks``, ``startup``   wiring into the portal
``demo``, ``tests/``   demo data and the tests
=================  ===========================================================================

The rest of ``cases`` uses from here only what a lead needs (an order feeds a lead); the hotline
uses the cases app's lead registration to turn an order into a lead.
"""
