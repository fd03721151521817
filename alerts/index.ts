/**
 * Alerts: the matcher's hits stored with their workflow (acknowledge, verify, dispose), the live
 * feed and the signed webhook, historical hits of a newly listed plate, and their API.
 */
export { startAlertService, AlertNotFoundError, type AlertService, type AlertServiceOptions } from './service.ts';
export { alertRoutes, alertRules } from './routes.ts';
export { alertEvidenceRoutes, alertEvidenceRules, evidenceRefusal, plateImageShown, ALERT_EVIDENCE_HOURS } from './evidence.ts';
export { raiseHistoricalHits, type HistoricalOptions } from './historical.ts';
export {
  storeAlerts,
  listAlerts,
  getAlert,
  appendEvent,
  overdueAlerts,
  type StoredAlert,
  type AlertQuery,
  type AlertPage,
} from './store.ts';
export { ingestHits, encountersOf, type Ingested, type Sighted } from './sightings.ts';
export {
  planEncounters,
  encounterKey,
  isHistorical,
  suppressionWindowMs,
  type EncounterDecision,
  type OpenEncounter,
  type SuppressionPolicy,
} from './encounter.ts';
export { AlertHub, startWebhook, type AlertNotice } from './notify.ts';
export {
  DISPOSITIONS,
  INITIAL_STATE,
  WorkflowError,
  reduce,
  fold,
  applyAction,
  closeAsDuplicate,
  type Disposition,
  type WorkflowAction,
  type WorkflowEvent,
  type AlertStatus,
  type AlertState,
} from './workflow.ts';
