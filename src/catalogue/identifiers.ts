import { IANAZone } from 'luxon';

/** ISO 17442 Legal Entity Identifier: 18 alphanumerics and two check digits, mod 97 of the whole equal to 1. */
export function isValidLei(text: string): boolean {
  if (!/^[0-9A-Z]{18}[0-9]{2}$/.test(text)) return false;
  let remainder = 0;
  for (const char of text) {
    const value = Number.parseInt(char, 36);
    const digits = value.toString();
    for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

/** The two check digits that complete an 18-character LEI prefix. */
export function leiCheckDigits(prefix: string): string {
  let remainder = 0;
  for (const char of `${prefix}00`) {
    for (const digit of Number.parseInt(char, 36).toString()) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return (98 - remainder).toString().padStart(2, '0');
}

const regionNames = new Intl.DisplayNames(['en-GB'], { type: 'region', fallback: 'none' });

// User-assigned and exceptionally reserved codes, which ICU names but which are not countries.
const NOT_COUNTRIES = /^(?:AA|Q[M-Z]|X[A-Z]|ZZ|EU|EZ|UN)$/;

/** An ISO 3166-1 alpha-2 country code that the ICU data knows (so `GB`, never the reserved `UK`). */
export function isCountryCode(text: string): boolean {
  if (!/^[A-Z]{2}$/.test(text) || NOT_COUNTRIES.test(text)) return false;
  return new Intl.Locale('und', { region: text }).region === text && regionNames.of(text) !== undefined;
}

const currencies = new Set(Intl.supportedValuesOf('currency'));

export function isCurrencyCode(text: string): boolean {
  return currencies.has(text);
}

export function isTimeZone(text: string): boolean {
  return IANAZone.isValidZone(text);
}
