"""Sending news: who gets it, and sending it off the request and worker path.

`notify` picks the channels (the person's and the installation's) and hands the sending to a
thread once the caller's transaction commits; a notification that cannot be sent is logged and
recorded on its channel (shown on the settings page), never raised into the work that caused it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone

from spotifydl.notifications.models import Channel, Kind

logger = logging.getLogger(__name__)

TIMEOUT_S = 5  # Apprise's connect and read timeouts, each
_senders: list[threading.Thread] = []


@dataclass(frozen=True)
class Message:
    channel_id: int
    urls: tuple[str, ...]
    title: str
    body: str


def notify(*, kind: str, owner_id: int | None, title: str, body: str) -> None:
    """News of `kind` about `owner_id`'s work (None: the installation's), sent after commit."""
    reach = Q(owner__isnull=True) if owner_id is None else Q(owner_id=owner_id) | Q(owner=None)
    messages = [
        Message(channel.pk, tuple(channel.url_list()), title, body)
        for channel in Channel.objects.filter(reach)
        if channel.wants(kind)
    ]
    if messages:
        transaction.on_commit(lambda: _send_later(messages))


def channel_test(*, channel: Channel) -> None:
    """The "send a test" button: one message now, whatever kinds are switched on."""
    message = Message(
        channel.pk, tuple(channel.url_list()), "spotifydl test", "Notifications reach you."
    )
    transaction.on_commit(lambda: _send_later([message]))


def channel_update(*, owner_id: int | None, urls: str, kinds: list[str]) -> Channel:
    channel, _ = Channel.objects.get_or_create(owner_id=owner_id)
    channel.urls = "\n".join(line.strip() for line in urls.splitlines() if line.strip())
    channel.kinds = [kind for kind in Kind.values if kind in kinds]
    channel.save()
    return channel


def channel_of(*, owner_id: int | None) -> Channel:
    """The channel, or an unsaved one with no URLs and every kind on."""
    found = Channel.objects.filter(owner_id=owner_id).first()
    return found if found is not None else Channel(owner_id=owner_id)


def senders_join(timeout: float = 10.0) -> None:
    """Wait for the sends under way (tests, and a worker shutting down)."""
    for thread in list(_senders):
        thread.join(timeout)


def _send_later(messages: list[Message]) -> None:
    thread = threading.Thread(target=_send_all, args=(messages,), daemon=True, name="notify")
    _senders[:] = [t for t in _senders if t.is_alive()] + [thread]
    thread.start()


def _send_all(messages: list[Message]) -> None:
    try:
        for message in messages:
            _channel_record(message.channel_id, _send(message))
    finally:
        connection.close()


def _send(message: Message) -> str:
    """ "" when every URL took it; else what went wrong, for the settings page."""
    import apprise  # heavy: only the sending thread pays for it

    sender = apprise.Apprise()
    refused = [
        url
        for url in message.urls
        if not sender.add(url + ("&" if "?" in url else "?") + f"cto={TIMEOUT_S}&rto={TIMEOUT_S}")
    ]
    try:
        sent = bool(sender) and sender.notify(title=message.title, body=message.body)
    except Exception as exc:  # an Apprise plugin's own bug must not kill the thread
        logger.exception("Notification to channel %s failed", message.channel_id)
        return f"Sending failed: {exc}"
    problems = [f"Not an Apprise URL Apprise understands: {_redacted(u)}" for u in refused]
    if not sent and sender:
        problems.append("A notification service did not accept the message (see the log).")
    if problems:
        logger.warning("Notification to channel %s: %s", message.channel_id, "; ".join(problems))
    return " ".join(problems)


def _redacted(url: str) -> str:
    scheme, _, _ = url.partition("://")
    return f"{scheme}://…"


def _channel_record(channel_id: int, error: str) -> None:
    close_old_connections()
    now = timezone.now()
    if error:
        Channel.objects.filter(pk=channel_id).update(last_error=error, last_error_at=now)
    else:
        Channel.objects.filter(pk=channel_id).update(last_sent_at=now, last_error="")
