export { createAppliance, startAppliance, applianceServices, type Appliance } from './appliance.ts';
export { Supervisor, BootError, type ServiceSpec, type SupervisorOptions } from './supervisor.ts';
export { decideRestart, type RestartPolicy, type RestartDecision } from './restart-policy.ts';
export { natsServerSpec } from './nats-server.ts';
export { nodeServiceSpec } from './node-service.ts';
export { loadConfigFile } from './config-file.ts';
export { startCore } from './core.ts';
export { main } from './cli.ts';
export { serviceRegistry, type RunningService, type ServiceStart } from './service-registry.ts';
