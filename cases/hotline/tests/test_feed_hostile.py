"""Deliveries of the live feed that no honest sender makes, with a valid token: each is a 400
naming the problem (a ``problem`` code and where it is), and nothing of it is stored."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client

from cases.hotline import services
from cases.hotline.models import HotlineImport, HotlineOrder, HotlineRawRow

pytestmark = pytest.mark.django_db

ITEM = {
    "service_request_id": "0826081308493182401",
    "requested_datetime": "2026-03-02T09:30:00+08:00",
    "description": "地址：江门市蓬江区杜阮镇龙榜村。事项：焚烧垃圾。",
    "agency_responsible": "杜阮镇人民政府",
}


@pytest.fixture
def token(district_admin):
    return services.source_create(actor=district_admin, name="江门12345平台")[1]


def send(token: str, body: bytes | str):
    raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    return Client().post(
        "/hotline/api/orders/", raw, content_type="application/json", headers={"Authorization": f"Bearer {token}"}
    )


def refused(response, problem: str) -> str:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["problem"] == problem, body
    assert not HotlineImport.objects.exists() and not HotlineRawRow.objects.exists()
    assert not HotlineOrder.objects.exists()
    return body["errors"][0]["errors"][0]


def delivery(extra: str) -> str:
    """``{"orders": [ITEM + "extra": <extra>]}`` with ``extra`` written as raw JSON text."""
    item = json.dumps(ITEM, ensure_ascii=False)[:-1]
    return '{"orders": [' + item + ', "extra": ' + extra + "}]}"


def test_a_lone_surrogate_escape_is_named_where_it_is(token):
    message = refused(send(token, delivery('"\\ud800"')), "lone_surrogate")
    assert "orders[0].extra" in message


def test_a_lone_surrogate_in_a_field_name_is_refused(token):
    body = '[{"service_request_id": "1", "\\udfff": "x"}]'
    assert "[0]" in refused(send(token, body), "lone_surrogate")


def test_a_surrogate_pair_is_a_character_and_is_taken(token):
    response = send(token, delivery('"\\ud83d\\ude00"'))
    assert response.status_code == 200, response.content
    assert HotlineRawRow.objects.get().cells["extra"] == "\U0001f600"


def test_nesting_deeper_than_32_levels_is_refused(token):
    message = refused(send(token, delivery("[" * 40 + "]" * 40)), "too_deep")
    assert "32" in message and "orders[0].extra" in message


def test_nesting_past_pythons_recursion_limit_is_refused(token):
    refused(send(token, "[" * 100_000 + "]" * 100_000), "too_deep")


def test_nesting_of_32_levels_is_taken(token):
    response = send(token, "[" + json.dumps({**ITEM, "extra": json.loads("[" * 29 + "]" * 29)}) + "]")
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_a_number_that_is_not_finite_is_refused(token, number):
    assert "orders[0].extra" in refused(send(token, delivery(number)), "not_a_number")


def test_an_integer_past_pythons_digit_limit_is_not_json(token):
    refused(send(token, delivery("9" * 5000)), "not_json")


def test_text_that_is_not_json_names_line_and_column(token):
    assert "1" in refused(send(token, "{not json"), "not_json")


def test_bytes_that_are_not_utf8_are_refused(token):
    refused(send(token, b'[{"description": "\xff\xfe"}]'), "not_utf8")
    refused(send(token, json.dumps([ITEM], ensure_ascii=False).encode("gbk")), "not_utf8")


@pytest.mark.parametrize("body", ['"text"', "42", "null", "true", ""])
def test_a_body_that_is_not_a_list_or_object_is_refused(token, body):
    refused(send(token, body), "not_a_list_or_object")


def test_a_refusal_of_the_database_rolls_the_delivery_back_whole(token):
    table = HotlineOrder._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_refuse_order() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'refused'; END $$"
        )
        cursor.execute(f"CREATE TRIGGER test_refuse_order BEFORE INSERT ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION test_refuse_order()")  # fmt: skip
    message = refused(send(token, json.dumps([ITEM], ensure_ascii=False)), "refused_by_database")
    assert message
