import { AddsUpTo, Field, is, ListField, NestedListField, UniqueBy } from '../../validation/field-rules.js';

/** The coal regions and networks the platform serves. */
export const REGIONS = [
  'lausitz',
  'mitteldeutsches-revier',
  'helmstedter-revier',
  'rheinisches-revier',
  'berlin',
] as const;
export type Region = (typeof REGIONS)[number];

export const NOTIFICATION_CHANNELS = ['in-app', 'email', 'webhook'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

/** At most this many partner municipalities per proposal (the largest cooperations have a few dozen members). */
export const MAX_PARTNERS = 50;

/** A municipality as events name it: the id to join on, the AGS people and statistics know, and its name. */
export class MunicipalityRef {
  @Field(is.uuid) municipalityId!: string;
  @Field(is.ags) ags!: string;
  @Field(is.text(120)) name!: string;
}

/**
 * Enough of a proposal for a consumer to route and word a notification (who leads, who takes part) without having
 * seen the proposal's own events first: streams are consumed concurrently, so that order is not guaranteed.
 */
export class ProposalRef {
  @Field(is.uuid) proposalId!: string;
  @Field(is.text(300)) title!: string;
  @Field(is.uuid) leadMunicipalityId!: string;
  @ListField(is.uuid, { maxItems: MAX_PARTNERS, uniqueItems: true }) partnerMunicipalityIds!: string[];
}

/** One year of a funding split (cost plan, allocation, budget). */
export class FundingYear {
  @Field(is.year) year!: number;
  @Field(is.cents) amountCents!: number;
}

/** A funding split by year whose rows add up to the field `totalPath` of the same event. */
export function FundingByYear(totalPath: string): PropertyDecorator {
  const decorators = [
    NestedListField(() => FundingYear, { minItems: 1, maxItems: 20 }),
    UniqueBy('year'),
    AddsUpTo('amountCents', totalPath),
  ];
  return (target, property) => decorators.forEach((decorate) => decorate(target, property));
}

/** On `…updated` events: which fields of the snapshot changed, so a consumer can skip work that does not concern it. */
export function ChangedFields(): PropertyDecorator {
  return ListField(is.fieldName, { minItems: 1, maxItems: 30, uniqueItems: true });
}
