"""Jinja2 environments for the server-rendered pages: one per language, autoescaped."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from hashwarden.web import csrf
from hashwarden.web.i18n import LANGUAGES, Language, translations

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
SITE_NAME = "hashwarden hotline"
#: Pages may load nothing from elsewhere, run no script and be framed by nobody.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
#: Pages that load the site's own scripts (the report form's autosave): files from this origin
#: only, never inline code or eval, and no string may reach a DOM injection sink.
SCRIPT_SECURITY_HEADERS = {
    **SECURITY_HEADERS,
    "Content-Security-Policy": SECURITY_HEADERS["Content-Security-Policy"]
    + "; script-src 'self'; require-trusted-types-for 'script'",
}


@cache
def environment(code: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(code), newstyle=True)  # type: ignore[attr-defined]
    return env


def render(
    request: Request,
    lang: Language,
    template: str,
    status_code: int = 200,
    *,
    scripts: bool = False,
    **context: Any,
) -> HTMLResponse:
    """A page in ``lang``, with the CSRF token its forms need (and its cookie, if new).

    ``scripts``: the page loads the site's own script files; every other page may run none.
    """
    token = csrf.token_for(request)
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    html = environment(lang.code).get_template(template).render(
        lang=lang,
        languages=list(LANGUAGES.values()),
        path=request.url.path,
        query_without_lang="".join(f"{_q(k)}={_q(v)}&" for k, v in query),
        site_name=SITE_NAME,
        csrf_token=token,
        **context,
    )
    headers = SCRIPT_SECURITY_HEADERS if scripts else SECURITY_HEADERS
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    response.headers["Content-Language"] = lang.code
    csrf.set_cookie(request, response, token)
    return response


def _q(text: str) -> str:
    return quote(text, safe="")
