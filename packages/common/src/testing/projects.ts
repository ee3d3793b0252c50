import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { type Connection, Types } from 'mongoose';
import { type SecretBox, generateApiKey, randomToken, sha256Hex } from '../crypto/index.js';
import type { PlatformDb } from '../db/index.js';
import { type FieldDef, type RlsConfig, createPlatformModels } from '../models/index.js';
import { projectSecretContext } from '../scope/index.js';

/** A collection to create with a test project. */
export interface TestCollectionInput {
  name: string;
  model?: FieldDef[];
  rls?: Partial<RlsConfig>;
}

export interface TestProjectOptions {
  name?: string;
  collections?: TestCollectionInput[];
  allowedDomains?: string[];
  ownerVerified?: boolean;
  isAuthEnabled?: boolean;
  /** Store data in this MongoDB URI instead (BYOD); the URI is encrypted like the dashboard does. */
  byodUri?: string;
}

/** A project created directly in the platform database, with its raw keys. */
export interface TestProject {
  projectId: string;
  ownerId: string;
  publishableKey: string;
  secretKey: string;
  /** Raw user-JWT secret (the stored one is encrypted). */
  jwtSecret: string;
}

/**
 * Inserts a project the way the dashboard does: keys stored as SHA-256 hashes, the user-JWT
 * secret (and BYOD URI) encrypted with `secretBox` bound to the project, an owner developer
 * (verified unless `ownerVerified:false`), collections with their field lists and RLS.
 */
export async function createTestProject(
  db: PlatformDb,
  secretBox: SecretBox,
  options: TestProjectOptions = {},
): Promise<TestProject> {
  const models = createPlatformModels(db.connection);
  const owner = await models.Developer.create({
    email: `owner-${randomBytes(6).toString('hex')}@example.test`,
    passwordHash: '$2b$10$invalidinvalidinvalidinvalidinvalidinvalidinvalidinvali',
    isVerified: options.ownerVerified ?? true,
  });
  const _id = new Types.ObjectId();
  const id = _id.toString();
  const publishableKey = generateApiKey('pk_live_');
  const secretKey = generateApiKey('sk_live_');
  const jwtSecret = `jwt_${randomToken(32)}`;
  await models.Project.create({
    _id,
    name: options.name ?? 'Test project',
    owner: owner._id,
    publishableKeyHash: sha256Hex(publishableKey),
    secretKeyHash: sha256Hex(secretKey),
    jwtSecret: secretBox.encrypt(jwtSecret, projectSecretContext(id, 'jwtSecret')),
    isAuthEnabled: options.isAuthEnabled ?? true,
    allowedDomains: options.allowedDomains ?? ['*'],
    collections: (options.collections ?? []).map((c) => ({ name: c.name, model: c.model ?? [], rls: c.rls ?? {} })),
    resources: options.byodUri
      ? {
          db: {
            isExternal: true,
            config: secretBox.encrypt(JSON.stringify({ dbUri: options.byodUri }), projectSecretContext(id, 'byod:db')),
          },
        }
      : undefined,
  });
  return { projectId: id, ownerId: owner._id.toString(), publishableKey, secretKey, jwtSecret };
}

/** Inserts an end user into a project's `users` collection on `connection`; returns its id. */
export async function createTestUser(connection: Connection, fields: Record<string, unknown> = {}): Promise<string> {
  const result = await connection.collection('users').insertOne({
    email: `user-${randomBytes(6).toString('hex')}@example.test`,
    password: '$2b$10$notarealhashnotarealhashnotarealhashnotarealhashnotare',
    emailVerified: true,
    createdAt: new Date(),
    updatedAt: new Date(),
    ...fields,
  });
  return result.insertedId.toString();
}

/** Signs an end-user access token the way `/api/userAuth` does (HS256, claims userId + projectId). */
export function signTestUserToken(
  project: Pick<TestProject, 'projectId' | 'jwtSecret'>,
  userId: string,
  expiresIn = '15m',
): string {
  return jwt.sign({ userId, projectId: project.projectId }, project.jwtSecret, {
    algorithm: 'HS256',
    expiresIn: expiresIn as jwt.SignOptions['expiresIn'],
  });
}
