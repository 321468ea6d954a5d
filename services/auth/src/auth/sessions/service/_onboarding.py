"""What the login page shows before anyone signs in: the organization, and whether it exists yet."""

from auth.repository import MemberRepository
from auth.schemas import Branding, OnboardingStatus

ONBOARDING_STEPS = 10


class OnboardingService:
    """The login page's branding and first-run status; reads only."""

    def __init__(self, members: MemberRepository) -> None:
        self._members = members

    async def branding(self) -> Branding:
        """The organization's name and logo (nulls before onboarding)."""
        organization = await self._members.oldest_active_organization()
        if organization is None:
            return Branding(None, None)
        return Branding(organization.name, organization.logo)

    async def status(self) -> OnboardingStatus:
        """Completed once an organization exists; details are withheld after that."""
        exists = await self._members.oldest_active_organization() is not None
        return OnboardingStatus(
            needs_onboarding=not exists,
            is_completed=exists,
            current_step=ONBOARDING_STEPS if exists else 0,
            total_steps=ONBOARDING_STEPS,
            steps_completed={},
            organization_name=None,
        )
