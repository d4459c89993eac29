import { describe, expect, it } from '@jest/globals';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { ProblemException } from './problem.js';
import { ToBoolean, ToInt, ToList } from './query-params.js';
import {
  checkDto,
  findForbiddenStructure,
  localizedMessage,
  MAX_NESTING_DEPTH,
  validateCommand,
} from './validation.js';

class PartnerDto {
  @IsUUID('4')
  municipalityId!: string;

  @IsInt()
  @Min(0)
  @Max(10_000)
  costShareBasisPoints!: number;
}

class CreateProposalDto {
  @IsString()
  @MaxLength(20)
  title!: string;

  @Matches(
    /^(0[1-9]|1[0-6])[0-9]{6}$/,
    localizedMessage('muss ein 8-stelliger AGS sein', 'must be an 8-digit AGS'),
  )
  ags!: string;

  @IsIn(['de', 'en'])
  language!: string;

  @IsOptional()
  @IsInt()
  requestedFundingCents?: number;

  @IsArray()
  @ArrayMaxSize(3)
  @ValidateNested({ each: true })
  @Type(() => PartnerDto)
  partners!: PartnerDto[];
}

const valid = {
  title: 'Gründerzentrum',
  ags: '12066304',
  language: 'de',
  partners: [
    { municipalityId: '0b9f2a52-8f0e-4c4e-9d4e-6f1a2b3c4d5e', costShareBasisPoints: 6000 },
    { municipalityId: '1c9f2a52-8f0e-4c4e-9d4e-6f1a2b3c4d5e', costShareBasisPoints: 4000 },
  ],
};

const violations = (value: unknown) => {
  const result = checkDto(CreateProposalDto, value, { root: '(body)' });
  return result.ok
    ? []
    : result.violations.map(({ field, rule, messages }) => ({ field, rule, en: messages.en }));
};

describe('checkDto', () => {
  it('accepts a valid value and returns the DTO instance', () => {
    const result = checkDto(CreateProposalDto, valid);
    expect(result.ok).toBe(true);
    expect(result.ok && result.value).toBeInstanceOf(CreateProposalDto);
    expect(result.ok && result.value.partners[0]).toBeInstanceOf(PartnerDto);
  });

  it('names every offending field, nested ones by path, with the rule and its bound', () => {
    expect(
      violations({
        ...valid,
        title: 42,
        language: 'fr',
        partners: [valid.partners[0], { municipalityId: 'nope', costShareBasisPoints: 10_001 }],
      }),
    ).toEqual([
      { field: 'title', rule: 'isString', en: 'must be a string' },
      { field: 'language', rule: 'isIn', en: 'must be one of: de, en' },
      { field: 'partners[1].municipalityId', rule: 'isUuid', en: 'must be a UUID' },
      { field: 'partners[1].costShareBasisPoints', rule: 'max', en: 'must not be greater than 10000' },
    ]);
  });

  it('says a missing field is required, and an unknown one unknown, also nested', () => {
    const { title: _title, ...withoutTitle } = valid;
    expect(violations({ ...withoutTitle, extra: 1, partners: [{ ...valid.partners[0], share: 1 }] })).toEqual(
      [
        { field: 'extra', rule: 'unknownField', en: 'is not a known field' },
        { field: 'title', rule: 'isDefined', en: 'is required' },
        { field: 'partners[0].share', rule: 'unknownField', en: 'is not a known field' },
      ],
    );
  });

  it('reports wrong shapes of nested values and lists', () => {
    expect(violations({ ...valid, partners: ['x'] })).toEqual([
      { field: 'partners[0]', rule: 'isObject', en: 'must be a JSON object' },
    ]);
    expect(violations({ ...valid, partners: {} })).toEqual([
      { field: 'partners', rule: 'isArray', en: 'must be a list' },
    ]);
    expect(violations({ ...valid, partners: [...valid.partners, ...valid.partners] })).toEqual([
      { field: 'partners', rule: 'arrayMaxSize', en: 'must have at most 3 items' },
    ]);
  });

  it('uses the messages a rule brings along', () => {
    const result = checkDto(CreateProposalDto, { ...valid, ags: '99000000' });
    expect(!result.ok && result.violations).toEqual([
      {
        field: 'ags',
        rule: 'matches',
        message: 'muss ein 8-stelliger AGS sein',
        messages: { de: 'muss ein 8-stelliger AGS sein', en: 'must be an 8-digit AGS' },
      },
    ]);
  });

  it('refuses what is not an object, naming the root', () => {
    expect(violations(undefined)).toEqual([{ field: '(body)', rule: 'isDefined', en: 'is required' }]);
    expect(violations([valid])).toEqual([{ field: '(body)', rule: 'isObject', en: 'must be a JSON object' }]);
    expect(violations('{}')).toEqual([{ field: '(body)', rule: 'isObject', en: 'must be a JSON object' }]);
  });

  it('refuses prototype keys anywhere before class-transformer sees them', () => {
    const hostile = JSON.parse(
      '{"title":"x","__proto__":{"admin":true},"partners":[{"constructor":{"prototype":{}}}]}',
    ) as unknown;
    expect(violations(hostile)).toEqual([
      { field: '__proto__', rule: 'forbiddenKey', en: 'is not allowed as a key' },
      { field: 'partners[0].constructor', rule: 'forbiddenKey', en: 'is not allowed as a key' },
    ]);
    expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
  });

  it('refuses nesting deeper than any request needs, without recursion', () => {
    let deep: unknown = {};
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    const found = findForbiddenStructure(deep, '(body)');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ rule: 'tooDeep' });
    expect(found[0]?.field.split('.')).toHaveLength(MAX_NESTING_DEPTH);
  });
});

describe('validateCommand (services)', () => {
  it('returns the instance or throws the 400 validation problem', () => {
    expect(validateCommand(CreateProposalDto, valid)).toBeInstanceOf(CreateProposalDto);
    let thrown: unknown;
    try {
      validateCommand(CreateProposalDto, { ...valid, language: 'fr' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ProblemException);
    expect((thrown as ProblemException).getStatus()).toBe(400);
    expect((thrown as ProblemException).problem).toMatchObject({
      code: 'validation-failed',
      errors: [{ field: 'language', rule: 'isIn', message: 'muss einer dieser Werte sein: de, en' }],
    });
    expect(() => validateCommand(CreateProposalDto, null)).toThrow(ProblemException);
  });
});

describe('query transforms', () => {
  class Query {
    @IsOptional() @ToInt() @IsInt() year?: number;
    @IsOptional() @ToBoolean() @IsIn([true, false]) active?: boolean;
    @IsOptional() @ToList() @IsString({ each: true }) status?: string[];
  }

  it('convert well-formed strings and leave the rest to the rules', () => {
    expect(checkDto(Query, { year: '2026', active: 'false', status: ['a,b', 'c'] })).toMatchObject({
      ok: true,
      value: { year: 2026, active: false, status: ['a', 'b', 'c'] },
    });
    const result = checkDto(Query, { year: '', active: 'yes' });
    expect(!result.ok && result.violations.map((v) => [v.field, v.rule])).toEqual([
      ['year', 'isInt'],
      ['active', 'isIn'],
    ]);
  });
});
