import { Field, is } from '../../validation/field-rules.js';
import { ChangedFields } from '../shared/references.event.js';

/** A contact person of a municipality, whole (subject: the contact's id); notifications e-mails them. */
abstract class ContactSnapshotEvent {
  @Field(is.version) version!: number;
  @Field(is.uuid) municipalityId!: string;
  @Field(is.text(200)) fullName!: string;
  /** Their function, e.g. "Wirtschaftsförderung" or "Bürgermeisterin". */
  @Field(is.text(120)) role!: string;
  @Field(is.email) email!: string;
  @Field(is.phone, { nullable: true }) phone!: string | null;
  @Field(is.language) language!: 'de' | 'en';
  @Field(is.uuid) actorUserId!: string;
}

export class ContactAddedEvent extends ContactSnapshotEvent {
  static readonly type = 'municipalities.contact.added.v1';
}

export class ContactUpdatedEvent extends ContactSnapshotEvent {
  static readonly type = 'municipalities.contact.updated.v1';
  @ChangedFields() changedFields!: string[];
}

export class ContactRemovedEvent {
  static readonly type = 'municipalities.contact.removed.v1';
  @Field(is.version) version!: number;
  @Field(is.uuid) municipalityId!: string;
  @Field(is.uuid) actorUserId!: string;
}
