export { CameraCapture, type Frame, type CaptureState, type CaptureOptions, type CaptureEvents, type CaptureStats } from './capture.ts';
export { openSource, type CameraSource } from './source.ts';
export { rtspSource, rtspDecodeChain, redactUrl, type Codec, type RtspChainOptions } from './rtsp.ts';
export { fileSource } from './file.ts';
export { receiveChain, newPipeline, gstQuote, type ReceiveChainOptions, type GstPipeline } from './gst.ts';
export { backoffMs, FpsMeter } from './timing.ts';
export { lowerOtherThreads } from './priority.ts';
export { nextPace, MAX_SLOWDOWN, type Pace } from './pace.ts';
