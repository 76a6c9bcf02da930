export { createEmulator, type Emulator, type EmulatorOptions } from './server.js';
export {
  EmulatorState,
  DEFAULT_WORKSPACE,
  type WorkspaceConfig,
  type Person,
  type StoredEvent,
} from './model/workspace.js';
export type { FaultSpec } from './faults.js';
export type { RequestRecord } from './routes/control.js';
