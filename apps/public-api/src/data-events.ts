import type { PublicContext } from './context.js';

/** A successful write through the data API (webhooks hook here). */
export interface DataEvent {
  collection: string;
  action: 'insert' | 'update' | 'delete';
  /** Id of the affected document (as a string). */
  documentId: string;
  /** The document after insert/update, the document before deletion. */
  data: Record<string, unknown>;
}

/**
 * Called after every successful insert, update and delete (one call per document, bulk included),
 * after the response's data is committed. Must not throw; a rejection is logged and ignored.
 */
export type DataEventHandler = (ctx: PublicContext, event: DataEvent) => void | Promise<void>;

/** The default handler: does nothing. */
export const noDataEvents: DataEventHandler = () => undefined;
