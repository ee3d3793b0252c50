export {
  MIN_PASSWORD_LENGTH,
  SELF_PROTECTED_USER_FIELDS,
  SYSTEM_USER_FIELDS,
  prepareUserWrite,
} from './rules.js';
