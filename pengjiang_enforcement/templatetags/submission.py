"""``{% csrf_token %}`` with the form's submission token (a template builtin, see settings).

Every POST form of the portal (and of the Django admin) already renders ``{% csrf_token %}``;
this version of the tag adds the hidden ``submission`` input that makes sending the form twice
do its work once (:mod:`pengjiang_enforcement.submissions`), so no form can forget it.
"""

from __future__ import annotations

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils.html import format_html

from ..submissions import FIELD, token_for

register = template.Library()


class SubmissionTokenNode(CsrfTokenNode):
    def render(self, context: template.Context) -> str:
        csrf = super().render(context)
        token = format_html('<input type="hidden" name="{}" value="{}">', FIELD, token_for())
        return csrf + token


@register.tag
def csrf_token(parser: template.base.Parser, token: template.base.Token) -> SubmissionTokenNode:
    return SubmissionTokenNode()
