import type { Connection } from 'mongoose';
import { type AdminAuditModel, adminAuditModel } from './admin-audit.model.js';
import { type ConfigLogModel, configLogModel } from './config-log.model.js';
import { type DeveloperOtpModel, developerOtpModel } from './developer-otp.model.js';
import { type DeveloperModel, type DeveloperSessionModel, developerModel, developerSessionModel } from './developer.model.js';
import { type InviteCodeModel, type InviteCodeUseModel, inviteCodeModel, inviteCodeUseModel } from './invite-code.model.js';
import { type MailDeliveryModel, mailDeliveryModel } from './mail-delivery.model.js';
import { type MailTemplateModel, mailTemplateModel } from './mail-template.model.js';
import { type PendingUploadModel, pendingUploadModel } from './pending-upload.model.js';
import { type PlatformSettingsModel, platformSettingsModel } from './platform-settings.model.js';
import { type ProjectModel, projectModel } from './project.model.js';
import { type ReleaseModel, releaseModel } from './release.model.js';
import { type StoredFileModel, storedFileModel } from './stored-file.model.js';
import {
  type PersonalAccessTokenModel,
  type ProjectInvitationModel,
  personalAccessTokenModel,
  projectInvitationModel,
} from './team.model.js';
import { type UserOtpModel, type UserSessionModel, userOtpModel, userSessionModel } from './user-session.model.js';
import { type WebhookDeliveryModel, webhookDeliveryModel, webhookOutboxModel } from './webhook-delivery.model.js';
import { type WebhookModel, webhookModel } from './webhook.model.js';

export * from './developer.model.js';
export * from './project.model.js';
export * from './developer-otp.model.js';
export * from './release.model.js';
export * from './stored-file.model.js';
export * from './pending-upload.model.js';
export * from './webhook.model.js';
export * from './webhook-delivery.model.js';
export * from './mail-template.model.js';
export * from './mail-delivery.model.js';
export * from './user-session.model.js';
export * from './request-log.model.js';
export * from './config-log.model.js';
export * from './team.model.js';
export * from './platform-settings.model.js';
export * from './invite-code.model.js';
export * from './admin-audit.model.js';

/** The platform database's models, registered on one connection. */
export interface PlatformModels {
  Developer: DeveloperModel;
  DeveloperSession: DeveloperSessionModel;
  Project: ProjectModel;
  DeveloperOtp: DeveloperOtpModel;
  Release: ReleaseModel;
  StoredFile: StoredFileModel;
  PendingUpload: PendingUploadModel;
  Webhook: WebhookModel;
  WebhookDelivery: WebhookDeliveryModel;
  WebhookOutbox: WebhookDeliveryModel;
  MailTemplate: MailTemplateModel;
  MailDelivery: MailDeliveryModel;
  UserSession: UserSessionModel;
  UserOtp: UserOtpModel;
  ProjectInvitation: ProjectInvitationModel;
  PersonalAccessToken: PersonalAccessTokenModel;
  /** Project configuration changes (config audit log). */
  ConfigLog: ConfigLogModel;
  /** Platform-wide settings set by the admin (registration mode). */
  PlatformSettings: PlatformSettingsModel;
  /** Registration invite codes (registration mode `invite-only`). */
  InviteCode: InviteCodeModel;
  /** One document per registration made with an invite code (unique slot per code). */
  InviteCodeUse: InviteCodeUseModel;
  /** Platform admin actions (platform audit log). */
  AdminAudit: AdminAuditModel;
}

/** Registers the platform models on `connection` (idempotent). Call `ensurePlatformIndexes` once connected. */
export function createPlatformModels(connection: Connection): PlatformModels {
  return {
    Developer: developerModel(connection),
    DeveloperSession: developerSessionModel(connection),
    Project: projectModel(connection),
    DeveloperOtp: developerOtpModel(connection),
    Release: releaseModel(connection),
    StoredFile: storedFileModel(connection),
    PendingUpload: pendingUploadModel(connection),
    Webhook: webhookModel(connection),
    WebhookDelivery: webhookDeliveryModel(connection),
    WebhookOutbox: webhookOutboxModel(connection),
    MailTemplate: mailTemplateModel(connection),
    MailDelivery: mailDeliveryModel(connection),
    UserSession: userSessionModel(connection),
    UserOtp: userOtpModel(connection),
    ProjectInvitation: projectInvitationModel(connection),
    PersonalAccessToken: personalAccessTokenModel(connection),
    ConfigLog: configLogModel(connection),
    PlatformSettings: platformSettingsModel(connection),
    InviteCode: inviteCodeModel(connection),
    InviteCodeUse: inviteCodeUseModel(connection),
    AdminAudit: adminAuditModel(connection),
  };
}

/**
 * Creates the declared indexes of every model (unique keys are correctness, so this runs at boot and
 * in tests). Several processes starting on a fresh database build the same indexes at once, which
 * FerretDB (and MongoDB, for a collection being created) can answer with a transient conflict: each
 * model is retried a few times before the error is thrown.
 */
export async function ensurePlatformIndexes(models: object, attempts = 5): Promise<void> {
  for (const model of Object.values(models) as { createIndexes(): Promise<unknown> }[]) {
    for (let attempt = 1; ; attempt++) {
      try {
        await model.createIndexes();
        break;
      } catch (err) {
        if (attempt >= attempts) throw err;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }
}
