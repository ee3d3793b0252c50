import { randomUUID } from 'node:crypto';

/** A data change the public or dashboard API made. */
export type DataAction = 'insert' | 'update' | 'delete' | 'recover';

export interface DataEvent {
  projectId: string;
  collection: string;
  action: DataAction;
  documentId: string;
  /** The document after the change (before it, for delete). */
  data: unknown;
  /** An insert that brought the document back from the trash: delivered as the `recover` action. */
  recovered?: boolean;
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

/** The webhook action of a data event: a recovered insert is `recover` (subscribed with the `recover` flag). */
export function webhookAction(event: Pick<DataEvent, 'action' | 'recovered'>): DataAction {
  return event.recovered ? 'recover' : event.action;
}

/** Builds the payload of a data event: `event` is `<collection>.<action>`. */
export function eventPayload(event: DataEvent, now = new Date()): WebhookPayload {
  const action = webhookAction(event);
  return {
    event: `${event.collection}.${action}`,
    timestamp: now.toISOString(),
    projectId: event.projectId,
    collection: event.collection,
    action,
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
