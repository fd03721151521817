export * from './config.ts';
export * from './read.ts';
export * from './alert.ts';
export * from './health.ts';
export * from './subjects.ts';
export * from './errors.ts';
export * from './logger.ts';
export * from './bus.ts';
