"""What every catalogue model shares: the catalogue is public within the portal."""

from __future__ import annotations

from pengjiang_enforcement.permissions import ALL_ROWS, ScopedModel


class CatalogueModel(ScopedModel):
    """Catalogue rows are not township data: whoever holds the model permission sees them all.

    Reading needs ``view_<model>`` (every signed-in role has it); changing needs the change
    permission, which only district admins hold.
    """

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, user, action):
        return ALL_ROWS
