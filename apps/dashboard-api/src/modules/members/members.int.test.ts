import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DashboardTestApp,
  type TestDeveloper,
  createDashboardTestApp,
  createTestProject,
  registerVerifiedDeveloper,
} from '../../../test/helpers.js';

let t: DashboardTestApp;
let owner: TestDeveloper;
let bob: TestDeveloper;
let carol: TestDeveloper;
let projectId: string;

const auth = (dev: TestDeveloper) => ({ Authorization: `Bearer ${dev.accessToken}` });

function invite(dev: TestDeveloper, pid: string, email: string, role = 'viewer') {
  return request(t.app).post(`/api/projects/${pid}/members/invite`).set(auth(dev)).send({ email, role });
}

/** The invitee's pending invitation of `pid` (as listed on their invitations page). */
async function invitationOf(dev: TestDeveloper, pid: string): Promise<string> {
  const res = await request(t.app).get('/api/invitations').set(auth(dev)).expect(200);
  const found = (res.body.data as { _id: string; project: { _id: string } }[]).find((i) => i.project._id === pid);
  if (!found) throw new Error(`no invitation of ${pid} for ${dev.email}`);
  return found._id;
}

async function join(dev: TestDeveloper, pid: string, role = 'viewer', by = owner) {
  await invite(by, pid, dev.email, role).expect(201);
  const id = await invitationOf(dev, pid);
  return request(t.app).post(`/api/invitations/${id}/accept`).set(auth(dev));
}

beforeAll(async () => {
  // A `team` plan with 3 members (owner included) for the race below; free keeps its 2.
  t = await createDashboardTestApp('members', (c) => {
    c.plans = { defaultPlan: 'free', overrides: { team: { maxMembers: 3, maxProjects: 5 } } };
  });
  owner = await registerVerifiedDeveloper(t);
  bob = await registerVerifiedDeveloper(t);
  carol = await registerVerifiedDeveloper(t);
  await t.deps.models.Developer.updateOne({ email: owner.email }, { $set: { plan: 'pro' } });
  projectId = (await createTestProject(t.app, owner, 'Team project'))._id;
  await request(t.app)
    .post(`/api/projects/${projectId}/collections`)
    .set(auth(owner))
    .send({ name: 'posts', schema: [{ key: 'title', type: 'String' }] })
    .expect(201);
});
afterAll(() => t.cleanup());

describe('inviting and joining', () => {
  it('mails the invitation with a link to the dashboard, and the invitee sees it with the project and inviter', async () => {
    const since = t.smtp.messages.length;
    const res = await invite(owner, projectId, bob.email.toUpperCase()).expect(201);
    expect(res.body).toMatchObject({
      success: true,
      data: { email: bob.email, role: 'viewer', mailed: true },
      message: `Invitation sent to ${bob.email}`,
    });
    const expires = new Date(res.body.data.expiresAt).getTime();
    expect(expires - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    const mail = await t.smtp.waitFor({ to: bob.email }, { since });
    expect(mail.subject).toContain('Team project');
    expect(mail.text).toContain(`${t.config.urls.dashboard}/invitations`);

    const mine = await request(t.app).get('/api/invitations').set(auth(bob)).expect(200);
    expect(mine.body.data).toEqual([
      expect.objectContaining({
        project: expect.objectContaining({ _id: projectId, name: 'Team project' }),
        invitedBy: expect.objectContaining({ email: owner.email }),
        role: 'viewer',
      }),
    ]);
    const pending = await request(t.app).get(`/api/projects/${projectId}/invitations`).set(auth(owner)).expect(200);
    expect(pending.body.data.invitations).toEqual([expect.objectContaining({ email: bob.email, role: 'viewer' })]);
  });

  it('refuses a second pending invitation, oneself, unknown accounts and bad roles, with clear errors', async () => {
    expect((await invite(owner, projectId, bob.email).expect(409)).body.error).toBe(
      'A pending invitation already exists for this developer',
    );
    expect((await invite(owner, projectId, owner.email).expect(400)).body.error).toBe('You cannot invite yourself');
    expect((await invite(owner, projectId, 'nobody@example.com').expect(404)).body.error).toBe(
      'No urBackend account found with this email address',
    );
    expect((await invite(owner, projectId, carol.email, 'root').expect(400)).body.error).toContain(
      "Role must be 'admin' or 'viewer'",
    );
    expect((await invite(owner, projectId, 'not-an-email').expect(400)).body.error).toContain(
      'A valid email address is required',
    );
  });

  it('accepting makes the project appear in the list with the role; the invitation is used up', async () => {
    const id = await invitationOf(bob, projectId);
    const res = await request(t.app).post(`/api/invitations/${id}/accept`).set(auth(bob)).expect(200);
    expect(res.body).toMatchObject({
      data: { projectId, role: 'viewer' },
      message: 'Invitation accepted — you are now a member of the project',
    });
    await request(t.app).post(`/api/invitations/${id}/accept`).set(auth(bob)).expect(404);

    const list = await request(t.app).get('/api/projects').set(auth(bob)).expect(200);
    expect(list.body).toEqual([
      expect.objectContaining({ _id: projectId, role: 'viewer', owner: { _id: owner.userId, email: owner.email } }),
    ]);
    const ownerList = await request(t.app).get('/api/projects').set(auth(owner)).expect(200);
    expect(ownerList.body).toEqual([expect.objectContaining({ _id: projectId, role: 'owner' })]);
    const project = await request(t.app).get(`/api/projects/${projectId}`).set(auth(bob)).expect(200);
    expect(project.body).toMatchObject({ name: 'Team project', role: 'viewer' });

    const members = await request(t.app).get(`/api/projects/${projectId}/members`).set(auth(bob)).expect(200);
    expect(members.body.data.members).toEqual([
      expect.objectContaining({ _id: owner.userId, email: owner.email, role: 'owner' }),
      expect.objectContaining({ _id: bob.userId, email: bob.email, role: 'viewer' }),
    ]);
    await invite(owner, projectId, bob.email).expect(409);
  });

  it('a viewer reads but cannot write; nothing changes', async () => {
    await request(t.app).get(`/api/projects/${projectId}/collections/posts/data`).set(auth(bob)).expect(200);
    const write = await request(t.app)
      .post(`/api/projects/${projectId}/collections/posts/data`)
      .set(auth(bob))
      .send({ title: 'from viewer' })
      .expect(403);
    expect(write.body).toEqual({ success: false, error: 'Viewers do not have write access to this project.', code: 403 });
    const rows = await request(t.app).get(`/api/projects/${projectId}/collections/posts/data`).set(auth(owner)).expect(200);
    expect(rows.body).toEqual([]);
    const inviteByViewer = await invite(bob, projectId, carol.email).expect(403);
    expect(inviteByViewer.body.error).toBe('Only the project owner can perform this action.');
  });

  it('the owner promotes the viewer to admin: they write, but owner-only actions stay refused', async () => {
    const res = await request(t.app)
      .patch(`/api/projects/${projectId}/members/${bob.userId}/role`)
      .set(auth(owner))
      .send({ role: 'admin' })
      .expect(200);
    expect(res.body).toMatchObject({ data: { memberId: bob.userId, role: 'admin' }, message: 'Member role updated' });
    await request(t.app)
      .post(`/api/projects/${projectId}/collections/posts/data`)
      .set(auth(bob))
      .send({ title: 'from admin' })
      .expect(201);
    await request(t.app).post(`/api/projects/${projectId}/api-key`).set(auth(bob)).send({ keyType: 'secret' }).expect(403);
    await request(t.app).delete(`/api/projects/${projectId}`).set(auth(bob)).expect(403);
    await request(t.app)
      .patch(`/api/projects/${projectId}/members/${owner.userId}/role`)
      .set(auth(owner))
      .send({ role: 'viewer' })
      .expect(403);
  });

  it('a declined invitation disappears and can be issued again', async () => {
    await invite(owner, projectId, carol.email, 'admin').expect(201);
    const id = await invitationOf(carol, projectId);
    const res = await request(t.app).post(`/api/invitations/${id}/decline`).set(auth(carol)).expect(200);
    expect(res.body.message).toBe('Invitation declined');
    expect((await request(t.app).get('/api/invitations').set(auth(carol)).expect(200)).body.data).toEqual([]);
    await invite(owner, projectId, carol.email, 'admin').expect(201);
    const again = await invitationOf(carol, projectId);
    await request(t.app).delete(`/api/projects/${projectId}/invitations/${again}`).set(auth(owner)).expect(200);
    await request(t.app).post(`/api/invitations/${again}/accept`).set(auth(carol)).expect(404);
  });
});

describe('member limits (owner included, by the owner plan)', () => {
  it('free allows 2: a second member cannot be invited', async () => {
    const freeOwner = await registerVerifiedDeveloper(t);
    const pid = (await createTestProject(t.app, freeOwner, 'Free team'))._id;
    await join(bob, pid, 'viewer', freeOwner).then((r) => expect(r.status).toBe(200));
    const res = await invite(freeOwner, pid, carol.email).expect(403);
    expect(res.body.error).toContain('Member limit reached (2 total');
  });

  it('exactly the plan limit is reached when invitees accept at the same time', async () => {
    const teamOwner = await registerVerifiedDeveloper(t);
    await t.deps.models.Developer.updateOne({ email: teamOwner.email }, { $set: { plan: 'team' } });
    const pid = (await createTestProject(t.app, teamOwner, 'Race team'))._id;
    const invitees = await Promise.all([1, 2, 3, 4].map(() => registerVerifiedDeveloper(t)));
    for (const dev of invitees) await invite(teamOwner, pid, dev.email).expect(201);
    const ids = await Promise.all(invitees.map((dev) => invitationOf(dev, pid)));
    const results = await Promise.all(
      invitees.map((dev, i) => request(t.app).post(`/api/invitations/${ids[i]}/accept`).set(auth(dev))),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 403, 403]);
    const refused = results.find((r) => r.status === 403);
    expect(refused?.body.error).toContain('Member limit reached (3 total');
    const members = await request(t.app).get(`/api/projects/${pid}/members`).set(auth(teamOwner)).expect(200);
    expect(members.body.data.members).toHaveLength(3);
  });
});

describe('removal, leaving and transfer', () => {
  it("a removed member's next request is 404, and the project leaves their list", async () => {
    await join(carol, projectId, 'viewer').then((r) => expect(r.status).toBe(200));
    await request(t.app).get(`/api/projects/${projectId}`).set(auth(carol)).expect(200);
    await request(t.app).delete(`/api/projects/${projectId}/members/${owner.userId}`).set(auth(owner)).expect(403);
    const res = await request(t.app).delete(`/api/projects/${projectId}/members/${carol.userId}`).set(auth(owner)).expect(200);
    expect(res.body.message).toBe('Member removed from project');
    const after = await request(t.app).get(`/api/projects/${projectId}`).set(auth(carol)).expect(404);
    expect(after.body.error).toBe('Project not found.');
    expect((await request(t.app).get('/api/projects').set(auth(carol)).expect(200)).body).toEqual([]);
    await request(t.app).delete(`/api/projects/${projectId}/members/${carol.userId}`).set(auth(owner)).expect(404);
  });

  it('a member may leave; the owner may not', async () => {
    await join(carol, projectId, 'viewer').then((r) => expect(r.status).toBe(200));
    await request(t.app).post(`/api/projects/${projectId}/leave`).set(auth(carol)).expect(200);
    await request(t.app).get(`/api/projects/${projectId}`).set(auth(carol)).expect(404);
    const ownerLeaves = await request(t.app).post(`/api/projects/${projectId}/leave`).set(auth(owner)).expect(400);
    expect(ownerLeaves.body.error).toContain('Transfer ownership');
  });

  it('ownership goes to an admin member only, confirmed by name; the old owner stays as admin', async () => {
    await join(carol, projectId, 'viewer').then((r) => expect(r.status).toBe(200));
    const toViewer = await request(t.app)
      .post(`/api/projects/${projectId}/transfer`)
      .set(auth(owner))
      .send({ memberId: carol.userId, confirm: 'Team project' })
      .expect(400);
    expect(toViewer.body.error).toContain('admin member');
    await request(t.app)
      .post(`/api/projects/${projectId}/transfer`)
      .set(auth(owner))
      .send({ memberId: bob.userId, confirm: 'team project' })
      .expect(400);
    // Bob is on the free plan (1 project): he owns none, so he can take this one.
    const res = await request(t.app)
      .post(`/api/projects/${projectId}/transfer`)
      .set(auth(owner))
      .send({ memberId: bob.userId, confirm: 'Team project' })
      .expect(200);
    expect(res.body.data.owner).toEqual({ _id: bob.userId, email: bob.email });
    expect((await request(t.app).get(`/api/projects/${projectId}`).set(auth(bob)).expect(200)).body.role).toBe('owner');
    expect((await request(t.app).get(`/api/projects/${projectId}`).set(auth(owner)).expect(200)).body.role).toBe('admin');
    // The former owner lost owner-only rights.
    await request(t.app).delete(`/api/projects/${projectId}`).set(auth(owner)).expect(403);
    const members = await request(t.app).get(`/api/projects/${projectId}/members`).set(auth(bob)).expect(200);
    expect(members.body.data.members).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ _id: bob.userId, role: 'owner' }),
        expect.objectContaining({ _id: owner.userId, role: 'admin' }),
        expect.objectContaining({ _id: carol.userId, role: 'viewer' }),
      ]),
    );
  });

  it('member changes are in the config log with who did them', async () => {
    const res = await request(t.app)
      .get(`/api/projects/${projectId}/config-logs?category=member&limit=100`)
      .set(auth(bob))
      .expect(200);
    const labels = (res.body.data.logs as { label: string }[]).map((l) => l.label);
    expect(labels).toEqual(
      expect.arrayContaining([
        `Invited ${bob.email} as viewer`,
        `${bob.email} joined as viewer`,
        `Role of ${bob.email} changed to admin`,
        `${carol.email} removed from the project`,
        `Ownership transferred to ${bob.email}`,
      ]),
    );
  });
});
