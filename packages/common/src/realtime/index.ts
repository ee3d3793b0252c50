export {
  createRealtimeBus,
  streamKey,
  type RealtimeBus,
  type RealtimeBusOptions,
  type RealtimeBusStats,
  type RealtimeEntry,
  type RealtimeRecord,
  type Replay,
} from './bus.js';
export {
  DEFAULT_REALTIME_SERVER,
  DEFAULT_REALTIME_STREAM,
  effectiveLimit,
  mapRealtimeServerEnv,
  mapRealtimeStreamEnv,
  realtimeServerEnvShape,
  realtimeStreamEnvShape,
  type RealtimeServerConfig,
  type RealtimeStreamConfig,
} from './config.js';
export { compareIds, idTime, isStreamId } from './ids.js';
export { createConnectionPresence, type ConnectionPresence } from './presence.js';
export { asJson, compileSubscription, type CompiledSubscription, type SubscriberEvent } from './rules.js';
export { createTicketStore, type TicketCredentials, type TicketStore } from './tickets.js';
