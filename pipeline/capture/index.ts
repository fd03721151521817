export { RtspCapture, type Frame, type CaptureState, type CaptureOptions, type CaptureEvents, type CaptureStats } from './capture.ts';
export { receiveChain, newPipeline, type Codec, type ReceiveChainOptions, type GstPipeline } from './gst.ts';
export { backoffMs, FpsMeter } from './timing.ts';
export { lowerOtherThreads } from './priority.ts';
export { nextPace, MAX_SLOWDOWN, type Pace } from './pace.ts';
