"""What each step of a 12345 work order, import and feed source is called (timeline and audit).

A work order's events (``cases.HotlineEvent``) store the code without ``cases.workorder.``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from pengjiang_enforcement import actions

actions.register(
    {
        # a work order's life
        "cases.workorder.accepted": _("Accepted"),
        "cases.workorder.interim_replied": _("Interim reply"),
        "cases.workorder.replied": _("Final reply"),
        "cases.workorder.extension_requested": _("Extension requested"),
        "cases.workorder.extension_approved": _("Extension approved"),
        "cases.workorder.extension_refused": _("Extension refused"),
        "cases.workorder.return_requested": _("Return requested"),
        "cases.workorder.return_approved": _("Return approved: order returned"),
        "cases.workorder.return_refused": _("Return refused"),
        "cases.workorder.reopened": _("Reopened"),
        "cases.workorder.routed": _("Routed to a township"),
        "cases.workorder.unrouted": _("Sent back to triage"),
        "cases.workorder.returned_from_triage": _("Returned from triage"),
        "cases.workorder.converted": _("Turned into a lead"),
        "cases.workorder.linked_to_lead": _("Linked to a lead"),
        "cases.workorder.item_chosen": _("Catalogue item chosen"),
        "cases.workorder.replies_exported": _("12345 reply file exported"),
        "cases.workorder.phone_revealed": _("Citizen's phone number shown"),
        # imports and the live feed
        "cases.workorder.import_uploaded": _("12345 file uploaded"),
        "cases.workorder.import_read": _("12345 file read, preview ready"),
        "cases.workorder.import_confirmed": _("12345 import confirmed"),
        "cases.workorder.import_discarded": _("12345 preview discarded"),
        "cases.workorder.import_resumed": _("12345 import resumed"),
        "cases.workorder.import_failed": _("12345 import failed"),
        "cases.workorder.imported": _("12345 import done"),
        "cases.workorder.created_by_import": _("Created by a 12345 import"),
        "cases.workorder.updated_by_import": _("Changed by a 12345 import"),
        "cases.workorder.feed_received": _("12345 feed delivery received"),
        "cases.workorder.feed_refused": _("12345 feed delivery refused"),
        "cases.hotlinesource.created": _("Feed source created"),
        "cases.hotlinesource.rotated": _("Feed token renewed"),
        "cases.hotlinesource.activated": _("Feed source switched on"),
        "cases.hotlinesource.deactivated": _("Feed source switched off"),
        # routing data
        "cases.gazetteerentry.created": _("Place name added"),
        "cases.gazetteerentry.changed": _("Place name changed"),
    }
)
