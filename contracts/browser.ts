/**
 * The part of contracts/ the dashboard bundles: modules that import nothing from Node, zod or
 * the bus, so that a page takes the shared rules (states of issue, an alert's workflow state)
 * without the NATS client and the schemas. Everything here is also exported by index.ts.
 */
export { US_STATES, type UsState } from './plate.ts';
export * from './alert-state.ts';
export { zoneParts, zoneStamp } from './zone-time.ts';
