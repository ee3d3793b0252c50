import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { type MyInvitation, invitationsApi } from '../api/teams.js';
import { useApi } from '../auth/auth-context.js';
import { useMyInvitations } from '../components/invitations-badge.js';
import { QueryState } from '../components/query-state.js';
import { useToast } from '../components/toast.js';
import { Badge, Button, EmptyState, ErrorBanner, PageHeader } from '../components/ui.js';
import { formatDate } from '../lib/format.js';

function InvitationCard({ invitation }: { invitation: MyInvitation }) {
  const api = useApi();
  const toast = useToast();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [busy, setBusy] = useState<'accept' | 'decline' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const act = async (kind: 'accept' | 'decline') => {
    setBusy(kind);
    setError(null);
    try {
      if (kind === 'accept') {
        const res = await invitationsApi.accept(api, invitation._id);
        toast(res.message);
        await queryClient.invalidateQueries({ queryKey: ['projects'] });
        void queryClient.invalidateQueries({ queryKey: ['invitations'] });
        // The accepted project opens at once; its role comes with it.
        navigate(`/projects/${res.projectId ?? invitation.project._id}`);
        return;
      }
      await invitationsApi.decline(api, invitation._id);
      toast('Invitation declined');
      await queryClient.invalidateQueries({ queryKey: ['invitations'] });
    } catch (err) {
      setError(err);
    }
    setBusy(null);
  };
  const { project, invitedBy, role } = invitation;
  return (
    <li className="card">
      <div className="row-between">
        <div>
          <h2 className="h3">{project.name}</h2>
          {project.description && <p className="muted">{project.description}</p>}
          <p className="small">
            {invitedBy ? `${invitedBy.name || invitedBy.email} invited you` : 'You are invited'} as{' '}
            <Badge tone={role === 'admin' ? 'good' : 'neutral'}>{role}</Badge>
            <span className="muted"> · expires {formatDate(invitation.expiresAt)}</span>
          </p>
        </div>
        <div className="row-end">
          <Button
            busy={busy === 'decline'}
            disabled={busy !== null}
            aria-label={`Decline the invitation to ${project.name}`}
            onClick={() => void act('decline')}
          >
            Decline
          </Button>
          <Button
            variant="primary"
            busy={busy === 'accept'}
            disabled={busy !== null}
            aria-label={`Accept the invitation to ${project.name}`}
            onClick={() => void act('accept')}
          >
            Accept
          </Button>
        </div>
      </div>
      <ErrorBanner error={error} />
    </li>
  );
}

/** The signed-in developer's pending project invitations. */
export function InvitationsPage() {
  const invitations = useMyInvitations();
  return (
    <>
      <PageHeader title="Invitations" subtitle="Projects other developers invited you to. Invitations expire after 7 days." />
      <QueryState query={invitations} label="invitations">
        {(list) =>
          list.length === 0 ? (
            <EmptyState
              title="No pending invitations"
              action={
                <Link className="btn btn-secondary" to="/dashboard">
                  Go to your projects
                </Link>
              }
            >
              When someone invites you to a project, it appears here.
            </EmptyState>
          ) : (
            <ul className="stack">
              {list.map((i) => (
                <InvitationCard key={i._id} invitation={i} />
              ))}
            </ul>
          )
        }
      </QueryState>
    </>
  );
}
