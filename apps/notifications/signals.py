"""Signals this app sends for others to build on.

`notification_created` is sent after the transaction that wrote an in-app
notification commits (kwargs: notification), so the live dashboard can push
`notification.created` to the recipient's socket.
"""

from django.dispatch import Signal

notification_created = Signal()
