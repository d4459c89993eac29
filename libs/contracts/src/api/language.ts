/** The languages of everything a person reads: German by default, English when the caller prefers it. */
export const LANGUAGES = ['de', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'de';

/** A text a person reads, in every language the platform speaks. */
export interface LocalizedText {
  readonly de: string;
  readonly en: string;
}

// A hostile header must not cost more than a normal one.
const MAX_HEADER_LENGTH = 1_000;
const MAX_RANGES = 40;
const QVALUE = /^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$/;

interface Preference {
  q: number;
  explicit: boolean;
  position: number;
}

function better(a: Preference, b: Preference | undefined): boolean {
  if (!b) return true;
  if (a.q !== b.q) return a.q > b.q;
  if (a.explicit !== b.explicit) return a.explicit;
  return a.position < b.position;
}

/**
 * Picks German or English from an `Accept-Language` header (RFC 9110 §12.5.4): the supported language with the
 * highest q-value wins (`en-GB` counts as English, `*` gives every language not named its q-value, `q=0` excludes);
 * on equal q-values a language named explicitly beats the wildcard, then the earlier one wins. Nothing acceptable,
 * an unsupported language only, or no header at all → German.
 */
export function negotiateLanguage(header: string | readonly string[] | null | undefined): Language {
  const text = typeof header === 'string' ? header : Array.isArray(header) ? header.join(',') : '';
  if (text.length === 0) return DEFAULT_LANGUAGE;
  const named = new Map<Language, Preference>();
  let wildcard: Preference | undefined;
  text
    .slice(0, MAX_HEADER_LENGTH)
    .split(',', MAX_RANGES)
    .forEach((range, position) => {
      const [rawTag = '', ...parameters] = range.split(';');
      const tag = rawTag.trim().toLowerCase();
      if (!/^(?:\*|[a-z]{1,8}(?:-[a-z0-9]{1,8})*)$/.test(tag)) return;
      let q = 1;
      for (const parameter of parameters) {
        const [name = '', value = ''] = parameter.split('=').map((part) => part.trim());
        if (name.toLowerCase() !== 'q') continue;
        if (!QVALUE.test(value)) return; // a malformed weight makes the whole range unusable
        q = Number(value);
      }
      if (tag === '*') {
        wildcard = { q, explicit: false, position };
        return;
      }
      const primary = tag.split('-')[0];
      if (!(LANGUAGES as readonly string[]).includes(primary)) return;
      const language = primary as Language;
      const seen = named.get(language);
      // `en;q=0, en-GB;q=0.8`: the most favourable range of a language counts, at its first position.
      if (!seen || q > seen.q)
        named.set(language, { q, explicit: true, position: seen?.position ?? position });
    });
  let best: { language: Language; preference: Preference } | undefined;
  for (const language of LANGUAGES) {
    const preference = named.get(language) ?? wildcard;
    if (!preference || preference.q <= 0) continue;
    if (better(preference, best?.preference)) best = { language, preference };
  }
  return best?.language ?? DEFAULT_LANGUAGE;
}

/** A value as text in a message: scalars as they are, lists joined with commas, objects as JSON. */
export function textOf(value: unknown): string {
  if (Array.isArray(value)) return value.map(textOf).join(', ');
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value) ?? '';
}

/** Replaces `{name}` placeholders; a placeholder without a value stays as it is. */
export function fillTemplate(template: string, params: Readonly<Record<string, unknown>> = {}): string {
  return template.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, name: string) =>
    params[name] === undefined ? whole : textOf(params[name]),
  );
}
