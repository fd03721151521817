import { editDistance, fitStateFormat, isUsState, normalizePlate, STATE_PLATES, US_STATES, type UsState } from '../../contracts/index.ts';

/**
 * Plate-syntax filtering and state-of-issue matching: pure functions over OCR text. OCR finds
 * every piece of text in a frame (camera timestamps, dealer frames, state names, slogans);
 * only some of it is a plate serial, and the rest tells the state of issue.
 */

export type SyntaxVerdict = { ok: true; text: string; prior: number } | { ok: false; text: string; reason: string };

/** Words printed on plates and plate frames that are never serials. */
const NON_SERIAL_WORDS = new Set<string>(
  [
    ...STATE_PLATES.flatMap((d) => [normalizePlate(d.name), ...d.name.split(' '), ...d.slogan.split(' ')]).map(normalizePlate),
    ...'DEALER MOTORS MOTOR AUTO AUTOS SALES CARS FORD TOYOTA HONDA CHEVROLET CHEVY NISSAN DODGE JEEP KIA HYUNDAI BMW AUDI LEXUS MAZDA SUBARU TESLA COUNTY TRUST STATE USA AMERICA JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC EXP EXPIRES TAG PLATE CAM CAMERA REC LIVE TOW'.split(
      ' ',
    ),
  ].filter((w) => w.length > 1),
);

const DEALER = /(WWW|\.COM|\.NET|\.ORG|\.GOV|DEALER|MOTORS|AUTO ?(GROUP|SALES|MALL)|HTTP)/i;
const TIME = /\d{1,2}\s*:\s*\d{2}/;
/** A US phone number as painted on vans and trucks ("376-8750", "281-880-8231", "(281) 880"): no state prints a
 * serial of three digits, a dash and four. */
const PHONE = /\(\d{3}\)|\d{3}\s*[-.]\s*\d{4}(?!\d)/;
/** A date, or the year and month a camera's timestamp starts with where a window cut it short
 * ("2014-05" of "2014-05-14 09:54:05": the overlay's small print passes for a plate's serial). */
const DATE =
  /(\d{4}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2})|(\d{1,2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{2,4})|((19|20)\d{2}\s*[-/.]\s*(0[1-9]|1[0-2])(?!\d))/;

/**
 * Whether OCR text can be a US plate serial. `prior` (0..1) lowers serials that are legal but
 * unlikely (all letters: vanity plates exist, but words on frames and slogans are far more common).
 */
export function plateSyntax(raw: string): SyntaxVerdict {
  const text = normalizePlate(raw);
  if (TIME.test(raw)) return { ok: false, text, reason: 'timestamp' };
  if (DATE.test(raw)) return { ok: false, text, reason: 'date' };
  if (DEALER.test(raw)) return { ok: false, text, reason: 'dealer frame' };
  if (PHONE.test(raw)) return { ok: false, text, reason: 'phone number' };
  // Two-character plates exist, but far more two-character reads are fragments of a split line.
  if (text.length < 3) return { ok: false, text, reason: 'too short' };
  if (text.length > 8) return { ok: false, text, reason: 'too long' };
  if (NON_SERIAL_WORDS.has(text)) return { ok: false, text, reason: 'word printed on plates' };
  if (stateFromText(raw, 0.85)) return { ok: false, text, reason: 'state name' };
  const digits = text.replace(/[^0-9]/g, '').length;
  if (digits === 0) {
    // Misread slogan words ("ANERICA") are the commonest all-letter reads.
    const tol = text.length >= 7 ? 2 : text.length >= 5 ? 1 : 0;
    if (tol && [...NON_SERIAL_WORDS].some((w) => Math.abs(w.length - text.length) <= tol && editDistance(w, text) <= tol)) {
      return { ok: false, text, reason: 'word printed on plates' };
    }
    return { ok: true, text, prior: 0.6 };
  }
  // Real serials mix letters and digits or are numbers; long single-digit runs are artefacts.
  if (/^(.)\1+$/.test(text) && text.length > 4) return { ok: true, text, prior: 0.5 };
  return { ok: true, text, prior: 1 };
}

/**
 * Writes the letter O as the digit 0 in a US plate's serial (`state`: a US state read or guessed
 * for it) that is no state's standard format (a vanity or specialty plate, or a misread). Most US
 * plates print O and 0 as one round glyph, so there no reader, human or model, can tell them
 * apart; one spelling has to be chosen, and it is the zero that the real-plate benchmark's labels
 * use (openalpr's us set: "CHICAG0"). In a standard format the position decides: an O where the
 * format has a letter stays an O ("NOX218", LLLNNN), and `conformToState` settles the rest once
 * the state is known. The matcher treats O and 0 as one look-alike class either way, so a hotlist
 * that spells it with O still matches. Where no state was read (most plates of a 720p frame: the
 * name is too small to read), the zero is written only where the text as read is no state's
 * format and with zeros it is one ("SHOR7X" is Missouri's LLNLNL as "SH0R7X"): other countries'
 * plates tell O from 0 (a European "BO123XY" stays), and a plate read as another country's
 * (`state` not a US one) is left as read.
 */
export function roundGlyphsAsZero(text: string, state: string | null): string {
  if (!text.includes('O')) return text;
  const zero = text.replaceAll('O', '0');
  if (!state) return !anyStateFormat(text) && anyStateFormat(zero) ? zero : text;
  if (!isUsState(state)) return text;
  return anyStateFormat(text) ? text : zero;
}

const anyStateFormat = (text: string) => US_STATES.some((s) => fitStateFormat(text, s, 0) !== null);

const lettersOnly = (s: string) => s.toUpperCase().replace(/[^A-Z]/g, '');

/** Names and the slogans unique to one state, as letter strings. */
const STATE_KEYS: { key: string; state: UsState; weight: number }[] = (() => {
  const out: { key: string; state: UsState; weight: number }[] = [];
  const sloganCount = new Map<string, number>();
  for (const d of STATE_PLATES) if (d.slogan) sloganCount.set(lettersOnly(d.slogan), (sloganCount.get(lettersOnly(d.slogan)) ?? 0) + 1);
  for (const d of STATE_PLATES) {
    out.push({ key: lettersOnly(d.name), state: d.state, weight: 1 });
    const s = lettersOnly(d.slogan);
    if (s.length >= 6 && sloganCount.get(s) === 1) out.push({ key: s, state: d.state, weight: 0.7 });
  }
  return out;
})();

/** Other states' keys that hold a key (WASHINGTON DC holds WASHINGTON, WEST VIRGINIA holds VIRGINIA). */
const LONGER_KEYS: ReadonlyMap<string, string[]> = new Map(
  STATE_KEYS.map(({ key, state }) => [key, STATE_KEYS.filter((k) => k.state !== state && k.key.includes(key)).map((k) => k.key)]),
);

/**
 * The state whose name (or unique slogan) the text spells, with a score 0..1, or null.
 * Tolerates OCR slips in proportion to the length of the name ("FL0RIDA" is Florida).
 */
export function stateFromText(raw: string, minScore = 0.7): { state: UsState; score: number } | null {
  const t = lettersOnly(raw);
  if (t.length < 4) return null;
  const whole = new Map<string, number>(),
    windowed = new Map<string, number>();
  for (const { key } of STATE_KEYS) {
    const dist = editDistance(t, key);
    whole.set(key, Math.max(0, 1 - dist / key.length));
    // Plates often print the name with a word on either side ("VISIT FLORIDA"): compare with
    // the best-aligned window of the text as well as the whole of it.
    let best = dist;
    if (t.length > key.length) {
      for (let i = 0; i + key.length <= t.length; i++) best = Math.min(best, editDistance(t.slice(i, i + key.length), key) + 0.5);
    }
    windowed.set(key, Math.max(0, 1 - best / key.length));
  }
  let best: { state: UsState; score: number } | null = null;
  for (const { key, state, weight } of STATE_KEYS) {
    // A name inside a longer one the text spells better ("WASHINGTON" in "WASHINGT0N DC", the
    // DC misread): the words around it are the longer name's, so only the whole text counts.
    const longer = LONGER_KEYS.get(key)!.some((k) => windowed.get(k)! >= minScore && windowed.get(k)! > whole.get(key)!);
    const score = weight * (longer ? whole.get(key)! : windowed.get(key)!);
    if (score >= minScore && (!best || score > best.score)) best = { state, score };
  }
  return best;
}
