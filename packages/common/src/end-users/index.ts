export {
  DISABLED_ACCOUNT_MESSAGE,
  HIDDEN_FIELDS,
  MIN_PASSWORD_LENGTH,
  SELF_PROTECTED_USER_FIELDS,
  SYSTEM_USER_FIELDS,
  USER_DISABLED_FIELD,
  assertUserEnabled,
  endUserEmailSchema,
  endUserPasswordSchema,
  isUserDisabled,
  prepareUserWrite,
} from './rules.js';
export { readableDevice, readableIp } from './sessions-view.js';
export { createEndUserAdmin, type EndUserAdmin, type EndUserAdminDeps, type EndUserPage } from './admin.service.js';
export {
  assertSafeKeys,
  byId,
  createUsersAccess,
  customFieldsOf,
  customValues,
  fillGeneratedNames,
  publicView,
  selfView,
  usernameSchema,
  usersCollectionOf,
  type UserDoc,
  type UsersAccess,
} from './profile.js';
