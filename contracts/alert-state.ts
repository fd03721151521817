/*
 * Shapes of an alert's workflow and encounter, free of any import, so that the dashboard takes
 * them (and the initial state it gives a freshly raised alert) without bundling the schemas or
 * the bus: one definition for the core and the browser.
 */
/**
 * The verification workflow's state of one alert (the fold of its events, alerts/workflow.ts):
 * one definition for the core and the dashboard, which starts a freshly raised alert here.
 */
export const DISPOSITIONS = ['confirmed_hit', 'misread', 'wrong_state', 'record_inactive', 'no_action', 'duplicate'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];
export const ALERT_STATUSES = ['new', 'acknowledged', 'closed'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export interface AlertState {
  status: AlertStatus;
  escalated: boolean;
  acknowledgedBy: string | null;
  readVerified: boolean | null;
  stateVerified: boolean | null;
  recordActive: boolean | null;
  disposition: Disposition | null;
}

export const INITIAL_ALERT_STATE: Readonly<AlertState> = Object.freeze({
  status: 'new',
  escalated: false,
  acknowledgedBy: null,
  readVerified: null,
  stateVerified: null,
  recordActive: null,
  disposition: null,
});

/** One pass of the vehicle that an alert stands for: the first read, and each repeat within the suppression window. */
export interface AlertSighting {
  readId: string;
  cameraId: string;
  /** When the vehicle was seen (the read's capture time). */
  seenAt: string;
  plate: string;
  place: string | null;
}

/** An alert's encounter: how often, and where and when last, the vehicle was seen. */
export interface AlertEncounter {
  hits: number;
  firstSeenAt: string;
  lastSeenAt: string;
  lastCameraId: string;
  lastPlace: string | null;
}
