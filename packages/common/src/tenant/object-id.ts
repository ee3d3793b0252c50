import { Types } from 'mongoose';
import { z } from 'zod';
import { badRequest } from '../errors/index.js';

/** MongoDB ObjectId class (re-exported so apps share common's mongoose copy for `instanceof`). */
export const ObjectId = Types.ObjectId;
export type ObjectId = Types.ObjectId;

/** True for a 24-hex-character string (what the API accepts as an id). */
export function isObjectIdHex(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-fA-F]{24}$/.test(value);
}

/** The ObjectId of a 24-hex string, or null. */
export function toObjectId(value: unknown): Types.ObjectId | null {
  return isObjectIdHex(value) ? new Types.ObjectId(value) : null;
}

/** The ObjectId of an id path parameter; 400 `Invalid ID format.` for anything but 24 hex characters. */
export function parseObjectId(value: unknown): Types.ObjectId {
  const id = toObjectId(value);
  if (!id) throw badRequest('Invalid ID format.');
  return id;
}

/** A zod string that is an ObjectId in hex (24 characters): for ids inside bodies and route params. */
export const objectIdSchema = z.string().refine(isObjectIdHex, 'must be a 24-character hex id');
