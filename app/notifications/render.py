"""E-mail bodies from Jinja templates: ``templates/emails/<name>.txt`` and ``.html``.

The plain-text part is what screen readers and many officers' phones show first, so it is
written to stand alone; the HTML part is the same words with headings and buttons, inline
styles only (mail clients drop style sheets), and a real language and title.
"""

from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.pages.rendering import TEMPLATES_DIR, add_shared_filters

EMAIL_DIR = TEMPLATES_DIR / "emails"


@lru_cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(EMAIL_DIR)),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    add_shared_filters(env)
    return env


def render_email(name: str, context: dict[str, Any]) -> tuple[str, str]:
    """(plain text, HTML) of one message."""
    env = _environment()
    text = env.get_template(f"{name}.txt").render(**context)
    html = env.get_template(f"{name}.html").render(**context)
    return text.strip() + "\n", html
