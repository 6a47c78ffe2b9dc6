"""The permission chokepoint: unit scope plus django-guardian object grants."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm

from pengjiang_enforcement.choices import Role
from pengjiang_enforcement.models import Unit, User
from pengjiang_enforcement.permissions import user_scope
from tests.factories import UserFactory, unit

pytestmark = pytest.mark.django_db


def test_duruan_officer_sees_only_duruan_units(duruan_officer):
    visible = set(Unit.objects.restrict(duruan_officer, "view").values_list("code", flat=True))
    assert visible == {"duruan", "duruan-office", "duruan-judicial"}


def test_district_admin_sees_every_unit(district_admin):
    assert Unit.objects.restrict(district_admin, "view").count() == Unit.objects.count()


def test_officer_cannot_change_units_even_in_own_township(duruan_officer):
    assert not Unit.objects.restrict(duruan_officer, "change").exists()


def test_district_admin_can_change_units(district_admin):
    assert Unit.objects.restrict(district_admin, "change").filter(code="baisha").exists()


def test_anonymous_and_inactive_users_see_nothing(duruan_officer):
    from django.contrib.auth.models import AnonymousUser

    assert not Unit.objects.restrict(AnonymousUser(), "view").exists()
    duruan_officer.is_active = False
    assert not Unit.objects.restrict(duruan_officer, "view").exists()


def test_social_supervisor_sees_no_units_or_people(social_supervisor):
    assert user_scope(social_supervisor).nothing
    assert not Unit.objects.restrict(social_supervisor, "view").exists()
    assert not User.objects.restrict(social_supervisor, "view").exists()


def test_people_are_scoped_to_the_township(duruan_officer, duruan_colleague, baisha_officer, duruan_supervisor):
    visible = set(User.objects.restrict(duruan_officer, "view").values_list("username", flat=True))
    assert {"dr_alice", "dr_bob", "dr_judicial"} <= visible
    assert "bs_charlie" not in visible
    # the judicial office of 杜阮 sees the people of 杜阮, not of 白沙
    supervised = set(User.objects.restrict(duruan_supervisor, "view").values_list("username", flat=True))
    assert "dr_alice" in supervised and "bs_charlie" not in supervised


def test_department_liaison_sees_only_own_department_unit(department_liaison):
    assert set(Unit.objects.restrict(department_liaison, "view").values_list("code", flat=True)) == {"dept-urban"}


def test_guardian_object_grant_opens_one_row(duruan_officer):
    baisha = unit("baisha")
    assert not Unit.objects.restrict(duruan_officer, "view").filter(pk=baisha.pk).exists()
    assign_perm("core.view_unit", duruan_officer, baisha)
    visible = Unit.objects.restrict(duruan_officer, "view")
    assert visible.filter(pk=baisha.pk).exists()
    assert not visible.filter(code="baisha-office").exists()


def test_group_object_grant_counts_too(baisha_officer):
    from django.contrib.auth.models import Group

    duruan = unit("duruan")
    assign_perm("core.change_unit", Group.objects.get(name=Role.OFFICER), duruan)
    assert Unit.objects.restrict(baisha_officer, "change").filter(pk=duruan.pk).exists()


def test_object_grant_works_without_the_model_permission(social_supervisor):
    target = unit("hetang")
    assign_perm("core.view_unit", social_supervisor, target)
    assert list(Unit.objects.restrict(social_supervisor, "view")) == [target]


def _restricted_sql(user, action: str = "view") -> str:
    with CaptureQueriesContext(connection) as ctx:
        list(Unit.objects.restrict(user, action))
    assert len(ctx.captured_queries) == 1
    return ctx.captured_queries[0]["sql"]


def test_restrict_without_grants_is_the_plain_scope_condition(duruan_officer):
    """No grant for the model: the scope alone reaches the planner, so the township index applies."""
    Unit.objects.restrict(duruan_officer, "view").count()  # warm permission, grant and content-type caches
    sql = _restricted_sql(duruan_officer)
    assert "guardian" not in sql and " OR " not in sql
    assert 'WHERE "core_unit"."township_id" = ' in sql


def test_restrict_adds_grants_outside_the_scope_as_their_keys(duruan_officer):
    baisha, duruan = unit("baisha"), unit("duruan")
    assign_perm("core.view_unit", duruan_officer, duruan)  # inside the scope: changes nothing
    Unit.objects.restrict(duruan_officer, "view").count()
    assert " OR " not in _restricted_sql(duruan_officer)
    assign_perm("core.view_unit", duruan_officer, baisha)
    Unit.objects.restrict(duruan_officer, "view").count()
    sql = _restricted_sql(duruan_officer)
    assert "guardian" not in sql
    assert f'OR "core_unit"."id" IN ({baisha.pk})' in sql


def test_restrict_of_a_user_with_very_many_grants_uses_the_grant_subquery(duruan_officer, monkeypatch):
    from pengjiang_enforcement import permissions

    baisha = unit("baisha")
    assign_perm("core.view_unit", duruan_officer, baisha)
    assign_perm("core.view_unit", duruan_officer, unit("hetang"))
    monkeypatch.setattr(permissions, "MAX_READ_GRANTS", 1)
    visible = Unit.objects.restrict(duruan_officer, "view")
    assert visible.filter(pk=baisha.pk).exists()
    assert not visible.filter(code="baisha-office").exists()
    assert _restricted_sql(duruan_officer).count("guardian_userobjectpermission") == 1


def test_a_grant_to_a_group_joined_later_is_seen_by_the_same_user_object(baisha_officer):
    from django.contrib.auth.models import Group

    duruan = unit("duruan")
    reviewers = Group.objects.create(name="reviewers of 杜阮")
    assign_perm("core.view_unit", reviewers, duruan)
    assert not Unit.objects.restrict(baisha_officer, "view").filter(pk=duruan.pk).exists()
    baisha_officer.groups.add(reviewers)
    assert Unit.objects.restrict(baisha_officer, "view").filter(pk=duruan.pk).exists()


def test_restrict_query_count_does_not_grow_with_rows(duruan_officer):
    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            list(User.objects.restrict(duruan_officer, "view"))
        return len(ctx.captured_queries)

    User.objects.restrict(duruan_officer, "view").count()
    before = count_queries()
    for _ in range(5):
        UserFactory()
    assert count_queries() == before


def test_a_key_that_is_no_key_is_a_404_not_a_500(duruan_officer):
    """A hand-posted id such as ``abc`` is looked up like an id the user may not see."""
    from django.http import Http404

    from pengjiang_enforcement.models import Unit
    from pengjiang_enforcement.permissions import get_restricted_object_or_404

    for key in ("abc", "1.5", ""):
        with pytest.raises(Http404):
            get_restricted_object_or_404(Unit, duruan_officer, "view", pk=key)


# --- one row asked about once the user's grants are read (the case page's buttons) --------------


def test_can_answers_from_the_grants_already_read_and_stays_as_strict(duruan_officer, social_supervisor):
    from django.contrib.auth.models import Permission

    from pengjiang_enforcement.permissions import can

    baisha, duruan, hetang = unit("baisha"), unit("duruan"), unit("hetang")
    assign_perm("core.change_unit", social_supervisor, hetang)
    list(Unit.objects.restrict(duruan_officer, "view"))  # a page's list reads the grants first
    with CaptureQueriesContext(connection) as none:
        # no permission to change units and no grant on the row: known without the database
        assert not can(duruan_officer, "change", duruan)
    assert none.captured_queries == []
    # the social supervisor's grants were never read (no list of units): the database is asked
    assert can(social_supervisor, "change", hetang) and not can(social_supervisor, "change", baisha)
    assign_perm("core.view_unit", social_supervisor, baisha)  # viewing a row is not changing it
    assert not can(social_supervisor, "change", baisha) and can(social_supervisor, "view", baisha)
    assert can(duruan_officer, "view", duruan) and not can(duruan_officer, "view", baisha)
    # a grant given after the grants were read is seen (the chokepoint reads them again)
    assign_perm("core.view_unit", duruan_officer, baisha)
    assert can(duruan_officer, "view", baisha)
    # a permission held through the scope still asks whether the row lies within it
    duruan_officer.user_permissions.add(Permission.objects.get(codename="change_unit"))
    officer = User.objects.get(pk=duruan_officer.pk)
    list(Unit.objects.restrict(officer, "view"))
    assert can(officer, "change", duruan) and not can(officer, "change", hetang)


def test_roles_and_permissions_are_read_together_and_match_djangos_own(duruan_officer):
    from django.contrib.auth.backends import ModelBackend
    from django.contrib.auth.models import Group, Permission

    direct = Permission.objects.get(codename="view_auditlog")
    duruan_officer.user_permissions.add(direct)
    Group.objects.create(name="a group without permissions").user_set.add(duruan_officer)
    officer = User.objects.get(pk=duruan_officer.pk)
    with CaptureQueriesContext(connection) as read:
        assert officer.has_perm("core.view_auditlog") and officer.has_perm("cases.view_case")
        assert not officer.has_perm("core.change_unit")
        assert officer.role_codes == {Role.OFFICER}
    assert len(read.captured_queries) == 1
    fresh = User.objects.get(pk=duruan_officer.pk)
    backend = ModelBackend()
    assert officer.get_all_permissions() == backend.get_all_permissions(fresh)
    assert officer._user_perm_cache == {"core.view_auditlog"}
    # an inactive user holds nothing, whatever their groups
    officer = User.objects.get(pk=duruan_officer.pk)
    officer.is_active = False
    assert not officer.has_perm("cases.view_case") and officer.get_all_permissions() == set()
