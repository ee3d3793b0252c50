import { randomUUID } from 'node:crypto';

/** A data change the public or dashboard API made. */
export type DataAction = 'insert' | 'update' | 'delete';

export interface DataEvent {
  projectId: string;
  collection: string;
  action: DataAction;
  documentId: string;
  /** The document after the change (before it, for delete). */
  data: unknown;
}

/** The JSON body of a data webhook (reference §1.9). */
export interface WebhookPayload {
  event: string;
  timestamp: string;
  projectId: string;
  collection: string;
  action: string;
  documentId: string;
  data: unknown;
}

/** Builds the payload of a data event: `event` is `<collection>.<action>`. */
export function eventPayload(event: DataEvent, now = new Date()): WebhookPayload {
  return {
    event: `${event.collection}.${event.action}`,
    timestamp: now.toISOString(),
    projectId: event.projectId,
    collection: event.collection,
    action: event.action,
    documentId: event.documentId,
    data: event.data,
  };
}

/** The payload of a dashboard test ping (reference §6.2). */
export function pingPayload(projectId: string, now = new Date()): WebhookPayload {
  return {
    event: 'test.ping',
    timestamp: now.toISOString(),
    projectId,
    collection: 'test',
    action: 'ping',
    documentId: `test-${randomUUID()}`,
    data: { message: 'This is a test delivery from urBackend.', triggeredBy: 'dashboard' },
  };
}
