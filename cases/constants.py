"""What the law fixes is code; what it leaves open is data (see ``cases.models.config``).

Each constant names the article that fixes it. Periods of 2, 3, 5 and 7 days are working days
(APL Art. 85); longer periods are calendar days.
"""

from __future__ import annotations

# APL Art. 42: 执法人员不得少于两人.
MIN_HANDLING_OFFICERS = 2
# APL Art. 60: decide within 90 days of filing (立案之日起九十日内).
DECISION_CALENDAR_DAYS = 90
# APL Art. 56: decide on preserved evidence within 7 days (working days, Art. 85).
PRESERVATION_WORKING_DAYS = 7
# APL Art. 36: two years, five where life, health or financial safety was harmed.
LIMITATION_YEARS = 2
LIMITATION_YEARS_SERIOUS = 5
# APL Art. 51: on-the-spot fines up to 200 yuan for a person, 3,000 for an organisation.
ON_SPOT_FINE_LIMIT_PERSON = 200
ON_SPOT_FINE_LIMIT_ORGANISATION = 3000
# APL Art. 68: fines up to 100 yuan may be collected on the spot.
ON_SPOT_COLLECTION_LIMIT = 100
# APL Art. 67: pay within 15 days of receiving the decision (calendar days).
PAYMENT_CALENDAR_DAYS = 15
# APL Art. 71: cash collected on the spot reaches the office within 2 days (working days, Art. 85).
CASH_HANDOVER_WORKING_DAYS = 2

# Defaults of the data the law leaves open, used until an admin records other values.
DEFAULT_CHECK_WORKING_DAYS = 15  # sector rules: 核查 within 15 working days of discovery
DEFAULT_DUE_SOON_DAYS = 5  # a deadline this many calendar days away is flagged "due soon"

# Uploads: the evidence of a township case is photos, scans, short videos and recordings.
DEFAULT_UPLOAD_MAX_BYTES = 50 * 1024 * 1024

# A correction deadline this many days past the decision deadline is called out to the officer
# (a warning, not a refusal: the case is decided long before it is known whether the act stops).
CORRECTION_PAST_DECISION_DAYS = 30

# Long texts have limits a real record stays well within: a pasted document or a runaway input is
# refused with the limit and the length found.
LONG_TEXT_CHARS = 10000  # facts, findings, the report's findings and evidence list
NOTE_TEXT_CHARS = 3000  # what must be corrected, reasons, notes, proposals
