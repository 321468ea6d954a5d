"""Setting and removing a member's photo."""

import asyncio
from uuid import UUID

from api.members.photos import webp_data_uri
from api.members.schemas import Message, PhotoRead
from api.members.service._context import MemberContext
from api.members.service._editing import updated_event


class MemberPhotos:
    """Photo upload and removal of one request."""

    def __init__(self, context: MemberContext) -> None:
        self._c = context

    async def set_photo(self, user_id: UUID, content: bytes) -> PhotoRead:
        """Store the upload re-encoded as a WebP data URI."""
        user = await self._c.member(user_id, for_update=True)
        # Decoding a large image takes a while: off the event loop.
        user.photo_url = await asyncio.to_thread(webp_data_uri, content)
        await self._c.members.flush()
        await self._record(user.id, "user_photo_updated")
        self._c.publish(updated_event(user, ["photo_url"], is_self=self._is_self(user.id)))
        return PhotoRead(message="Photo updated", photo_url=user.photo_url)

    async def remove_photo(self, user_id: UUID) -> Message:
        """Clear the member's photo."""
        user = await self._c.member(user_id, for_update=True)
        user.photo_url = None
        await self._c.members.flush()
        await self._record(user.id, "user_photo_removed")
        self._c.publish(updated_event(user, ["photo_url"], is_self=self._is_self(user.id)))
        return Message(message="Photo removed")

    def _is_self(self, user_id: UUID) -> bool:
        return user_id == self._c.principal.user_id

    async def _record(self, user_id: UUID, event_type: str) -> None:
        await self._c.audit.record(
            event_type,
            "user_management",
            target_user_id=str(user_id),
            is_self_update=self._is_self(user_id),
        )
