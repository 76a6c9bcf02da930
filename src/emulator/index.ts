export { createEmulator, type Emulator, type EmulatorOptions } from './server.js';
export {
  EmulatorState,
  DEFAULT_WORKSPACE,
  type WorkspaceConfig,
  type Person,
  type StoredEvent,
} from './state.js';
export type { FaultSpec } from './faults.js';
export type { RequestRecord } from './control-routes.js';
