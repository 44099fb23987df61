"""Response renderers."""

import orjson
from rest_framework.renderers import JSONRenderer


class FastJSONRenderer(JSONRenderer):
    """JSON through orjson, for answers of thousands of items.

    orjson writes aware datetimes as ISO 8601 with their offset and
    dataclasses as objects, so such answers need no conversion first. Other
    values it does not know (lazy translations, Decimals) become strings.
    """

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return orjson.dumps(data, default=str)
