import type { ProjectScope } from '../scope/index.js';

/** A successful write to a project's data, from either API (webhooks hook here). */
export interface DataEvent {
  collection: string;
  action: 'insert' | 'update' | 'delete';
  /** Id of the affected document (as a string). */
  documentId: string;
  /** The document after insert/update, the document before deletion (never `password`). */
  data: Record<string, unknown>;
  /** Updates: the names of the fields the write set (never `password`). Realtime only; webhooks ignore it. */
  changedFields?: string[];
  /** Updates: the document before the write (never `password`), so realtime can tell a document entering or leaving a subscriber's view. */
  before?: Record<string, unknown>;
  /** Inserts: true when the document came back from the trash (webhooks send it as `recover`). */
  recovered?: boolean;
}

/**
 * Called after every successful insert, update and delete (one call per document, bulk included),
 * after the response's data is committed. Must not throw; a rejection is logged and ignored.
 */
export type DataEventHandler = (scope: ProjectScope, event: DataEvent) => void | Promise<void>;

/** The default handler: does nothing. */
export const noDataEvents: DataEventHandler = () => undefined;
