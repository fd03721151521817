/**
 * Obvious personal identifying information in free text (guidelines: ALPR records carry no PII
 * beyond the plate). Case titles, hotlist notes and dissemination notes are typed by people, and
 * people paste what is at hand: a requester's address, a subject's date of birth. This catches the
 * identifiers that have a recognisable shape; it cannot recognise a bare name, so the forms say
 * to refer to the agency's own record instead.
 *
 * Pure: every part that stores free text calls piiProblem() (or the zod refinement below) with
 * the same rules, so what one form refuses another does not quietly keep.
 */

export type PiiKind = 'social security number' | 'date of birth' | 'date' | 'street address' | 'phone number' | 'e-mail address';

export interface PiiFinding {
  kind: PiiKind;
  /** Offset of the match in the text, so that a form can point at it without repeating it. */
  index: number;
}

export interface PiiOptions {
  /**
   * Refuse any full calendar date, not only one labelled as a birth date. For titles: a title
   * names a case, and a date in it is as likely a birth date as the date of the offence (the
   * case record keeps when it was opened).
   */
  anyDate?: boolean;
}

const MONTH =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
/** 01/02/1980, 1-2-80, 1980-01-02, Jan 2, 1980, 2 January 1980. */
const FULL_DATE = `(?:\\d{1,2}[/.-]\\d{1,2}[/.-](?:\\d{4}|\\d{2})|\\d{4}-\\d{1,2}-\\d{1,2}|${MONTH}\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{4}|\\d{1,2}(?:st|nd|rd|th)?\\s+${MONTH}\\.?,?\\s+\\d{4})`;
const STREET_SUFFIX =
  '(?:st|street|ave|avenue|rd|road|blvd|boulevard|dr|drive|ln|lane|ct|court|way|pl|place|ter|terrace|cir|circle|hwy|highway|pkwy|parkway|trl|trail|sq|square|loop|pike)';

const STOP_WORD = '(?:the|a|an|on|to|of|at|in|and|or|for|by|from|with|into|onto|per|via|near|off|his|her|their|its|this|that|no|not|times)';

const RULES: { kind: PiiKind; pattern: RegExp; anyDateOnly?: boolean }[] = [
  // 123-45-6789 and 123 45 6789; an explicit label with nine digits however written.
  { kind: 'social security number', pattern: /(?<![\d-])\d{3}([- ])\d{2}\1\d{4}(?![\d-])/ },
  { kind: 'social security number', pattern: /\b(?:ssn|social\s+security(?:\s+(?:no|number|#))?)\b\.?[\s:#-]*(?:\d[\s-]?){8}\d\b/i },
  // A date next to a birth label: "DOB 01/02/1980", "born Jan 2, 1980", "date of birth: 1980-01-02", "born 1980".
  {
    kind: 'date of birth',
    pattern: new RegExp(
      `\\b(?:d\\.?o\\.?b\\.?|date\\s+of\\s+birth|birth\\s*date|born(?:\\s+on|\\s+in)?)[\\s:#-]*(?:${FULL_DATE}|(?:19|20)\\d{2}\\b)`,
      'i',
    ),
  },
  { kind: 'date', pattern: new RegExp(`(?<![\\w/.-])${FULL_DATE}(?![\\w/-])`, 'i'), anyDateOnly: true },
  // A house number, one to three words and a street type: "123 Main St", "4500 W. Tennessee Street".
  // The words may not be little words of a sentence ("3 times on the way"), and a road number
  // ("US-27", "I-10") is not a house number.
  {
    kind: 'street address',
    pattern: new RegExp(
      `(?<![\\w-])\\d{1,6}[a-z]?\\s+(?:[nsew]\\.?\\s+)?(?:(?!${STOP_WORD}\\s)[a-z0-9][a-z0-9'.-]*\\s+){1,3}${STREET_SUFFIX}\\b`,
      'i',
    ),
  },
  { kind: 'street address', pattern: /\bp\.?\s?o\.?\s+box\s+\d+/i },
  // (850) 555-0100, 850-555-0100, 850.555.0100, +1 850 555 0100: separators required, so a
  // ten-digit record number is not taken for a telephone.
  { kind: 'phone number', pattern: /(?<![\d-])(?:\+?1[\s.-])?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?![\d-])/ },
  { kind: 'e-mail address', pattern: /[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/i },
];

/** Every obvious identifier in `text`, at most one finding per kind, in the order they occur. */
export function findPii(text: string, opts: PiiOptions = {}): PiiFinding[] {
  // Every shape above has a digit or an @: most text (and most hotlist notes, checked per
  // record of an extract) is done with one scan.
  if (!/[\d@]/.test(text)) return [];
  const found = new Map<PiiKind, number>();
  for (const rule of RULES) {
    if (rule.anyDateOnly && !opts.anyDate) continue;
    const m = rule.pattern.exec(text);
    if (!m) continue;
    const kind = rule.kind;
    // A date labelled as a birth date is reported as that, not twice.
    if (kind === 'date' && found.has('date of birth')) continue;
    if (!found.has(kind) || found.get(kind)! > m.index) found.set(kind, m.index);
  }
  return [...found].map(([kind, index]) => ({ kind, index })).sort((a, b) => a.index - b.index);
}

const article = (k: PiiKind) => (/^[aeiou]/.test(k) ? 'an' : 'a');

/**
 * A refusal naming what was found (never repeating it: the message travels to logs), or null.
 * The advice is the rule the agency follows: the person stays in the agency's own records.
 */
export function piiProblem(text: string, opts: PiiOptions = {}): string | null {
  const found = findPii(text, opts);
  if (found.length === 0) return null;
  const what = found.map((f) => `${article(f.kind)} ${f.kind}`);
  const list = what.length === 1 ? what[0] : `${what.slice(0, -1).join(', ')} and ${what.at(-1)}`;
  return `looks like personal identifying information (${list}); ALPR records keep none: refer to the agency's own record (a report or request number) instead`;
}

/** For z.string().superRefine(): adds the refusal as the field's issue. */
export function refusePii(opts: PiiOptions = {}) {
  return (value: string, ctx: { addIssue(issue: { code: 'custom'; message: string }): void }) => {
    const problem = piiProblem(value, opts);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  };
}
