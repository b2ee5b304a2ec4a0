import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { isCountryCode, isCurrencyCode, isTimeZone, isValidLei, leiCheckDigits } from './identifiers.js';

describe('isValidLei', () => {
  test('accepts published LEIs', () => {
    // GLEIF's own LEI.
    assert.equal(isValidLei('506700GE1G29325QX363'), true);
  });

  test('refuses a wrong check digit, lower case and the wrong length', () => {
    assert.equal(isValidLei('506700GE1G29325QX364'), false);
    assert.equal(isValidLei('506700ge1g29325qx363'), false);
    assert.equal(isValidLei('506700GE1G29325QX36'), false);
  });

  // MOD 97-10 catches every single-digit substitution; a letter stands for two digits, so letter changes may slip through.
  test('any prefix completed with its check digits is valid, and changing one digit breaks it', () => {
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');
    const prefix = fc
      .array(fc.constantFrom(...alphabet), { minLength: 18, maxLength: 18 })
      .map((chars) => chars.join(''));
    fc.assert(
      fc.property(
        prefix,
        fc.integer({ min: 0, max: 17 }),
        fc.constantFrom(...'0123456789'.split('')),
        (text, position, replacement) => {
          const lei = `${text}${leiCheckDigits(text)}`;
          if (!isValidLei(lei)) return false;
          if (text[position] === replacement || !/[0-9]/.test(text[position] ?? '')) return true;
          const altered = `${text.slice(0, position)}${replacement}${text.slice(position + 1)}${leiCheckDigits(text)}`;
          return !isValidLei(altered);
        },
      ),
    );
  });
});

describe('codes', () => {
  test('country, currency and time zone codes', () => {
    assert.equal(isCountryCode('GB'), true);
    assert.equal(isCountryCode('IE'), true);
    assert.equal(isCountryCode('UK'), false);
    assert.equal(isCountryCode('ZZ'), false);
    assert.equal(isCountryCode('EU'), false);
    assert.equal(isCountryCode('gb'), false);
    assert.equal(isCurrencyCode('GBP'), true);
    assert.equal(isCurrencyCode('XYZ'), false);
    assert.equal(isTimeZone('Europe/London'), true);
    assert.equal(isTimeZone('Europe/Londres'), false);
  });
});
