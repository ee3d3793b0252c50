import type { Logger } from '@urbackend/common/logger';
import type { DeveloperModel } from '@urbackend/common/models';
import type { PasswordHasher } from '@urbackend/common/user-auth';
import type { OwnerChanged } from '../projects/owner-changes.js';

/**
 * Creates or updates the platform admin from `ADMIN_EMAIL`/`ADMIN_PASSWORD`: verified, admin,
 * password set when given (an existing admin keeps theirs when `ADMIN_PASSWORD` is unset).
 * Other developers lose the admin flag, so only the configured email is admin.
 */
export async function ensureAdmin(
  Developer: DeveloperModel,
  admin: { email: string; password: string | null } | null,
  logger: Logger,
  hasher: PasswordHasher,
  ownerChanged: OwnerChanged,
): Promise<void> {
  if (!admin) {
    const demoted = await Developer.find({ isAdmin: true }).select('_id').lean();
    await Developer.updateMany({ isAdmin: true }, { $set: { isAdmin: false } });
    await ownerChanged(
      demoted.map((d) => d._id),
      'owner-admin',
    );
    return;
  }
  const existing = await Developer.findOne({ email: admin.email }).select('+passwordHash');
  if (!existing) {
    if (!admin.password) {
      logger.warn({ email: admin.email }, 'ADMIN_EMAIL has no account yet and ADMIN_PASSWORD is not set: admin not created');
      return;
    }
    await Developer.create({
      email: admin.email,
      passwordHash: await hasher.hash(admin.password),
      isVerified: true,
      isAdmin: true,
    });
    logger.info({ email: admin.email }, 'platform admin created');
  } else {
    existing.isVerified = true;
    existing.isAdmin = true;
    if (admin.password && !(await hasher.verify(admin.password, existing.passwordHash))) {
      existing.passwordHash = await hasher.hash(admin.password);
    }
    await existing.save();
    logger.info({ email: admin.email }, 'platform admin updated');
  }
  const demoted = await Developer.find({ isAdmin: true, email: { $ne: admin.email } })
    .select('_id')
    .lean();
  await Developer.updateMany({ isAdmin: true, email: { $ne: admin.email } }, { $set: { isAdmin: false } });
  const promoted = await Developer.findOne({ email: admin.email }).select('_id').lean();
  await ownerChanged([...demoted.map((d) => d._id), ...(promoted ? [promoted._id] : [])], 'owner-admin');
}
