"""Details of the shell every page shares: the previous sign-in, the language list, the icon."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _sign_in(user) -> Client:
    client = Client()
    assert client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def _shown_last_sign_in(client: Client) -> str:
    body = client.get("/").content.decode()
    match = re.search(r"上次登录</dt><dd class=\"col-8\">([^<]*)</dd>", body)
    assert match, "the account card shows no last sign-in"
    return match.group(1)


def test_last_sign_in_shows_the_previous_sign_in_not_this_one(duruan_officer):
    # The first sign-in has none before it.
    assert _shown_last_sign_in(_sign_in(duruan_officer)) == "—"
    earlier = timezone.now() - datetime.timedelta(days=3, hours=2)
    type(duruan_officer).objects.filter(pk=duruan_officer.pk).update(last_login=earlier)
    client = _sign_in(duruan_officer)
    assert _shown_last_sign_in(client) == timezone.localtime(earlier).strftime("%Y-%m-%d %H:%M")
    duruan_officer.refresh_from_db()
    assert duruan_officer.previous_login == earlier
    assert duruan_officer.last_login > earlier  # the current sign-in, as Django keeps it


def test_a_failed_sign_in_changes_neither_time(duruan_officer):
    _sign_in(duruan_officer)
    duruan_officer.refresh_from_db()
    before = (duruan_officer.last_login, duruan_officer.previous_login)
    Client().post("/accounts/login/", {"username": duruan_officer.username, "password": "wrong-password"})
    duruan_officer.refresh_from_db()
    assert (duruan_officer.last_login, duruan_officer.previous_login) == before


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_language_list_names_each_language_in_itself(language):
    client = Client(headers={"accept-language": language})
    body = client.get("/accounts/login/").content.decode()
    options = re.findall(r'<option value="([^"]+)" lang="[^"]+"[^>]*>([^<]+)</option>', body)
    assert options == [("zh-hans", "简体中文"), ("en", "English")]
    assert "英语" not in body
    assert [code for code, _name in settings.LANGUAGES] == [code for code, _name in options]


def test_every_page_links_the_favicon():
    body = Client().get("/accounts/login/").content.decode()
    match = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', body)
    assert match
    assert match.group(1) == settings.STATIC_URL + "img/favicon.svg"
    path = finders.find("img/favicon.svg")
    assert path
    with open(path, encoding="utf-8") as icon:
        assert icon.read().startswith("<svg")
