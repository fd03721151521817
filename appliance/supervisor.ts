import type { ChildProcess } from 'node:child_process';
import type { Logger, ServiceState, ServiceStatus, SupervisorHealth } from '../contracts/index.ts';
import { decideRestart, type RestartPolicy } from './restart-policy.ts';

/** One service the supervisor runs: how to start an instance and how to know it is ready. */
export interface ServiceSpec {
  name: string;
  spawn(): ChildProcess;
  /** Resolves once the instance serves; rejects (or the signal aborts) when it cannot. */
  ready(child: ChildProcess, signal: AbortSignal): Promise<void>;
  /**
   * Optional liveness watch of a running instance: resolves with a reason when the instance is
   * alive but no longer serving and should be killed and restarted (the signal aborts when it
   * exits). For a server that wedges without exiting, such as nats-server on a full disk.
   */
  watch?(child: ChildProcess, signal: AbortSignal): Promise<string>;
}

export interface SupervisorOptions {
  services: ServiceSpec[];
  policy: RestartPolicy & { stopTimeoutMs: number; readyTimeoutMs: number };
  logger: Logger;
  /** Called after each state change, e.g. to publish it. */
  onChange?: (s: ServiceStatus) => void;
}

interface Slot {
  spec: ServiceSpec;
  child: ChildProcess | null;
  state: ServiceState;
  since: string;
  restarts: number;
  crashes: number[];
  lastExit: ServiceStatus['lastExit'];
  reason: string | null;
  restartTimer: NodeJS.Timeout | null;
  exited: Promise<void> | null;
}

export class BootError extends Error {
  override readonly name = 'BootError';
}

/**
 * Starts services in the order given, each only once the one before it is ready, restarts
 * crashed ones with backoff, gives up on a crash loop, and stops everything in reverse order,
 * killing what does not stop in time. It never talks to a service except through signals and
 * its exit, so a wedged child (a GStreamer pipeline holding libuv threads) cannot wedge it.
 */
export class Supervisor {
  private readonly slots: Slot[];
  private stopping = false;
  readonly startedAt = new Date().toISOString();

  constructor(private readonly opts: SupervisorOptions) {
    this.slots = opts.services.map((spec) => ({
      spec,
      child: null,
      state: 'stopped',
      since: new Date().toISOString(),
      restarts: 0,
      crashes: [],
      lastExit: null,
      reason: null,
      restartTimer: null,
      exited: null,
    }));
  }

  /** Boots every service in order. Rejects with BootError if one never becomes ready. */
  async start(): Promise<void> {
    for (const slot of this.slots) {
      if (this.stopping) return;
      const ok = await this.launchUntilReady(slot);
      if (!ok) throw new BootError(`service ${slot.spec.name} could not start: ${slot.reason ?? 'unknown'}`);
    }
  }

  /** Launches until ready or until the restart policy gives up. */
  private async launchUntilReady(slot: Slot): Promise<boolean> {
    while (!this.stopping) {
      if (await this.launch(slot)) return true;
      if (slot.state === 'failed') return false;
      const delay = this.nextDelay(slot);
      if (delay === null) return false;
      await new Promise((r) => setTimeout(r, delay));
      slot.restarts++;
    }
    return false;
  }

  private setState(slot: Slot, state: ServiceState, reason: string | null = null): void {
    slot.state = state;
    slot.reason = reason;
    slot.since = new Date().toISOString();
    this.opts.onChange?.(this.status(slot));
  }

  /** Spawns one instance and waits for it to be ready; false when it exited or timed out first. */
  private async launch(slot: Slot): Promise<boolean> {
    const { spec } = slot;
    const log = this.opts.logger.child({ service: spec.name });
    this.setState(slot, slot.restarts > 0 ? 'restarting' : 'starting');
    let child: ChildProcess;
    try {
      child = spec.spawn();
    } catch (err) {
      this.recordCrash(slot, null, null, `spawn failed: ${(err as Error).message}`);
      return false;
    }
    slot.child = child;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', (err) => {
        log.error('service process error', { err });
        resolve({ code: null, signal: null });
      });
    });
    slot.exited = exited.then(() => undefined);
    exited.then(({ code, signal }) => this.onExit(slot, child, code, signal));

    const abort = new AbortController();
    const timeout = setTimeout(() => abort.abort(new Error('not ready in time')), this.opts.policy.readyTimeoutMs);
    try {
      await Promise.race([
        spec.ready(child, abort.signal),
        exited.then(({ code, signal }) => {
          throw new Error(`exited during start (code ${code}, signal ${signal})`);
        }),
      ]);
    } catch (err) {
      abort.abort();
      log.error('service did not become ready', { err });
      if (child.exitCode === null && child.signalCode === null) {
        slot.reason = (err as Error).message;
        child.kill('SIGKILL');
      }
      await exited;
      return false;
    } finally {
      clearTimeout(timeout);
    }
    if (this.stopping) return true;
    this.setState(slot, 'running');
    log.info('service running', { pid: child.pid });
    if (spec.watch) {
      const watching = new AbortController();
      void exited.then(() => watching.abort());
      spec.watch(child, watching.signal).then(
        (reason) => {
          if (watching.signal.aborted || this.stopping || slot.child !== child) return;
          log.error('service alive but not serving; killing it for a restart', { reason, pid: child.pid });
          slot.reason = reason;
          child.kill('SIGKILL');
        },
        () => {},
      );
    }
    return true;
  }

  private recordCrash(slot: Slot, code: number | null, signal: string | null, reason: string): void {
    const now = Date.now();
    slot.lastExit = { code, signal, at: new Date(now).toISOString() };
    slot.crashes.push(now);
    slot.reason = reason;
  }

  /** Returns the restart delay, or null after marking the service failed. */
  private nextDelay(slot: Slot): number | null {
    const d = decideRestart(slot.crashes, Date.now(), this.opts.policy);
    slot.crashes = d.recentCrashes;
    if (d.action === 'give-up') {
      this.setState(slot, 'failed', `${d.reason}; last: ${slot.reason ?? 'unknown'}`);
      this.opts.logger.error('service failed: restarts stopped', { service: slot.spec.name, reason: slot.reason });
      return null;
    }
    return d.delayMs;
  }

  private onExit(slot: Slot, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (slot.child !== child) return;
    slot.child = null;
    if (this.stopping) {
      slot.lastExit = { code, signal, at: new Date().toISOString() };
      this.setState(slot, 'stopped');
      return;
    }
    const wasRunning = slot.state === 'running';
    this.recordCrash(slot, code, signal, slot.reason ?? `exited with code ${code}${signal ? `, signal ${signal}` : ''}`);
    if (!wasRunning) return; // a start attempt: launchUntilReady handles the retry
    this.opts.logger.warn('service crashed', { service: slot.spec.name, code, signal });
    const delay = this.nextDelay(slot);
    if (delay === null) return;
    this.setState(slot, 'restarting', slot.reason);
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = null;
      slot.restarts++;
      void this.launchUntilReady(slot);
    }, delay);
  }

  /** Stops every service in reverse boot order; a service that outlives stopTimeoutMs is killed. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const slot of [...this.slots].reverse()) {
      if (slot.restartTimer) clearTimeout(slot.restartTimer);
      const child = slot.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) {
        if (slot.state !== 'failed') this.setState(slot, 'stopped');
        continue;
      }
      this.setState(slot, 'stopping');
      child.kill('SIGTERM');
      const inTime = await Promise.race([
        slot.exited!.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), this.opts.policy.stopTimeoutMs).unref()),
      ]);
      if (!inTime) {
        this.opts.logger.warn('service did not stop in time; killing it', { service: slot.spec.name, pid: child.pid });
        child.kill('SIGKILL');
        await slot.exited;
      }
    }
  }

  private status(slot: Slot): ServiceStatus {
    return {
      name: slot.spec.name,
      state: slot.state,
      pid: slot.child?.pid ?? null,
      restarts: slot.restarts,
      since: slot.since,
      lastExit: slot.lastExit,
      reason: slot.reason,
    };
  }

  snapshot(): SupervisorHealth {
    return { startedAt: this.startedAt, services: this.slots.map((s) => this.status(s)) };
  }
}
