import { useQuery } from '@tanstack/react-query';
import { NavLink } from 'react-router';
import { invitationsApi } from '../api/teams.js';
import { useApi } from '../auth/auth-context.js';

/** The query of the signed-in developer's pending invitations (shared by the nav badge and the page). */
export function useMyInvitations() {
  const api = useApi();
  return useQuery({
    queryKey: ['invitations'],
    queryFn: () => invitationsApi.list(api),
    // New invitations arrive while the dashboard is open: look again every minute.
    refetchInterval: 60_000,
  });
}

/** "Invitations" in the top nav, with the number of pending invitations as a badge. */
export function InvitationsNavLink() {
  const count = useMyInvitations().data?.length ?? 0;
  return (
    <NavLink to="/invitations" aria-label={count ? `Invitations (${count} pending)` : 'Invitations'}>
      Invitations
      {count > 0 && (
        <span className="nav-count" aria-hidden="true">
          {count}
        </span>
      )}
    </NavLink>
  );
}
