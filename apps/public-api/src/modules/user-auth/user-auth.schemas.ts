import { endUserEmailSchema, endUserPasswordSchema, usernameSchema } from '@urbackend/common/end-users';
import { z } from 'zod';

/** Emails are trimmed and lower-cased everywhere (CONTRACT §3.2); one rule with the dashboard's "Add user". */
export const emailSchema = endUserEmailSchema;
const newPassword = endUserPasswordSchema;

const otpSchema = z
  .string({ required_error: 'otp is required', invalid_type_error: 'otp must be a string' })
  .trim()
  .length(6, 'OTP must be 6 digits');

/** Signup: email, password, optional username; other keys are custom fields, checked against the users schema. */
export const signupSchema = z
  .object({ email: emailSchema, password: newPassword('password'), username: usernameSchema.optional() })
  .passthrough();

export const loginSchema = z.object({
  email: emailSchema,
  password: z.string({ required_error: 'password is required', invalid_type_error: 'password must be a string' }).max(200),
});

export const emailOnlySchema = z.object({ email: emailSchema });
export const verifyEmailSchema = z.object({ email: emailSchema, otp: otpSchema });
export const resetPasswordSchema = z.object({ email: emailSchema, otp: otpSchema, newPassword: newPassword('newPassword') });

export const changePasswordSchema = z.object({
  currentPassword: z.string({ required_error: 'currentPassword is required' }).max(200),
  newPassword: newPassword('newPassword'),
});

export const socialExchangeSchema = z.object({
  rtCode: z.string().trim().optional(),
  token: z.string().trim().optional(),
});
