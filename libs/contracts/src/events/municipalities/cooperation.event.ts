import { Field, is, NestedField, NestedListField, UniqueBy } from '../../validation/field-rules.js';
import { MunicipalityRef } from '../shared/references.event.js';

export const COOPERATION_KINDS = [
  /** e.g. RWK Westlausitz: Finsterwalde, Großräschen, Lauchhammer, Schwarzheide, Senftenberg. */
  'regional-growth-core',
  /** e.g. the administrations of the Landkreis Helmstedt. */
  'district-administrations',
  /** e.g. Berlin's district business networks. */
  'business-network',
  'other',
] as const;
export type CooperationKind = (typeof COOPERATION_KINDS)[number];

/** At most this many members per cooperation. */
export const MAX_COOPERATION_MEMBERS = 100;

/** An inter-municipal cooperation with its founding members (subject: the cooperation's id). */
export class CooperationCreatedEvent {
  static readonly type = 'municipalities.cooperation.created.v1';
  @Field(is.version) version!: number;
  @Field(is.text(200)) name!: string;
  @Field(is.oneOf(COOPERATION_KINDS)) kind!: CooperationKind;
  @UniqueBy('municipalityId')
  @NestedListField(() => MunicipalityRef, { minItems: 1, maxItems: MAX_COOPERATION_MEMBERS })
  members!: MunicipalityRef[];
  /** The founding members' memberships start on this day. */
  @Field(is.date) startDate!: string;
  @Field(is.uuid) actorUserId!: string;
}

/** A change of membership; carries the cooperation's name so a notification can say which one. */
abstract class CooperationMembershipEvent {
  @Field(is.version) version!: number;
  @Field(is.text(200)) cooperationName!: string;
  @NestedField(() => MunicipalityRef) member!: MunicipalityRef;
  /** Members after the change. */
  @Field(is.int(0, MAX_COOPERATION_MEMBERS)) memberCount!: number;
  @Field(is.uuid) actorUserId!: string;
}

export class CooperationMemberJoinedEvent extends CooperationMembershipEvent {
  static readonly type = 'municipalities.cooperation.member-joined.v1';
  /** The first day of the membership. */
  @Field(is.date) startDate!: string;
}

export class CooperationMemberLeftEvent extends CooperationMembershipEvent {
  static readonly type = 'municipalities.cooperation.member-left.v1';
  /** The last day of the membership. */
  @Field(is.date) endDate!: string;
  @Field(is.text(1000), { nullable: true }) reason!: string | null;
}
