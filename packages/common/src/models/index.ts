import type { Connection } from 'mongoose';
import { type DeveloperModel, type DeveloperSessionModel, developerModel, developerSessionModel } from './developer.model.js';
import { type ProjectModel, projectModel } from './project.model.js';

export * from './developer.model.js';
export * from './project.model.js';

/** The platform database's models, registered on one connection. */
export interface PlatformModels {
  Developer: DeveloperModel;
  DeveloperSession: DeveloperSessionModel;
  Project: ProjectModel;
}

/** Registers the platform models on `connection` (idempotent). Call `ensurePlatformIndexes` once connected. */
export function createPlatformModels(connection: Connection): PlatformModels {
  return {
    Developer: developerModel(connection),
    DeveloperSession: developerSessionModel(connection),
    Project: projectModel(connection),
  };
}

/** Creates the declared indexes of every model (unique keys are correctness, so this runs at boot and in tests). */
export async function ensurePlatformIndexes(models: object): Promise<void> {
  for (const model of Object.values(models) as { createIndexes(): Promise<unknown> }[]) {
    await model.createIndexes();
  }
}
