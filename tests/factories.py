"""Factories for tests: people are created through the services, so they are audited too."""

from __future__ import annotations

import datetime
import itertools

import factory
from django.utils import timezone

from pengjiang_enforcement.choices import Role
from pengjiang_enforcement.models import Unit, User
from pengjiang_enforcement.services import certificate_add, user_create

PASSWORD = "correct-horse-battery-staple"
_certificate_numbers = itertools.count(1)


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"测试用户{n}")
    unit = factory.LazyFunction(lambda: unit("duruan-office"))

    @classmethod
    def _create(cls, model_class, *args, roles=(Role.OFFICER,), certified=False, **kwargs):
        user = user_create(actor=None, password=PASSWORD, roles=roles, **kwargs)
        if certified:
            give_certificate(user)
        return user


def give_certificate(user: User, *, valid_from: datetime.date | None = None, valid_to: datetime.date | None = None):
    today = timezone.localdate()
    return certificate_add(
        actor=None,
        user=user,
        number=f"T{next(_certificate_numbers):09d}",
        issuing_body="江门市人民政府",
        valid_from=valid_from or today - datetime.timedelta(days=365),
        valid_to=valid_to or today + datetime.timedelta(days=365),
    )
