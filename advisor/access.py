"""Who is asking, and what they may see."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Requester(BaseModel):
    """Who is asking: a Slack user and the channel the question came from.

    ``Requester.admin()`` (no ids) is the local operator, who sees every record.
    """

    model_config = ConfigDict(frozen=True)

    user_id: str | None = None
    channel_id: str | None = None
    is_admin: bool = False

    @classmethod
    def admin(cls) -> Requester:
        return cls(is_admin=True)

    @property
    def principals(self) -> list[str]:
        return [p for p in (self.user_id, self.channel_id) if p]

    def can_see(self, visibility: str, allowed: list[str]) -> bool:
        return self.is_admin or visibility == "public" or any(p in allowed for p in self.principals)
