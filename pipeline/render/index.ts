export { renderPlate, randomPlate, type RenderPlateOptions, type RenderedPlate } from './plate.ts';
export { PLATE_DESIGNS, plateDesign, randomSerial, type PlateDesign } from './states.ts';
export { textMask, measureText, FONT_CHARS, type TextStyle } from './font.ts';
export {
  createImage,
  fillRect,
  blendMask,
  strokeSegment,
  resize,
  resizeRegion,
  blit,
  toGray,
  grayToRgb,
  luma,
  rng,
  type Image,
  type Rgb,
} from './raster.ts';
export { encodeJpeg, encodePng, decodeImage } from './codec.ts';
