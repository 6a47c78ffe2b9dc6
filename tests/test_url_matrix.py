"""Every URL of the project has an entry in a permission matrix (the admin site aside).

Each matrix module declares ``COVERED``, the full names of the URLs it asks about, and checks
that constant against what its world requests. This test joins them: a URL added without an
entry in some matrix fails here, and so does an entry for a URL that no longer exists. A new
matrix module is added to ``MATRICES`` by hand.
"""

from __future__ import annotations

from cases.hotline.tests import test_permissions as hotline_matrix
from cases.tests import test_permissions as cases_matrix
from pengjiang_enforcement.tests import test_url_matrix_core as core_matrix
from powers.tests import test_permissions as powers_matrix

from .matrix import project_url_names

MATRICES = [cases_matrix, hotline_matrix, powers_matrix, core_matrix]


def test_every_url_of_the_project_has_a_permission_matrix_entry():
    covered = frozenset().union(*(module.COVERED for module in MATRICES))
    names = project_url_names()
    missing = sorted(names - covered)
    gone = sorted(covered - names)
    assert not missing and not gone, (
        f"URLs with no entry in any permission matrix: {missing}; matrix entries for URLs that no longer exist: {gone}"
    )
