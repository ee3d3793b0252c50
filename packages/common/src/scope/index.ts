import { forbidden, unauthenticated } from '../errors/index.js';
import type { PlanLimits } from '../plans/index.js';
import type { TenantDb } from '../tenant/index.js';
import type { ScopedProject } from './project.js';

export {
  findCollection,
  SCOPED_PROJECT_FIELDS,
  toScopedProject,
  type ScopedCollection,
  type ScopedProject,
} from './project.js';

/** Roles of a developer in a project: the owner (creator) and invited members. */
export type ProjectRole = 'owner' | 'admin' | 'viewer';

/** The kind of API key a public-API request used. */
export type KeyRole = 'publishable' | 'secret';

/** An end user of a project, from a verified `Authorization: Bearer` user token. */
export interface EndUser {
  userId: string;
  claims: Record<string, unknown>;
}

/** An app calling the public API with one of the project's keys (and maybe an end user's token). */
export interface KeyActor {
  type: 'key';
  key: KeyRole;
  /** SHA-256 hex of the key used (as stored on the project). */
  keyHash: string;
  /** The end user of a valid user token; null without one (set by the public API's auth-user middleware). */
  user: EndUser | null;
}

/** A developer working on the project from the dashboard. */
export interface DeveloperActor {
  type: 'developer';
  developerId: string;
  /** The developer's email (who did it, in audit logs). */
  email: string;
  role: ProjectRole;
  /** How the developer authenticated: a dashboard session, or a personal access token. */
  via: 'session' | 'pat';
}

/** Who acts in a request. */
export type Actor = KeyActor | DeveloperActor;

/**
 * Everything a project service needs about the request's project, built once per request by
 * one middleware per app (public-api: API key; dashboard-api: project access) and passed to
 * services as their first argument. Services never load the project or check access again.
 */
export interface ProjectScope<P extends ScopedProject = ScopedProject> {
  project: P;
  /** The project's data access (connects lazily; BYOD failures are 503s). */
  tenant: TenantDb;
  /** The owner's plan limits with the project's custom limits applied. */
  limits: PlanLimits;
  actor: Actor;
}

/**
 * Refuses a project whose owner may not serve it: a disabled owner (403) or an unverified one
 * (401 `Owner not verified`, reference wording). Every entry to a project without a developer
 * (API keys, OAuth callbacks) checks this one rule.
 */
export function assertProjectServable(project: Pick<ScopedProject, 'owner'>): void {
  if (project.owner.disabled) {
    throw forbidden('This project is unavailable: its owner account has been disabled by the server administrator.');
  }
  if (!project.owner.isVerified) throw unauthenticated('Owner not verified');
}

/** The id of the scope's project (a 24-hex string). */
export function projectIdOf(scope: Pick<ProjectScope, 'project'>): string {
  return scope.project._id;
}

/**
 * True when the actor acts with the project's full rights: a developer, or the secret key.
 * Row-level security and the `users` collection guard apply to everyone else.
 */
export function isPrivileged(scope: Pick<ProjectScope, 'actor'>): boolean {
  return scope.actor.type === 'developer' || scope.actor.key === 'secret';
}

/** The end user acting through a publishable or secret key with a user token; null otherwise. */
export function endUserOf(scope: Pick<ProjectScope, 'actor'>): EndUser | null {
  return scope.actor.type === 'key' ? scope.actor.user : null;
}

/** The key role of an API-key request; null for a developer. */
export function keyRoleOf(scope: Pick<ProjectScope, 'actor'>): KeyRole | null {
  return scope.actor.type === 'key' ? scope.actor.key : null;
}

/** The encryption context (AES-GCM associated data) of a project secret: `project:<id>:<name>`. */
export function projectSecretContext(projectId: string, name: string): string {
  return `project:${projectId}:${name}`;
}
