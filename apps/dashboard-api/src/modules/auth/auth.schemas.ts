import { z } from 'zod';

const email = z
  .string({ required_error: 'email is required' })
  .trim()
  .toLowerCase()
  .email('email must be a valid email address')
  .max(254);
const password = z.string({ required_error: 'password is required' }).min(6, 'password must be at least 6 characters').max(100);
const anyPassword = z.string({ required_error: 'password is required' }).min(1).max(200);
const otp = z.string({ required_error: 'otp is required' }).regex(/^\d{6}$/, 'otp must be 6 digits');

/** `inviteCode`: required when the registration mode is `invite-only` (ignored otherwise). */
export const registerBody = z.object({ email, password, inviteCode: z.string().trim().max(200).optional() });
export const loginBody = z.object({ email, password: anyPassword });
export const emailBody = z.object({ email });
export const verifyOtpBody = z.object({ email, otp });
export const resetPasswordBody = z.object({ email, otp, newPassword: password });
export const changePasswordBody = z.object({ currentPassword: anyPassword, newPassword: password });
export const deleteAccountBody = z.object({ password: anyPassword });
