/**
 * The Amtlicher Gemeindeschlüssel: 8 digits — Land (01–16), Regierungsbezirk, Kreis, Gemeinde. Leading zeros are part
 * of the key (Niedersachsen is 03), so it is always a string.
 */
export const AGS_PATTERN = /^(0[1-9]|1[0-6])\d{6}$/;

export const STATE_NAMES: Readonly<Record<string, string>> = {
  '01': 'Schleswig-Holstein',
  '02': 'Hamburg',
  '03': 'Niedersachsen',
  '04': 'Bremen',
  '05': 'Nordrhein-Westfalen',
  '06': 'Hessen',
  '07': 'Rheinland-Pfalz',
  '08': 'Baden-Württemberg',
  '09': 'Bayern',
  '10': 'Saarland',
  '11': 'Berlin',
  '12': 'Brandenburg',
  '13': 'Mecklenburg-Vorpommern',
  '14': 'Sachsen',
  '15': 'Sachsen-Anhalt',
  '16': 'Thüringen',
};

export function isAgs(value: unknown): value is string {
  return typeof value === 'string' && AGS_PATTERN.test(value);
}

/** The Land an AGS belongs to, by its first two digits. */
export function stateOfAgs(ags: string): string | undefined {
  return STATE_NAMES[ags.slice(0, 2)];
}
