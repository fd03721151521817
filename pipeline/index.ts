export * from './render/index.ts';
export * from './recognition/index.ts';
export * from './tracking/index.ts';
export * from './capture/index.ts';
export * from './simulator/index.ts';
export * from './metrics/index.ts';
export { startCameraWorker, parseWorkerArgs, type WorkerOptions } from './worker.ts';
export { startSimulatedCamera, SIM_CAMERA_ID } from './sim-camera.ts';
export { readFiles, type FileResult } from './read-files.ts';
