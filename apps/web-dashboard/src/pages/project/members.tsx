import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { type Member, type MemberRole, membersApi } from '../../api/teams.js';
import { useApi, useAuth } from '../../auth/auth-context.js';
import { SelectField, TextField } from '../../components/form.js';
import { ConfirmDialog } from '../../components/modal.js';
import { PlanReason, planBlock, useProjectUsage } from '../../components/plan.js';
import { QueryState } from '../../components/query-state.js';
import { useToast } from '../../components/toast.js';
import { Badge, Button, Card, EmptyState, ErrorBanner, PageHeader } from '../../components/ui.js';
import { errorMessage, fieldErrors } from '../../lib/api-client.js';
import { formatDate, formatDay } from '../../lib/format.js';
import { useProject } from './layout.js';
import { OwnerOnlyNotice, useIsOwner } from './role.js';

const ROLE_OPTIONS = [
  { value: 'admin', label: 'Admin: changes everything except members, keys and deletion' },
  { value: 'viewer', label: 'Viewer: read-only' },
];

const roleTone = (role: string) => (role === 'owner' ? 'info' : role === 'admin' ? 'good' : 'neutral');

/** Invites a developer; `blocked` (the plan's reason) disables the form before anything is typed. */
function InviteForm({ blocked }: { blocked: string | null }) {
  const { projectId } = useProject();
  const api = useApi();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<MemberRole>('admin');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!/^\S+@\S+\.\S+$/.test(email.trim())) return setError('Enter the email address of a urBackend account.');
    setBusy(true);
    setError(null);
    try {
      toast(await membersApi.invite(api, projectId, email.trim(), role));
      setEmail('');
      await queryClient.invalidateQueries({ queryKey: ['invitations', projectId] });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const errors = fieldErrors(error);
  return (
    <Card title="Invite a developer">
      <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
        <p className="muted">
          The developer needs a urBackend account. They get an email and see the invitation in their dashboard for 7 days.
        </p>
        <PlanReason reason={blocked} id="member-limit" />
        <fieldset
          className="inline-form fieldset-plain"
          disabled={Boolean(blocked)}
          aria-describedby={blocked ? 'member-limit' : undefined}
        >
          <TextField
            label="Email"
            type="email"
            autoComplete="off"
            value={email}
            error={errors.email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <SelectField label="Role" value={role} options={ROLE_OPTIONS} onChange={(e) => setRole(e.target.value as MemberRole)} />
          <Button type="submit" variant="primary" busy={busy} disabled={Boolean(blocked)}>
            Send invitation
          </Button>
        </fieldset>
        <ErrorBanner error={error} />
      </form>
    </Card>
  );
}

function PendingInvitations() {
  const { projectId } = useProject();
  const api = useApi();
  const toast = useToast();
  const queryClient = useQueryClient();
  const key = ['invitations', projectId];
  const list = useQuery({ queryKey: key, queryFn: () => membersApi.invitations(api, projectId) });
  const [busy, setBusy] = useState<string | null>(null);
  const revoke = async (id: string, email: string) => {
    setBusy(id);
    try {
      await membersApi.revokeInvitation(api, projectId, id);
      toast(`Invitation for ${email} revoked`);
      await queryClient.invalidateQueries({ queryKey: key });
    } catch (err) {
      toast(errorMessage(err), 'error');
    } finally {
      setBusy(null);
    }
  };
  return (
    <Card title="Pending invitations">
      <QueryState query={list} label="invitations">
        {(items) =>
          items.length === 0 ? (
            <p className="muted">No pending invitations.</p>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Email</th>
                    <th scope="col">Role</th>
                    <th scope="col">Sent</th>
                    <th scope="col">Expires</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((i) => (
                    <tr key={i._id}>
                      <td>{i.email}</td>
                      <td>
                        <Badge tone={roleTone(i.role)}>{i.role}</Badge>
                      </td>
                      <td>{formatDate(i.createdAt)}</td>
                      <td>{formatDate(i.expiresAt)}</td>
                      <td className="row-end">
                        <Button
                          small
                          variant="danger"
                          busy={busy === i._id}
                          aria-label={`Revoke the invitation for ${i.email}`}
                          onClick={() => void revoke(i._id, i.email)}
                        >
                          Revoke
                        </Button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </QueryState>
    </Card>
  );
}

/** The role cell: a select for the owner (other members), a badge otherwise. */
function RoleCell({ member, editable }: { member: Member; editable: boolean }) {
  const { projectId } = useProject();
  const api = useApi();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  if (!editable || member.role === 'owner') return <Badge tone={roleTone(member.role)}>{member.role}</Badge>;
  const change = async (role: MemberRole) => {
    setBusy(true);
    try {
      toast(await membersApi.setRole(api, projectId, member._id, role));
      await queryClient.invalidateQueries({ queryKey: ['members', projectId] });
    } catch (err) {
      toast(errorMessage(err), 'error');
    } finally {
      setBusy(false);
    }
  };
  return (
    <select
      aria-label={`Role of ${member.email}`}
      value={member.role}
      disabled={busy}
      onChange={(e) => void change(e.target.value as MemberRole)}
    >
      <option value="admin">admin</option>
      <option value="viewer">viewer</option>
    </select>
  );
}

type Pending = { kind: 'remove' | 'transfer'; member: Member } | { kind: 'leave' };

export function MembersPage() {
  const { project, projectId, reload } = useProject();
  const api = useApi();
  const { user } = useAuth();
  const toast = useToast();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const isOwner = useIsOwner();
  const members = useQuery({ queryKey: ['members', projectId], queryFn: () => membersApi.list(api, projectId) });
  const [pending, setPending] = useState<Pending | null>(null);
  const usage = useProjectUsage(projectId);
  const memberCount = members.data?.length ?? usage.data?.usage.members;
  const blocked = planBlock('member', usage.data?.plan, usage.data?.limits, memberCount);
  const refresh = async () => {
    void queryClient.invalidateQueries({ queryKey: ['usage', projectId] });
    await queryClient.invalidateQueries({ queryKey: ['members', projectId] });
    await queryClient.invalidateQueries({ queryKey: ['project', projectId] });
    void queryClient.invalidateQueries({ queryKey: ['projects'] });
    reload();
  };
  return (
    <>
      <PageHeader
        title="Members"
        subtitle="Developers who can open this project, and what each of them may do."
        actions={
          !isOwner && (
            <Button variant="danger" onClick={() => setPending({ kind: 'leave' })}>
              Leave project
            </Button>
          )
        }
      />
      <div className="stack-lg">
        <OwnerOnlyNotice>
          Only the owner ({project.owner?.email ?? 'the creator'}) invites developers, changes roles and removes members.
        </OwnerOnlyNotice>
        {isOwner && <InviteForm blocked={blocked} />}
        {isOwner && <PendingInvitations />}
        <Card title="People">
          <QueryState query={members} label="members">
            {(list) =>
              list.length === 0 ? (
                <EmptyState title="No members">Only the owner can open this project.</EmptyState>
              ) : (
                <div className="table-wrap">
                  <table className="table">
                    <thead>
                      <tr>
                        <th scope="col">Member</th>
                        <th scope="col">Role</th>
                        <th scope="col">Added</th>
                        <th scope="col">
                          <span className="sr-only">Actions</span>
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {list.map((m) => (
                        <tr key={m._id}>
                          <td>
                            <span className="strong">{m.email}</span>
                            {m.name && <span className="muted"> · {m.name}</span>}
                            {m._id === user?._id && <span className="muted"> (you)</span>}
                          </td>
                          <td>
                            <RoleCell member={m} editable={isOwner} />
                          </td>
                          <td>{m.role === 'owner' ? '—' : formatDay(m.addedAt)}</td>
                          <td className="row-end nowrap">
                            {isOwner && m.role === 'admin' && (
                              <Button small onClick={() => setPending({ kind: 'transfer', member: m })}>
                                Make owner
                              </Button>
                            )}
                            {isOwner && m.role !== 'owner' && (
                              <Button
                                small
                                variant="danger"
                                aria-label={`Remove ${m.email}`}
                                onClick={() => setPending({ kind: 'remove', member: m })}
                              >
                                Remove
                              </Button>
                            )}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )
            }
          </QueryState>
        </Card>
        <Card title="Roles">
          <dl className="facts">
            <div>
              <dt>Owner</dt>
              <dd>Everything, including deleting or transferring the project, API keys and members.</dd>
            </div>
            <div>
              <dt>Admin</dt>
              <dd>Changes data, collections, users, files, webhooks, mail and settings.</dd>
            </div>
            <div>
              <dt>Viewer</dt>
              <dd>Reads everything (including exports and the config log); changes nothing.</dd>
            </div>
          </dl>
        </Card>
      </div>
      {pending?.kind === 'remove' && (
        <ConfirmDialog
          title={`Remove ${pending.member.email}?`}
          message="They lose access to this project at once. You can invite them again later."
          confirmLabel="Remove member"
          onClose={() => setPending(null)}
          onConfirm={async () => {
            toast(await membersApi.remove(api, projectId, pending.member._id));
            await refresh();
          }}
        />
      )}
      {pending?.kind === 'transfer' && (
        <ConfirmDialog
          title={`Make ${pending.member.email} the owner?`}
          message={
            <>
              <strong>{pending.member.email}</strong> becomes the owner of “{project.name}” and you become an admin. Only the new
              owner can give ownership back.
            </>
          }
          confirmText={project.name}
          confirmLabel="Transfer ownership"
          onClose={() => setPending(null)}
          onConfirm={async () => {
            toast(await membersApi.transfer(api, projectId, pending.member._id, project.name));
            await refresh();
          }}
        />
      )}
      {pending?.kind === 'leave' && (
        <ConfirmDialog
          title={`Leave “${project.name}”?`}
          message="You lose access to this project. The owner can invite you again."
          confirmLabel="Leave project"
          onClose={() => setPending(null)}
          onConfirm={async () => {
            await membersApi.leave(api, projectId);
            queryClient.removeQueries({ queryKey: ['project', projectId] });
            await queryClient.invalidateQueries({ queryKey: ['projects'] });
            toast(`You left “${project.name}”`);
            navigate('/dashboard', { replace: true });
          }}
        />
      )}
    </>
  );
}
