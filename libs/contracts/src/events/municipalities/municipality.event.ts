import { Field, is } from '../../validation/field-rules.js';
import { ChangedFields, REGIONS, type Region } from '../shared/references.event.js';

/**
 * A municipality of the registry as of this version, whole (not a diff), so a consumer just overwrites its copy.
 * The subject is its UUID, never the AGS.
 */
abstract class MunicipalitySnapshotEvent {
  @Field(is.version) version!: number;
  @Field(is.ags) ags!: string;
  @Field(is.text(120)) name!: string;
  /** As in the Destatis directory, e.g. "Senftenberg/Zły Komorow, Stadt". */
  @Field(is.text(200)) officialName!: string;
  /** The Landkreis, or "kreisfrei". */
  @Field(is.text(120)) district!: string;
  @Field(is.text(60)) state!: string;
  @Field(is.oneOf(REGIONS), { nullable: true }) region!: Region | null;
  /** An inactive municipality stays in the registry but takes part in nothing new. */
  @Field(is.boolean) active!: boolean;
  @Field(is.uuid) actorUserId!: string;
}

export class MunicipalityRegisteredEvent extends MunicipalitySnapshotEvent {
  static readonly type = 'municipalities.municipality.registered.v1';
}

export class MunicipalityUpdatedEvent extends MunicipalitySnapshotEvent {
  static readonly type = 'municipalities.municipality.updated.v1';
  @ChangedFields() changedFields!: string[];
}

export class MunicipalityDeactivatedEvent {
  static readonly type = 'municipalities.municipality.deactivated.v1';
  @Field(is.version) version!: number;
  @Field(is.ags) ags!: string;
  @Field(is.text(120)) name!: string;
  @Field(is.text(1000)) reason!: string;
  @Field(is.uuid) actorUserId!: string;
}
