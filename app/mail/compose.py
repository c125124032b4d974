"""An e-mail as it leaves us: multipart (plain text and HTML) from the mail templates, in the
recipient's language, with the headers receiving servers and mail clients look for."""

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from app.db_types import utcnow
from app.settings import get_settings


@dataclass(frozen=True)
class Body:
    text: str
    html: str


def render_body(*, title: str, lines: list[str], link: str, action: str, footer: list[tuple[str, str]]) -> Body:
    """Both parts from templates/mail/message.{txt,html}; `footer` holds (label, absolute url)."""
    from app.i18n import current_language
    from app.web.templating import templates  # late: templating pulls in the web layer

    context = {"title": title, "lines": lines, "link": link, "action": action, "footer": footer,
               "language": current_language()}
    return Body(text=templates.env.get_template("mail/message.txt").render(context),
                html=templates.env.get_template("mail/message.html").render(context))


def new_message_id() -> str:
    domain = parseaddr(get_settings().mail_from)[1].rpartition("@")[2] or "localhost"
    return make_msgid(domain=domain)


def build_message(*, to: str, subject: str, body: Body, message_id: str, unsubscribe_url: str = "") -> EmailMessage:
    """The message with From, To, Date, Message-ID and Auto-Submitted; with an unsubscribe link it also
    carries List-Unsubscribe and List-Unsubscribe-Post (RFC 8058 one-click)."""
    message = EmailMessage()
    message["From"] = get_settings().mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to us
    if unsubscribe_url:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(body.text)
    message.add_alternative(body.html, subtype="html")
    return message
