export { RecognitionGate, GATE_ENV, type GateMessage, type RecognitionGateOptions } from './gate.ts';
export { gateFromParent, GATE_PATIENCE_MS, type GateClient, type GateRelease } from './client.ts';
export { nextGrant, type GateRequest } from './schedule.ts';
