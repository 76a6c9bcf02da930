export {
  createClient,
  Client,
  type ClientOptions,
  type CallOptions,
  type ConnectorClient,
  type PreparedCall,
  type PrepareOptions,
} from './client.js';
export { fromEnv } from './from-env.js';
export { CONNECTORS, type ConnectorDef, type Credentials, type CredentialField } from './connectors.js';
export * from './errors.js';
export {
  OPERATIONS,
  findOperation,
  listOperations,
  type OperationId,
  type RegisteredOperation,
} from './operations/registry.js';
export type {
  AnyOperation,
  OperationDef,
  Safety,
  RateBucket,
  WireRequest,
  WireResponse,
} from './operations/types.js';
export { REGIONS, CONNECTOR_IDS, baseUrlFor, type Region, type ConnectorId } from './regions.js';
export type {
  Exchange,
  ExchangeObserver,
  LogEntry,
  Logger,
  PreparedRequest,
  PrintableRequest,
} from './transport/transport.js';
export type { DeliveryEvent, DeliveryObserver } from './transport/delivery-events.js';
export {
  DEFAULT_RETRY,
  decideRetry,
  parseRetryAfter,
  type RetryOptions,
  type RetryDecision,
  type AttemptOutcome,
} from './delivery/retry-policy.js';
export { DEFAULT_RATE_LIMITS, type RateLimit } from './delivery/rate-limiter.js';
export {
  sendBatch,
  BatchAbortedError,
  type BatchReport,
  type BatchItemProblem,
  type BatchOptions,
  type BatchRequestResult,
} from './delivery/batch-builder.js';
export {
  importFile,
  type ImportOptions,
  type ImportProgress,
  type ImportStatus,
  type ImportSummary,
} from './import/import-file.js';
export type { ColumnSpec, ColumnType, IdentifierType, ImportKind, MappingSpec } from './import/mapping.js';
export type { ImportFormat } from './import/input.js';
export { testAuthentication, type TestReport, type TestSubject } from './diagnose.js';
export { VERSION } from './version.js';
export {
  signWebhook,
  verifyWebhook,
  verifyWebhookRequest,
  type WebhookCheck,
  type WebhookVerdict,
} from './webhooks/verify.js';
