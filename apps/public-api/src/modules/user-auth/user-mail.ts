import type { ProjectScope } from '@urbackend/common/scope';
import { type OtpPurpose, startOtpMail } from '@urbackend/common/user-auth';
import type { UserAuthKit } from './user-auth.kit.js';

/**
 * Issues and mails an end user's OTP (`startOtpMail`, shared with the dashboard's "Send password
 * reset"). Delivery runs in the background so known and unknown emails answer alike and equally
 * fast; failures are logged.
 */
export async function sendOtpMail(kit: UserAuthKit, scope: ProjectScope, purpose: OtpPurpose, email: string): Promise<void> {
  const project = { _id: scope.project._id, name: scope.project.name };
  const { delivery } = await startOtpMail({ otp: kit.otp, mailer: kit.mailer, mailFrom: kit.mailFrom }, project, purpose, email);
  delivery.catch((err: unknown) =>
    kit.logger.warn({ err: { message: (err as Error).message }, projectId: scope.project._id, purpose }, 'OTP mail not sent'),
  );
}
