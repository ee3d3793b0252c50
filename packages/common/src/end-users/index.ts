export {
  MIN_PASSWORD_LENGTH,
  SELF_PROTECTED_USER_FIELDS,
  SYSTEM_USER_FIELDS,
  endUserEmailSchema,
  endUserPasswordSchema,
  prepareUserWrite,
} from './rules.js';
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
