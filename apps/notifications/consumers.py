"""The `/ws/notifications/` socket: live events for the signed-in user.

A browser is signed in by its session cookie (Channels' auth middleware,
set up in `secretariaVirtual/asgi.py`); other clients pass their API token
as `?token=`. A socket without a valid, active user is accepted and closed
at once with code 4401, so the client can tell "sign in again" from a
network fault and stop reconnecting.
"""

import logging
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.contrib.auth.models import AnonymousUser

from .realtime import MESSAGE_TYPE, groups_for

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401


@database_sync_to_async
def _user_for_token(key: str):
    from rest_framework.authtoken.models import Token

    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None or not token.user.is_active:
        return AnonymousUser()
    return token.user


class TokenAuthMiddleware:
    """Signs a socket in by `?token=<API token>`.

    A token, when given, decides alone: a wrong one leaves the socket
    anonymous even if a session cookie came along, so a client never ends
    up as someone other than the one it named.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        query = parse_qs(scope.get("query_string", b"").decode("latin1"))
        keys = query.get("token")
        if keys:
            scope = dict(scope, user=await _user_for_token(keys[0]))
        return await self.app(scope, receive, send)


@database_sync_to_async
def _groups_for(user) -> list[str]:
    return groups_for(user)


class NotificationConsumer(AsyncWebsocketConsumer):
    """Joins the user's groups and forwards every event pushed to them.

    Messages from the client are ignored: the socket only carries events
    from the server. Group membership is decided when the socket connects;
    a role change reaches the socket when it reconnects.
    """

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            # Accepting first is what lets the close code reach the client;
            # a refused handshake would only show as HTTP 403.
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return

        self.joined = await _groups_for(user)
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        for group in getattr(self, "joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        return None

    async def dispatch(self, message):
        # Channels closes stale database connections before every handler,
        # a hop to the one thread that also serves Django's sync views. A
        # pushed event touches no database, and with hundreds of sockets
        # those hops queued each event behind the request that caused it.
        if message["type"] == MESSAGE_TYPE:
            await self.realtime_event(message)
            return
        await super().dispatch(message)

    async def realtime_event(self, message):
        """A pushed event, already encoded as JSON by `realtime.push`."""
        await self.send(text_data=message["text"])
