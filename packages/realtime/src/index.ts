export { type RealtimeClient, createRealtimeClient, parseEventStream } from './client.js';
export {
  type ChangeEvent,
  type DeleteEvent,
  type Doc,
  type Filter,
  type Handlers,
  type InsertEvent,
  RealtimeError,
  type RealtimeClientOptions,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionStatus,
  type UpdateEvent,
  type WebSocketConstructor,
  type WebSocketLike,
} from './types.js';
